#pragma once
// TLS-ALPN-01 (RFC 8737) responder: a TLS listener that completes handshakes only for the
// "acme-tls/1" ALPN protocol, presenting for the requested SNI a self-signed certificate with
// the name (or IP, RFC 8738 §6: SNI is the reverse-DNS name) as its only SAN and the critical
// id-pe-acmeIdentifier extension holding SHA-256 of the key authorization. Built with OpenSSL.

#include "challenges/listen_address.hpp"
#include "challenges/solver.hpp"

#include <memory>
#include <string>

namespace certkeep::challenges {

class TlsAlpn01Responder : public Solver {
  public:
    // Binds and listens (dual-stack like HTTP-01; Local error "cannot listen on [::]:443 for
    // TLS-ALPN-01: ..."), and serves on its own thread until stop().
    static Result<std::unique_ptr<TlsAlpn01Responder>> start(const ListenAddress& addr);
    ~TlsAlpn01Responder() override;
    TlsAlpn01Responder(const TlsAlpn01Responder&) = delete;
    TlsAlpn01Responder& operator=(const TlsAlpn01Responder&) = delete;

    [[nodiscard]] std::string type() const override { return "tls-alpn-01"; }
    // Makes the validation certificate for task.identifier (a DNS name or an IP literal) now,
    // so the handshake does no key generation; Protocol error for a bad token, Crypto error
    // when OpenSSL fails. Two tasks for one identifier: the later one is served (a CA asks
    // for one identifier's challenge at a time).
    Status present(const ChallengeTask& task) override;
    // Ready while the listener runs; Timeout error once stopped.
    Status waitReady(std::chrono::steady_clock::time_point deadline) override;
    // Stops answering for the task's identifier.
    Status cleanup(const ChallengeTask& task) override;
    // Stops answering for every identifier; thread-safe, idempotent.
    void withdrawAll() override;

    // Stops the thread and closes the socket; safe to call more than once.
    void stop();
    [[nodiscard]] int port() const;
    [[nodiscard]] std::string address() const;

    struct Impl;
    explicit TlsAlpn01Responder(std::unique_ptr<Impl> impl);

  private:
    std::unique_ptr<Impl> impl_;
};

} // namespace certkeep::challenges
