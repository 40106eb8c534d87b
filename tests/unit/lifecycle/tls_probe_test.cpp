// The TLS probe against a real OpenSSL server started here (127.0.0.1, port 0, self-signed
// certificates made here): the chain comes back as served, SNI is sent (not for IP literals),
// timeouts and refused connections name the address. Deploy verification over a fake probe and
// a fake clock, and once over the real server switching certificates.
#include "acme/crypto/csr.hpp"
#include "fakes/fake_clock.hpp"
#include "fakes/fake_tls_probe.hpp"
#include "lifecycle/tls_probe.hpp"
#include "unit/acme/crypto/test_util.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace certkeep;
using namespace std::chrono_literals;
using lifecycle::ProbeResult;

namespace {

using acme::KeyType;
using acme::test::cachedKey;
using SslCtxPtr = std::unique_ptr<SSL_CTX, acme::ossl::Deleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, acme::ossl::Deleter<SSL_free>>;

// A self-signed certificate for localhost valid around now, with its own serial.
std::string makeCert(long serial, const std::string& issuer = "Probe Test") {
    time_t now = time(nullptr);
    return acme::test::selfSignedPem(cachedKey(KeyType::EcP256), {"localhost"}, issuer, serial,
                                     now - 3600, now + 86400);
}

acme::ossl::X509Ptr parsePem(const std::string& pem) {
    auto bio = acme::ossl::readBio(pem);
    return acme::ossl::X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// A socket bound to 127.0.0.1 on a free port; listening when `backlog` >= 0.
int boundSocket(int backlog, int& port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
    if (backlog >= 0) {
        REQUIRE(::listen(fd, backlog) == 0);
    }
    return fd;
}

// A TLS server in a thread serving `chain` (leaf first); records the SNI of each handshake.
class TestTlsServer {
  public:
    explicit TestTlsServer(std::vector<std::string> chain) : chain_(std::move(chain)) {
        (void)std::signal(SIGPIPE, SIG_IGN); // as cli/main does: a closed peer is not fatal
        ctx_.reset(SSL_CTX_new(TLS_server_method()));
        REQUIRE(SSL_CTX_use_PrivateKey(ctx_.get(), cachedKey(KeyType::EcP256).get()) == 1);
        SSL_CTX_set_tlsext_servername_callback(ctx_.get(), &TestTlsServer::onServername);
        SSL_CTX_set_tlsext_servername_arg(ctx_.get(), this);
        fd_ = boundSocket(16, port_);
        thread_ = std::thread([this] { run(); });
    }
    ~TestTlsServer() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    TestTlsServer(const TestTlsServer&) = delete;
    TestTlsServer& operator=(const TestTlsServer&) = delete;

    [[nodiscard]] int port() const { return port_; }
    // From the next connection on, serve `chain` (a deploy that reloaded).
    void serve(std::vector<std::string> chain) {
        std::lock_guard lock(mutex_);
        chain_ = std::move(chain);
    }
    std::vector<std::string> snis() {
        std::lock_guard lock(mutex_);
        return snis_;
    }

  private:
    // Records the SNI the client sent ("(none)" without one).
    static int onServername(SSL* ssl, int* /*alert*/, void* arg) {
        auto* self = static_cast<TestTlsServer*>(arg);
        const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        std::lock_guard lock(self->mutex_);
        self->snis_.emplace_back(name != nullptr ? name : "(none)");
        return SSL_TLSEXT_ERR_OK;
    }

    void run() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) {
                continue;
            }
            int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn >= 0) {
                handle(conn);
                ::close(conn);
            }
        }
    }

    void handle(int conn) {
        timeval tv{2, 0};
        (void)::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        SslPtr ssl(SSL_new(ctx_.get()));
        {
            std::lock_guard lock(mutex_);
            auto leaf = parsePem(chain_.front());
            SSL_use_certificate(ssl.get(), leaf.get());
            SSL_use_PrivateKey(ssl.get(), cachedKey(KeyType::EcP256).get());
            for (size_t i = 1; i < chain_.size(); ++i) {
                SSL_add1_chain_cert(ssl.get(), parsePem(chain_[i]).get());
            }
        }
        SSL_set_fd(ssl.get(), conn);
        if (SSL_accept(ssl.get()) == 1) {
            char buf[64];
            while (SSL_read(ssl.get(), buf, sizeof buf) > 0) {
            }
        }
        ERR_clear_error();
    }

    std::vector<std::string> chain_;
    std::vector<std::string> snis_;
    std::mutex mutex_;
    SslCtxPtr ctx_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

} // namespace

TEST_CASE("the probe returns the chain as served, leaf first, with SNI", "[tls_probe]") {
    std::string leaf = makeCert(0x1111);
    std::string intermediate = makeCert(0x2222, "Probe Intermediate");
    TestTlsServer server({leaf, intermediate});
    lifecycle::OpenSslTlsProbe probe;

    auto got = probe.fetchChain("127.0.0.1", server.port(), "www.example.test", 5s);
    REQUIRE(got.ok());
    CHECK(got->chainPem == std::vector<std::string>{leaf, intermediate});
    CHECK(server.snis() == std::vector<std::string>{"www.example.test"});

    // With an IP literal as SNI: no SNI is sent (RFC 6066 §3).
    got = probe.fetchChain("127.0.0.1", server.port(), "127.0.0.1", 5s);
    REQUIRE(got.ok());
    CHECK(got->chainPem.front() == leaf);
    CHECK(server.snis().back() == "(none)");

    // By name, where "localhost" resolves (a bare chroot may have no /etc/hosts): every address
    // it resolves to is tried, so ::1 first does not stop it reaching 127.0.0.1.
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo("localhost", nullptr, &hints, &found) != 0) {
        WARN("localhost does not resolve here: the probe by name is not checked");
        return;
    }
    ::freeaddrinfo(found);
    got = probe.fetchChain("localhost", server.port(), "www.example.test", 5s);
    REQUIRE(got.ok());
    CHECK(got->chainPem.front() == leaf);
}

TEST_CASE("a server that accepts but never answers times out naming the address", "[tls_probe]") {
    int port = 0;
    int fd = boundSocket(4, port); // the kernel completes TCP; nobody speaks TLS
    lifecycle::OpenSslTlsProbe probe;
    auto start = std::chrono::steady_clock::now();
    auto got = probe.fetchChain("127.0.0.1", port, "example.test", 300ms);
    auto took = std::chrono::steady_clock::now() - start;
    ::close(fd);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().kind == ErrorKind::Network);
    CHECK_THAT(got.error().message, Catch::Contains("127.0.0.1:" + std::to_string(port)) &&
                                        Catch::Contains("timed out after 300ms"));
    CHECK(took >= 300ms);
    CHECK(took < 3s);
}

TEST_CASE("a refused connection names the address", "[tls_probe]") {
    int port = 0;
    int fd = boundSocket(-1, port); // bound, not listening: the port is ours and refuses
    lifecycle::OpenSslTlsProbe probe;
    auto got = probe.fetchChain("127.0.0.1", port, "example.test", 2s);
    ::close(fd);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().kind == ErrorKind::Network);
    CHECK(got.error().message ==
          "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_CASE("IPv6 addresses are reached and named in brackets", "[tls_probe]") {
    int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_loopback;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        WARN("no IPv6 loopback here: skipped");
        return;
    }
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    int port = ntohs(addr.sin6_port);
    lifecycle::OpenSslTlsProbe probe;
    auto got = probe.fetchChain("::1", port, "example.test", 2s); // bound, not listening
    ::close(fd);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().message ==
          "connect to [::1]:" + std::to_string(port) + ": Connection refused");
}

TEST_CASE("a server that is not TLS fails the handshake naming the address", "[tls_probe]") {
    int port = 0;
    int fd = boundSocket(4, port);
    std::thread plain([fd] {
        int conn = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
        const char reply[] = "HTTP/1.0 400 Bad Request\r\n\r\n";
        (void)::send(conn, reply, sizeof reply - 1, MSG_NOSIGNAL);
        ::close(conn);
    });
    lifecycle::OpenSslTlsProbe probe;
    auto got = probe.fetchChain("127.0.0.1", port, "example.test", 2s);
    plain.join();
    ::close(fd);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().kind == ErrorKind::Network);
    CHECK_THAT(got.error().message,
               Catch::StartsWith("TLS handshake with 127.0.0.1:" + std::to_string(port) + ": "));
}

TEST_CASE("HOST:PORT is parsed, IPv6 in brackets", "[tls_probe]") {
    using P = std::pair<std::string, int>;
    CHECK(*lifecycle::parseHostPort("example.com:443") == P{"example.com", 443});
    CHECK(*lifecycle::parseHostPort("192.0.2.1:8443") == P{"192.0.2.1", 8443});
    CHECK(*lifecycle::parseHostPort("[::1]:8443") == P{"::1", 8443});
    CHECK(*lifecycle::parseHostPort("[2001:db8::1]:1") == P{"2001:db8::1", 1});
    for (const char* bad :
         {"example.com", "example.com:", "::1:443", "[::1]", "[::1]443", "[example.com]:443",
          "host:0", "host:65536", "host:44x", ":443", "a b:443", ""}) {
        INFO(bad);
        auto r = lifecycle::parseHostPort(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Usage);
        CHECK_THAT(r.error().message,
                   Catch::Contains(std::string("\"") + bad + "\"") && Catch::Contains("HOST:PORT"));
    }
}

TEST_CASE("deploy verification retries until the new leaf is served", "[tls_probe][verify]") {
    std::string oldLeaf = makeCert(0xA1);
    std::string newLeaf = makeCert(0xB2);
    fakes::FakeTlsProbe probe;
    probe.answers = {ProbeResult{{oldLeaf}}, ProbeResult{{oldLeaf}}, ProbeResult{{newLeaf}}};
    fakes::FakeClock clock;
    auto st =
        lifecycle::verifyDeployed(probe, clock, "[::1]:8443", "www.example.test", newLeaf, 30s);
    REQUIRE(st.ok());
    REQUIRE(probe.calls.size() == 3);
    CHECK(probe.calls[0].host == "::1");
    CHECK(probe.calls[0].port == 8443);
    CHECK(probe.calls[0].sni == "www.example.test");
    CHECK(clock.sleeps == std::vector<std::chrono::milliseconds>{500ms, 1000ms});
}

TEST_CASE("deploy verification fails naming both serials when the old leaf stays",
          "[tls_probe][verify]") {
    std::string oldLeaf = makeCert(0xA1B2);
    std::string newLeaf = makeCert(0xC3D4);
    fakes::FakeTlsProbe probe;
    probe.answers = {ProbeResult{{oldLeaf}}};
    fakes::FakeClock clock;
    auto st = lifecycle::verifyDeployed(probe, clock, "127.0.0.1:8443", "", newLeaf, 20s);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Local);
    auto oldInfo = acme::inspectCertPem(oldLeaf);
    auto newInfo = acme::inspectCertPem(newLeaf);
    CHECK_THAT(st.error().message,
               Catch::StartsWith("verify 127.0.0.1:8443: the server still presents serial " +
                                 oldInfo->serialHex + " (not after ") &&
                   Catch::Contains("not the new certificate serial " + newInfo->serialHex +
                                   "; did the deploy hook reload it?"));
    // Patience is spent in growing steps, and not exceeded.
    std::chrono::milliseconds slept{0};
    for (auto s : clock.sleeps) {
        slept += s;
    }
    CHECK(slept == 20s);
    CHECK(clock.sleeps.front() == 500ms);
    CHECK(probe.calls.size() == clock.sleeps.size() + 1);
}

TEST_CASE("deploy verification reports an unreachable server and bad input",
          "[tls_probe][verify]") {
    std::string leaf = makeCert(0x77);
    fakes::FakeTlsProbe probe;
    probe.answers = {fail(ErrorKind::Network, "connect to 127.0.0.1:8443: Connection refused")};
    fakes::FakeClock clock;
    auto st = lifecycle::verifyDeployed(probe, clock, "127.0.0.1:8443", "", leaf, 0s);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Network);
    CHECK(st.error().message ==
          "verify 127.0.0.1:8443: connect to 127.0.0.1:8443: Connection refused");
    CHECK(probe.calls.size() == 1); // no patience: one try
    CHECK(clock.sleeps.empty());

    auto bad = lifecycle::verifyDeployed(probe, clock, "127.0.0.1", "", leaf, 5s);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Usage);
}

TEST_CASE("deploy verification against a real server that reloads", "[tls_probe][verify]") {
    std::string oldLeaf = makeCert(0x0101);
    std::string newLeaf = makeCert(0x0202);
    TestTlsServer server({oldLeaf});
    lifecycle::OpenSslTlsProbe probe;
    fakes::FakeClock clock;
    std::string where = "127.0.0.1:" + std::to_string(server.port());

    auto st = lifecycle::verifyDeployed(probe, clock, where, "localhost", newLeaf, 2s);
    REQUIRE_FALSE(st.ok()); // the hook "forgot" to reload
    CHECK_THAT(st.error().message, Catch::Contains("did the deploy hook reload it?"));

    server.serve({newLeaf});
    st = lifecycle::verifyDeployed(probe, clock, where, "localhost", newLeaf, 2s);
    CHECK(st.ok());
    CHECK(server.snis().back() == "localhost");
}
