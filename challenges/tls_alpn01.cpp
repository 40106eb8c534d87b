// TLS-ALPN-01 (RFC 8737) responder: one thread polls the listening socket, a wakeup eventfd
// and every open connection; each connection is a small non-blocking state machine
// (handshake -> close_notify -> closed) with a deadline, so a slow client holds nothing up and
// the CA's concurrent validation perspectives are served at once.

#include "challenges/tls_alpn01.hpp"

#include "challenges/listen_socket.hpp"
#include "challenges/tls_alpn01_cert.hpp"
#include "challenges/unique_fd.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <openssl/err.h>
#include <optional>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <vector>

namespace certkeep::challenges {

namespace {

using Clock = std::chrono::steady_clock;
using namespace tlsalpn;

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);    // per connection
constexpr auto kCloseTimeout = std::chrono::seconds(2);         // waiting for the peer's close
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100); // out of descriptors
constexpr size_t kMaxConnections = 64;

// One accepted connection. Members in this order so the SSL is freed before its socket closes.
struct Connection {
    UniqueFd fd;
    SslPtr ssl;
    Clock::time_point deadline;
    bool handshakeDone = false;
    bool finished = false;
    short events = POLLIN;
};

// The certificate served for one presented task.
struct Served {
    std::string token;
    ValidationCert cert;
};

} // namespace

struct TlsAlpn01Responder::Impl {
    UniqueFd listenFd;
    UniqueFd wakeFd; // eventfd: written by stop() to end the server thread's poll
    std::string shown;
    int port = 0;
    SslCtxPtr ctx;
    std::thread thread;
    std::atomic<bool> failed = false; // the server thread ended on its own (poll failed)
    std::mutex mutex;                 // guards everything below
    std::map<std::string, std::vector<Served>> served; // by SNI; the last one presented wins
    bool stopped = false;

    // Puts the certificate for `sni` on `ssl`; false when no task answers for that name.
    bool useCertificate(SSL* ssl, const std::string& sni) {
        std::lock_guard lock(mutex);
        auto it = served.find(sni);
        if (it == served.end() || it->second.empty()) {
            return false;
        }
        const ValidationCert& c = it->second.back().cert;
        return SSL_use_cert_and_key(ssl, c.cert.get(), c.key.get(), nullptr, 1) == 1;
    }
};

namespace {

// RFC 8737 §3: a client that offers no ALPN at all is refused (the ALPN callback below only
// runs when the extension is present).
int onClientHello(SSL* ssl, int* alert, void* /*arg*/) {
    const unsigned char* data = nullptr;
    size_t len = 0;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &data,
                                  &len) != 1 ||
        len == 0) {
        *alert = SSL_AD_NO_APPLICATION_PROTOCOL;
        return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

// The certificate is chosen by SNI (RFC 8737 §3, RFC 8738 §6); unknown or missing: refused.
int onServerName(SSL* ssl, int* alert, void* arg) {
    auto* impl = static_cast<TlsAlpn01Responder::Impl*>(arg);
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name == nullptr || !impl->useCertificate(ssl, normalizeServerName(name))) {
        *alert = SSL_AD_UNRECOGNIZED_NAME;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
}

// RFC 8737 §3: "acme-tls/1" is the only protocol; anything else fails with
// no_application_protocol (RFC 7301 §3.2).
int onAlpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outLen, const unsigned char* in,
           unsigned int inLen, void* /*arg*/) {
    for (unsigned int i = 0; i < inLen;) {
        unsigned int n = in[i];
        if (i + 1 + n > inLen) {
            break;
        }
        if (std::string_view(reinterpret_cast<const char*>(in + i + 1), n) == kAcmeTlsProtocol) {
            *out = in + i + 1;
            *outLen = static_cast<unsigned char>(n);
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + n;
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

// TLS 1.2+ (RFC 8737 §3), no session tickets or cache: every handshake is a full one.
Result<SslCtxPtr> makeContext(TlsAlpn01Responder::Impl* impl) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_num_tickets(ctx.get(), 0) != 1) {
        std::string errs = drainOpensslErrors();
        return fail(ErrorKind::Crypto, "cannot set up TLS for the TLS-ALPN-01 responder: " + errs);
    }
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_client_hello_cb(ctx.get(), &onClientHello, nullptr);
    SSL_CTX_set_tlsext_servername_callback(ctx.get(), &onServerName);
    SSL_CTX_set_tlsext_servername_arg(ctx.get(), impl);
    SSL_CTX_set_alpn_select_cb(ctx.get(), &onAlpn, nullptr);
    return ctx;
}

// Where poll() should look next for this connection, from an SSL call's result.
void waitFor(Connection& conn, int result) {
    switch (SSL_get_error(conn.ssl.get(), result)) {
    case SSL_ERROR_WANT_READ:
        conn.events = POLLIN;
        break;
    case SSL_ERROR_WANT_WRITE:
        conn.events = POLLOUT;
        break;
    default: // refused by a callback, alert from the client, reset, EOF: done with it
        conn.finished = true;
        break;
    }
}

// One step of the connection: continue the handshake, then (RFC 8737 §3: nothing else is
// served) send close_notify and wait briefly for the client's close.
void advance(Connection& conn) {
    if (!conn.handshakeDone) {
        int r = SSL_accept(conn.ssl.get());
        if (r != 1) {
            waitFor(conn, r);
            ERR_clear_error();
            return;
        }
        conn.handshakeDone = true;
        conn.deadline = std::min(conn.deadline, Clock::now() + kCloseTimeout);
    }
    int r = SSL_shutdown(conn.ssl.get());
    if (r == 1) {
        conn.finished = true;
    } else if (r == 0) {
        conn.events = POLLIN; // ours is sent; the client's close_notify or EOF ends it
    } else {
        waitFor(conn, r);
    }
    ERR_clear_error();
}

// Accepts what is pending, up to the connection cap; false when out of descriptors.
bool acceptPending(TlsAlpn01Responder::Impl& impl, std::vector<Connection>& conns) {
    while (conns.size() < kMaxConnections) {
        int fd = ::accept4(impl.listenFd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            return errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM;
        }
        Connection conn;
        conn.fd.reset(fd);
        conn.ssl.reset(SSL_new(impl.ctx.get()));
        conn.deadline = Clock::now() + kHandshakeTimeout;
        if (!conn.ssl || SSL_set_fd(conn.ssl.get(), fd) != 1) {
            ERR_clear_error();
            continue; // closes the socket
        }
        SSL_set_accept_state(conn.ssl.get());
        advance(conn);
        if (!conn.finished) {
            conns.push_back(std::move(conn));
        }
    }
    return true;
}

// Milliseconds until the earliest deadline (-1: none), for poll().
int pollTimeout(const std::vector<Connection>& conns, Clock::time_point acceptPausedUntil) {
    auto now = Clock::now();
    std::optional<Clock::time_point> next;
    if (acceptPausedUntil > now) {
        next = acceptPausedUntil;
    }
    for (const auto& c : conns) {
        next = next ? std::min(*next, c.deadline) : c.deadline;
    }
    if (!next) {
        return -1;
    }
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - now).count();
    return static_cast<int>(std::clamp<long long>(ms, 0, 60'000));
}

// The server thread: until the eventfd is written, accept, advance and expire connections.
void serve(TlsAlpn01Responder::Impl& impl) {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE); // a client gone mid-write is EPIPE here, never a signal
    (void)pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    std::vector<Connection> conns;
    Clock::time_point acceptPausedUntil;
    for (;;) {
        bool accepting = conns.size() < kMaxConnections && Clock::now() >= acceptPausedUntil;
        std::vector<pollfd> fds{
            {impl.wakeFd.get(), POLLIN, 0},
            {impl.listenFd.get(), static_cast<short>(accepting ? POLLIN : 0), 0}};
        for (const auto& c : conns) {
            fds.push_back({c.fd.get(), c.events, 0});
        }
        int n = ::poll(fds.data(), fds.size(), pollTimeout(conns, acceptPausedUntil));
        if (n < 0 && errno != EINTR) {
            impl.failed = true;
            return;
        }
        if (n > 0 && fds[0].revents != 0) {
            return; // stop()
        }
        auto now = Clock::now();
        for (size_t i = 0; i < conns.size(); ++i) {
            if (n > 0 && fds[i + 2].revents != 0) {
                advance(conns[i]);
            }
            conns[i].finished = conns[i].finished || now >= conns[i].deadline;
        }
        std::erase_if(conns, [](const Connection& c) { return c.finished; });
        if (n > 0 && fds[1].revents != 0 && !acceptPending(impl, conns)) {
            acceptPausedUntil = now + kAcceptBackoff;
        }
    }
}

Unexpected invalidToken(const ChallengeTask& task) {
    return fail(ErrorKind::Protocol,
                "server sent an invalid challenge token for " + task.identifier);
}

} // namespace

Result<std::unique_ptr<TlsAlpn01Responder>> TlsAlpn01Responder::start(const ListenAddress& addr) {
    auto sock = openListenSocket(addr, &::socket, {"TLS-ALPN-01", "use --http-listen or --dns"});
    if (!sock) {
        return sock.takeError();
    }
    auto impl = std::make_unique<Impl>();
    impl->listenFd.reset(sock->fd);
    impl->shown = sock->shown;
    impl->port = sock->port;
    impl->wakeFd.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    int flags = ::fcntl(sock->fd, F_GETFL);
    if (!impl->wakeFd.valid() || flags < 0 || ::fcntl(sock->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        return fail(ErrorKind::Local, "cannot start the TLS-ALPN-01 responder on " + sock->shown +
                                          ": " + std::strerror(errno));
    }
    auto ctx = makeContext(impl.get());
    if (!ctx) {
        return ctx.takeError();
    }
    impl->ctx = std::move(*ctx);
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] { serve(*raw); });
    return std::make_unique<TlsAlpn01Responder>(std::move(impl));
}

TlsAlpn01Responder::TlsAlpn01Responder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TlsAlpn01Responder::~TlsAlpn01Responder() {
    stop();
}

Status TlsAlpn01Responder::present(const ChallengeTask& task) {
    if (!isValidToken(task.token)) {
        return invalidToken(task);
    }
    if (task.wildcard) {
        return fail(ErrorKind::Usage, "TLS-ALPN-01 cannot validate the wildcard *." +
                                          task.identifier + "; use --dns for it");
    }
    if (task.identifier.empty()) {
        return fail(ErrorKind::Usage, "TLS-ALPN-01 needs an identifier; the task has none");
    }
    auto cert = makeValidationCert(task.identifier, task.keyAuthorization,
                                   std::chrono::system_clock::now());
    if (!cert) {
        return cert.takeError();
    }
    std::string sni = validationServerName(task.identifier);
    std::lock_guard lock(impl_->mutex);
    auto& list = impl_->served[sni];
    std::erase_if(list, [&](const Served& s) { return s.token == task.token; });
    list.push_back({task.token, std::move(*cert)});
    return {};
}

// Ready while the server thread runs and the kernel accepts connections on its socket.
Status TlsAlpn01Responder::waitReady(std::chrono::steady_clock::time_point /*deadline*/) {
    std::lock_guard lock(impl_->mutex);
    int accepting = 0;
    socklen_t len = sizeof accepting;
    if (!impl_->stopped && !impl_->failed &&
        ::getsockopt(impl_->listenFd.get(), SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) == 0 &&
        accepting != 0) {
        return {};
    }
    return fail(ErrorKind::Timeout, "the TLS-ALPN-01 responder on " + impl_->shown +
                                        " is not accepting connections" +
                                        (impl_->stopped ? " (it was stopped)" : ""));
}

Status TlsAlpn01Responder::cleanup(const ChallengeTask& task) {
    if (!isValidToken(task.token)) {
        return invalidToken(task);
    }
    std::string sni = validationServerName(task.identifier);
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->served.find(sni);
    if (it != impl_->served.end()) {
        std::erase_if(it->second, [&](const Served& s) { return s.token == task.token; });
        if (it->second.empty()) {
            impl_->served.erase(it);
        }
    }
    return {};
}

void TlsAlpn01Responder::withdrawAll() {
    std::lock_guard lock(impl_->mutex);
    impl_->served.clear();
}

void TlsAlpn01Responder::stop() {
    if (!impl_) {
        return;
    }
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->stopped) {
            return;
        }
        impl_->stopped = true;
    }
    uint64_t one = 1;
    (void)!::write(impl_->wakeFd.get(), &one, sizeof one);
    if (impl_->thread.joinable()) {
        impl_->thread.join();
    }
    std::lock_guard lock(impl_->mutex);
    impl_->listenFd.reset();
    impl_->served.clear();
}

int TlsAlpn01Responder::port() const {
    return impl_->port;
}

std::string TlsAlpn01Responder::address() const {
    return impl_->shown;
}

} // namespace certkeep::challenges
