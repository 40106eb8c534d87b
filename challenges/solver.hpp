#pragma once
// A Solver answers one kind of challenge (RFC 8555 §8). present() must make the
// response reachable before the client tells the CA to validate; cleanup() removes it
// and is called whatever the outcome.

#include "common/result.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace certkeep::challenges {

class Solver {
  public:
    virtual ~Solver() = default;
    // Challenge type this solver answers, e.g. "http-01".
    [[nodiscard]] virtual std::string type() const = 0;
    // Publishes keyAuth for token on behalf of domain. Refuses tokens that are not base64url.
    virtual Status present(const std::string& domain, const std::string& token,
                           const std::string& keyAuth) = 0;
    // Withdraws what present() published; succeeds when there is nothing to remove.
    virtual Status cleanup(const std::string& domain, const std::string& token) = 0;
    // Blocks until the CA has fetched the response for token and its other validation
    // perspectives have gone quiet, or until timeout. False when this solver cannot see
    // fetches (webroot, DNS) or none came in time: the caller then simply polls.
    // Withdraws everything still published; used when the run is interrupted (SIGINT/TERM).
    virtual void withdrawAll() {}
    virtual bool awaitFetch(const std::string& /*token*/, std::chrono::milliseconds /*timeout*/) {
        return false;
    }
};
using SolverPtr = std::unique_ptr<Solver>;

// RFC 8555 §8.1: a token is base64url with at least 128 bits of entropy (>= 22 chars);
// we also cap it at 256 chars. Anything else is refused before it touches a filesystem.
bool isValidToken(const std::string& token);

} // namespace certkeep::challenges
