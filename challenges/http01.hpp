#pragma once
// HTTP-01 (RFC 8555 §8.3): a built-in standalone responder and a webroot writer.

#include "challenges/solver.hpp"

#include <filesystem>
#include <string>

namespace certkeep::challenges {

// Parsed --http-listen value: ":80", "0.0.0.0:80", "127.0.0.1:5002", "[::1]:80".
struct ListenAddress {
    std::string host; // "" means all addresses (0.0.0.0)
    int port = 80;
};
Result<ListenAddress> parseListenAddress(const std::string& text);

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
    void stop();
    [[nodiscard]] int port() const; // bound port (useful when started on port 0)

    struct Impl;
    explicit Http01Standalone(std::unique_ptr<Impl> impl);

  private:
    std::unique_ptr<Impl> impl_;
};

// Writes DIR/.well-known/acme-challenge/<token> (0644, created directories 0755) and
// removes the file on cleanup.
class Http01Webroot : public Solver {
  public:
    // Config error when dir does not exist or is not a directory.
    static Result<std::unique_ptr<Http01Webroot>> create(const std::filesystem::path& dir);
    [[nodiscard]] std::string type() const override { return "http-01"; }
    Status present(const std::string& domain, const std::string& token,
                   const std::string& keyAuth) override;
    Status cleanup(const std::string& domain, const std::string& token) override;

  private:
    explicit Http01Webroot(std::filesystem::path dir) : dir_(std::move(dir)) {}
    std::filesystem::path dir_;
};

} // namespace certkeep::challenges
