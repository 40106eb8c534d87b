#pragma once
// HTTP-01 (RFC 8555 §8.3) standalone responder: a tiny built-in HTTP server.

#include "challenges/listen_address.hpp"
#include "challenges/solver.hpp"

#include <memory>
#include <string>

namespace certkeep::challenges {

// Serves only GET/HEAD /.well-known/acme-challenge/<token> for live tokens, 404 otherwise.
// The socket is bound in start() (Local error naming the address when it is in use or
// not permitted) and closed by stop() or the destructor. Sees the CA's fetches, so it is
// also a FetchNotifier.
class Http01Standalone : public Solver, public FetchNotifier {
  public:
    static Result<std::unique_ptr<Http01Standalone>> start(const ListenAddress& addr);
    ~Http01Standalone() override;
    Http01Standalone(const Http01Standalone&) = delete;
    Http01Standalone& operator=(const Http01Standalone&) = delete;

    [[nodiscard]] std::string type() const override { return "http-01"; }
    // Serves the task's key authorization until its cleanup(); Protocol error for a bad token.
    Status present(const ChallengeTask& task) override;
    // Ready while the responder runs and its socket listens; Timeout error once stopped.
    Status waitReady(std::chrono::steady_clock::time_point deadline) override;
    // Stops serving the token unless another presented task still uses it.
    Status cleanup(const ChallengeTask& task) override;
    // Stops serving every token (the listener stays up until stop()); thread-safe, idempotent.
    void withdrawAll() override;
    FetchNotifier* fetchNotifier() override { return this; }
    // True once the CA fetched `token` and went quiet; false on timeout, cleanup or stop.
    bool awaitFetch(const std::string& token, std::chrono::milliseconds timeout) override;

    // Stops the server thread and closes the socket; safe to call more than once.
    void stop();
    [[nodiscard]] int port() const; // bound port (useful when started on port 0)
    // What is bound, for people: "[::]:80 (IPv6 and IPv4)", "127.0.0.1:5002".
    [[nodiscard]] std::string address() const;

    struct Impl;
    explicit Http01Standalone(std::unique_ptr<Impl> impl);

  private:
    std::unique_ptr<Impl> impl_;
};

} // namespace certkeep::challenges
