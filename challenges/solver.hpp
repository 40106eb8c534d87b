#pragma once
// A Solver answers one kind of challenge (RFC 8555 §8) in phases, so that the issuance flow
// can present every challenge, wait until all are ready, answer all, then clean up all:
//   present(task)... -> waitReady(deadline) -> (the CA validates) -> cleanup(task)...
// present() adds a response and never replaces another one: two tasks may share one name
// (example.com and *.example.com have two TXT values at one DNS name) and are removed one by
// one. cleanup() runs whatever the outcome, also on failure; withdrawAll() on a signal.

#include "common/result.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace certkeep::challenges {

// One challenge to answer.
struct ChallengeTask {
    std::string identifier; // "example.com" (without "*.") or "192.0.2.1"
    bool wildcard = false;  // the authorization is for *.identifier
    std::string token;      // the challenge token, checked base64url before any use
    std::string keyAuthorization;
};

// Optional capability of a solver that sees the CA's validation requests (the standalone
// HTTP-01 responder): lets the client poll once, when the result is ready.
class FetchNotifier {
  public:
    virtual ~FetchNotifier() = default;
    // Blocks until the CA fetched the response for `token` and its other validation
    // perspectives went quiet, or until `timeout`; false when no fetch came in time.
    virtual bool awaitFetch(const std::string& token, std::chrono::milliseconds timeout) = 0;
};

class Solver {
  public:
    virtual ~Solver() = default;
    // Challenge type this solver answers, e.g. "http-01".
    [[nodiscard]] virtual std::string type() const = 0;
    // Publishes the key authorization for the task. Refuses tokens that are not base64url.
    virtual Status present(const ChallengeTask& task) = 0;
    // Returns once every presented response can be validated (HTTP-01: the listener is up or
    // the file is in place; DNS-01: records visible on every authoritative server); Timeout
    // error naming what is not ready when `deadline` passes.
    virtual Status waitReady(std::chrono::steady_clock::time_point deadline) = 0;
    // Withdraws exactly what present() published for the task; succeeds when nothing is left.
    virtual Status cleanup(const ChallengeTask& task) = 0;
    // Withdraws everything still published; called once from the signal path (SIGINT/TERM).
    virtual void withdrawAll() = 0;
    // The fetch notifier when this solver has one, else nullptr.
    virtual FetchNotifier* fetchNotifier() { return nullptr; }
};
using SolverPtr = std::unique_ptr<Solver>;

// RFC 8555 §8.1: a token is base64url with at least 128 bits of entropy (>= 22 chars);
// we also cap it at 256 chars. Anything else is refused before it touches a filesystem.
bool isValidToken(const std::string& token);

} // namespace certkeep::challenges
