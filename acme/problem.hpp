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

// Where a problem came from: the answer to one of our requests, or a challenge the CA
// tried to validate (the "error" of a challenge, authorization or order). "unauthorized"
// means a refused request in the first case and a wrong HTTP-01 response in the second.
enum class ProblemSource { Request, Validation };

// The error kind: rateLimited -> RateLimited; validation problems -> Validation; else Acme.
ErrorKind kindForProblem(const Problem& problem, ProblemSource source);
// One line: "<what> failed: <detail> (<type>)" + subproblems naming their identifiers + a hint.
// `challengeType` ("http-01", "dns-01", "tls-alpn-01", ...) fits validation hints to the
// challenge that failed.
std::string describeProblem(const Problem& problem, const std::string& what, ProblemSource source,
                            const std::string& challengeType = "http-01");
// What to do about common problem types; "" when we have nothing useful to say.
std::string hintForProblem(const std::string& shortType, ProblemSource source,
                           const std::string& challengeType = "http-01");

// RFC 9773 §5: the CA refused the order's `replaces` (alreadyReplaced, or a malformed /
// unauthorized / conflict problem whose detail names "replaces"): retry once without it.
bool isReplacesRejected(const Error& error);
// RFC 8555 §7.6: the certificate was revoked before (alreadyRevoked).
bool isAlreadyRevoked(const Error& error);

// Error for a non-2xx response: the problem when there is one, else the status and a snippet.
Error errorFromResponse(const HttpResponse& response, const std::string& url,
                        const std::string& what);

} // namespace certkeep::acme
