#include "lifecycle/tls_probe.hpp"

#include "acme/crypto/csr.hpp"
#include "acme/crypto/ossl.hpp"
#include "common/duration.hpp"
#include "common/ip.hpp"
#include "lifecycle/version_meta.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace certkeep::lifecycle {

namespace {

using acme::ossl::Deleter;
using std::chrono::milliseconds;
using Deadline = std::chrono::steady_clock::time_point;
using SslCtxPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Deleter<SSL_free>>;
using AddrInfoPtr = std::unique_ptr<addrinfo, Deleter<freeaddrinfo>>;

constexpr milliseconds kTryTimeout{5000};      // one verification try
constexpr milliseconds kFirstInterval{500};    // between verification tries, doubling...
constexpr milliseconds kLongestInterval{5000}; // ...up to this

// A socket closed when it goes out of scope.
class Socket {
  public:
    explicit Socket(int fd) : fd_(fd) {}
    Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Socket& operator=(Socket&&) = delete;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() {
        if (fd_ >= 0) {
            (void)::close(fd_);
        }
    }
    [[nodiscard]] int get() const { return fd_; }

  private:
    int fd_;
};

// "host:port", bracketing an IPv6 address.
std::string addressText(const std::string& host, int port) {
    bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string timeoutText(milliseconds timeout) {
    if (timeout.count() % 1000 == 0) {
        return formatDuration(std::chrono::duration_cast<std::chrono::seconds>(timeout));
    }
    return std::to_string(timeout.count()) + "ms";
}

// Waits until `fd` is ready for `events` (POLLIN/POLLOUT); false when the deadline passed.
bool waitFor(int fd, short events, Deadline deadline) {
    for (;;) {
        // Rounded up: a truncated remainder would give up to a millisecond early.
        auto left = std::chrono::ceil<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= milliseconds(0)) {
            return false;
        }
        pollfd p{fd, events, 0};
        int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), INT32_MAX)));
        if (n > 0) {
            return true; // ready, or an error the next call reports
        }
        if (n < 0 && errno != EINTR) {
            return true;
        }
    }
}

// The numeric address of `ai`, for messages when the host was a name.
std::string numericHost(const addrinfo* ai) {
    char buf[NI_MAXHOST] = {};
    if (::getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) !=
        0) {
        return {};
    }
    return buf;
}

// A non-blocking TCP connection to one resolved address.
Result<Socket> connectOne(const addrinfo* ai, Deadline deadline, const std::string& where,
                          milliseconds timeout) {
    Socket s(::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (s.get() < 0) {
        return fail(ErrorKind::Network, "connect to " + where + ": " + std::strerror(errno));
    }
    if (::connect(s.get(), ai->ai_addr, ai->ai_addrlen) == 0) {
        return s;
    }
    if (errno != EINPROGRESS) {
        return fail(ErrorKind::Network, "connect to " + where + ": " + std::strerror(errno));
    }
    if (!waitFor(s.get(), POLLOUT, deadline)) {
        return fail(ErrorKind::Network,
                    "connect to " + where + ": timed out after " + timeoutText(timeout));
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        return fail(ErrorKind::Network,
                    "connect to " + where + ": " + std::strerror(err != 0 ? err : errno));
    }
    return s;
}

// Resolves host and connects to the first address that answers before the deadline.
Result<Socket> connectTo(const std::string& host, int port, Deadline deadline,
                         milliseconds timeout) {
    std::string where = addressText(host, port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* raw = nullptr;
    int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw);
    AddrInfoPtr list(raw);
    if (rc != 0) {
        return fail(ErrorKind::Network, "resolve " + where + ": " + ::gai_strerror(rc));
    }
    std::optional<Error> last;
    for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
        std::string numeric = numericHost(ai);
        std::string label = numeric.empty() || numeric == host
                                ? where
                                : where + " (" + addressText(numeric, port) + ")";
        auto s = connectOne(ai, deadline, label, timeout);
        if (s) {
            return s;
        }
        last = std::move(s).error();
        if (std::chrono::steady_clock::now() >= deadline) {
            break;
        }
    }
    return fail(last ? std::move(*last)
                     : makeError(ErrorKind::Network, "resolve " + where + ": no address"));
}

// Why a handshake step failed: OpenSSL's reasons, or the socket's.
std::string handshakeFailure(int sslError) {
    std::string errs = acme::opensslErrors();
    if (!errs.empty()) {
        return errs;
    }
    if (sslError == SSL_ERROR_SYSCALL && errno != 0) {
        return std::strerror(errno);
    }
    return sslError == SSL_ERROR_ZERO_RETURN || sslError == SSL_ERROR_SYSCALL
               ? "the server closed the connection"
               : "handshake failed (SSL error " + std::to_string(sslError) + ")";
}

// Runs the client handshake on the non-blocking socket until done or the deadline.
Status handshake(SSL* ssl, int fd, Deadline deadline, const std::string& where,
                 milliseconds timeout) {
    for (;;) {
        errno = 0;
        int r = SSL_connect(ssl);
        if (r == 1) {
            return {};
        }
        int e = SSL_get_error(ssl, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            return fail(ErrorKind::Network,
                        "TLS handshake with " + where + ": " + handshakeFailure(e));
        }
        if (!waitFor(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
            return fail(ErrorKind::Network, "TLS handshake with " + where + ": timed out after " +
                                                timeoutText(timeout));
        }
    }
}

// The presented chain as PEM, leaf first (on the client side the stack includes the leaf).
Result<ProbeResult> presentedChain(SSL* ssl, const std::string& where) {
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    ProbeResult out;
    for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
        acme::ossl::BioPtr bio(BIO_new(BIO_s_mem()));
        if (!bio || PEM_write_bio_X509(bio.get(), sk_X509_value(chain, i)) != 1) {
            return acme::ossl::cryptoFail("reading the chain of " + where);
        }
        out.chainPem.push_back(acme::ossl::bioContents(bio.get()));
    }
    if (out.chainPem.empty()) {
        return fail(ErrorKind::Protocol,
                    "TLS handshake with " + where + ": the server presented no certificate");
    }
    return out;
}

} // namespace

Result<ProbeResult> OpenSslTlsProbe::fetchChain(const std::string& host, int port,
                                                const std::string& sni, milliseconds timeout) {
    Deadline deadline = std::chrono::steady_clock::now() + timeout;
    std::string where = addressText(host, port);
    auto sock = connectTo(host, port, deadline, timeout);
    if (!sock) {
        return sock.takeError();
    }
    ERR_clear_error();
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
        return acme::ossl::cryptoFail("creating a TLS context");
    }
    // No trust decision here: the caller compares or inspects what is presented.
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    SslPtr ssl(SSL_new(ctx.get()));
    if (!ssl || SSL_set_fd(ssl.get(), sock->get()) != 1) {
        return acme::ossl::cryptoFail("creating a TLS connection to " + where);
    }
    // RFC 6066 §3: SNI carries host names only, never IP literals.
    if (!sni.empty() && !isIpLiteral(sni) &&
        SSL_set_tlsext_host_name(ssl.get(), sni.c_str()) != 1) {
        return acme::ossl::cryptoFail("setting SNI " + sni);
    }
    if (auto st = handshake(ssl.get(), sock->get(), deadline, where, timeout); !st) {
        return st.takeError();
    }
    auto chain = presentedChain(ssl.get(), where);
    (void)SSL_shutdown(ssl.get()); // best effort close_notify; the socket is non-blocking
    ERR_clear_error();
    return chain;
}

Result<std::pair<std::string, int>> parseHostPort(const std::string& text) {
    auto bad = [&](const std::string& why) {
        return fail(ErrorKind::Usage, "invalid address \"" + text + "\": " + why +
                                          "; write HOST:PORT, e.g. example.com:443 or [::1]:8443");
    };
    std::string host;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return bad("expected [IPv6]:PORT");
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        if (host.find(':') == std::string::npos || !isIpLiteral(host)) {
            return bad("\"" + host + "\" is not an IPv6 address");
        }
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string::npos) {
            return bad("the port is missing");
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string::npos) {
            return bad("an IPv6 address must be in brackets");
        }
        bool nameChars = std::all_of(host.begin(), host.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' ||
                   c == '_';
        });
        if (host.empty() || !nameChars) {
            return bad("\"" + host + "\" is not a host name or address");
        }
    }
    bool digits = !port.empty() && port.size() <= 5 &&
                  std::all_of(port.begin(), port.end(),
                              [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    int n = digits ? std::stoi(port) : 0;
    if (n < 1 || n > 65535) {
        return bad("the port must be a number from 1 to 65535");
    }
    return std::pair{host, n};
}

namespace {

// The DER of the first certificate in `pem`; "" when it does not parse.
std::string leafDer(const std::string& pem) {
    auto bio = acme::ossl::readBio(pem);
    acme::ossl::X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)
                                 : nullptr);
    ERR_clear_error();
    int len = cert ? i2d_X509(cert.get(), nullptr) : -1;
    if (len <= 0) {
        return {};
    }
    std::string der(static_cast<size_t>(len), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    return i2d_X509(cert.get(), &out) == len ? der : std::string();
}

// "serial AB12 (not after 2026-...)" of a PEM certificate.
std::string describeCert(const std::string& pem) {
    auto info = acme::inspectCertPem(pem);
    if (!info) {
        return "a certificate that does not parse";
    }
    return "serial " + info->serialHex + " (not after " + isoTime(info->notAfter) + ")";
}

Error mismatch(const std::string& hostPort, const std::string& servedPem,
               const std::string& expectedPem) {
    auto expected = acme::inspectCertPem(expectedPem);
    std::string serial = expected ? " serial " + expected->serialHex : "";
    return makeError(ErrorKind::Local, "verify " + hostPort + ": the server still presents " +
                                           describeCert(servedPem) + ", not the new certificate" +
                                           serial + "; did the deploy hook reload it?");
}

} // namespace

Status verifyDeployed(TlsProbe& probe, Clock& clock, const std::string& hostPort,
                      const std::string& sni, const std::string& expectedLeafPem,
                      std::chrono::seconds patience) {
    auto hp = parseHostPort(hostPort);
    if (!hp) {
        return hp.takeError();
    }
    std::string expected = leafDer(expectedLeafPem);
    if (expected.empty()) {
        return fail(ErrorKind::Internal,
                    "verify " + hostPort + ": the new certificate does not parse as PEM");
    }
    auto deadline = clock.now() + patience;
    milliseconds interval = kFirstInterval;
    for (;;) {
        auto got = probe.fetchChain(hp->first, hp->second, sni, kTryTimeout);
        Error last;
        if (!got) {
            last = std::move(got).error().context("verify " + hostPort);
        } else if (got->chainPem.empty()) {
            last = makeError(ErrorKind::Protocol,
                             "verify " + hostPort + ": the server presented no certificate");
        } else if (leafDer(got->chainPem.front()) == expected) {
            return {};
        } else {
            last = mismatch(hostPort, got->chainPem.front(), expectedLeafPem);
        }
        auto left = std::chrono::duration_cast<milliseconds>(deadline - clock.now());
        if (left <= milliseconds(0)) {
            return fail(std::move(last));
        }
        clock.sleepFor(std::min(interval, left));
        interval = std::min(interval * 2, kLongestInterval);
    }
}

} // namespace certkeep::lifecycle
