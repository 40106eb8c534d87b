#pragma once
// HTTP-01 (RFC 8555 §8.3) standalone responder: a tiny built-in HTTP server.

#include "challenges/listen_address.hpp"
#include "challenges/solver.hpp"

#include <memory>
#include <string>

namespace certkeep::challenges {

// Serves only GET/HEAD /.well-known/acme-challenge/<token> for live tokens, 404 otherwise.
// The socket is bound in start() (Local error naming the address when it is in use or
// not permitted) and closed by stop() or the destructor.
class Http01Standalone : public Solver {
  public:
    static Result<std::unique_ptr<Http01Standalone>> start(const ListenAddress& addr);
    ~Http01Standalone() override;
    [[nodiscard]] std::string type() const override { return "http-01"; }
    Status present(const std::string& domain, const std::string& token,
                   const std::string& keyAuth) override;
    Status cleanup(const std::string& domain, const std::string& token) override;
    bool awaitFetch(const std::string& token, std::chrono::milliseconds timeout) override;
    void stop();
    [[nodiscard]] int port() const; // bound port (useful when started on port 0)

    struct Impl;
    explicit Http01Standalone(std::unique_ptr<Impl> impl);

  private:
    std::unique_ptr<Impl> impl_;
};

} // namespace certkeep::challenges
