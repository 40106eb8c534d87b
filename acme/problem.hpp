#pragma once
// ACME problem documents (RFC 8555 §6.7) turned into typed errors and plain words.

#include "acme/transport.hpp"
#include "common/result.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace certkeep::acme {

// Parses a problem document from a JSON object; nullopt when it is not one.
std::optional<Problem> parseProblemJson(const nlohmann::json& doc);
// Parses the problem in an error response (application/problem+json or any JSON body).
std::optional<Problem> parseProblem(const HttpResponse& response, const std::string& url);

// The error kind for a problem type (rateLimited -> RateLimited, validation types -> Validation).
ErrorKind kindForProblem(const Problem& problem);
// One line: "<what> failed: <detail> (<type>)" + subproblems naming their identifiers + a hint.
std::string describeProblem(const Problem& problem, const std::string& what);
// What to do about common problem types; "" when we have nothing useful to say.
std::string hintForProblem(const std::string& shortType);

// Error for a non-2xx response: the problem when there is one, else the status and a snippet.
Error errorFromResponse(const HttpResponse& response, const std::string& url,
                        const std::string& what);

} // namespace certkeep::acme
