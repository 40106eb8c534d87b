#pragma once
// What a TLS server presents: the chain read from a handshake, for deploy verification (is the
// new certificate served?) and later `certkeep check --endpoint` (when does it expire?).

#include "common/clock.hpp"
#include "common/result.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace certkeep::lifecycle {

struct ProbeResult {
    std::vector<std::string> chainPem; // as presented, leaf first, one PEM certificate each
};

class TlsProbe {
  public:
    virtual ~TlsProbe() = default;
    // Connects to host:port (a name is resolved; IPv4 or IPv6), handshakes with SNI = sni (none
    // when sni is empty or an IP literal) and returns the presented chain WITHOUT verifying
    // trust: callers compare certificates or judge expiry as presented. Network error naming
    // host:port on resolution, connect or handshake failure, or when `timeout` runs out.
    virtual Result<ProbeResult> fetchChain(const std::string& host, int port,
                                           const std::string& sni,
                                           std::chrono::milliseconds timeout) = 0;
};
using TlsProbePtr = std::unique_ptr<TlsProbe>;

// OpenSSL 3 client over a non-blocking socket. Name resolution (getaddrinfo) is not bounded by
// the timeout. The process is expected to ignore SIGPIPE (cli/main does).
class OpenSslTlsProbe : public TlsProbe {
  public:
    Result<ProbeResult> fetchChain(const std::string& host, int port, const std::string& sni,
                                   std::chrono::milliseconds timeout) override;
};

// "host:443", "192.0.2.1:443", "[::1]:8443" -> {host, port}; Usage error naming the text
// otherwise (a bare IPv6 address must be bracketed, the port is 1-65535).
Result<std::pair<std::string, int>> parseHostPort(const std::string& text);

// Deploy verification: fetches the chain served at hostPort until its leaf equals
// expectedLeafPem (compared as DER) or `patience` runs out, sleeping on `clock` between tries
// (a short, growing interval; at least one try). Local error naming the address and both
// serials when the server still presents another certificate ("did the deploy hook reload
// it?"); the probe's Network error when it never answered; Usage error for a bad hostPort.
Status verifyDeployed(TlsProbe& probe, Clock& clock, const std::string& hostPort,
                      const std::string& sni, const std::string& expectedLeafPem,
                      std::chrono::seconds patience);

} // namespace certkeep::lifecycle
