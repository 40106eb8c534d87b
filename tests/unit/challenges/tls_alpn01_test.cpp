// The TLS-ALPN-01 responder (RFC 8737, RFC 8738 §6), exercised with a real OpenSSL client
// doing what a CA's validation does: connect, offer "acme-tls/1" with the SNI, read the cert.

#include "challenges/tls_alpn01.hpp"
#include "challenges/tls_alpn01_cert.hpp"
#include "http_probe.hpp"
#include "tls_probe.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace certkeep;
using namespace certkeep::challenges;
using namespace certkeep::testing;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
const std::string kToken2 = "DGyRejmCefe7v4NfDGDKfA_3Ca5TU-mp7E1FBCGLlmw";

ChallengeTask task(const std::string& identifier, const std::string& token = kToken) {
    return {identifier, false, token, token + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"};
}

std::unique_ptr<TlsAlpn01Responder> startLocal() {
    auto r = TlsAlpn01Responder::start({"127.0.0.1", 0});
    REQUIRE(r.ok());
    REQUIRE((*r)->port() > 0);
    return std::move(*r);
}

// A listening socket on 127.0.0.1 with an ephemeral port, plain (no SO_REUSE*).
struct Occupier {
    int fd = -1;
    int port = 0;
    Occupier() {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
        REQUIRE(::listen(fd, 1) == 0);
        socklen_t len = sizeof(sa);
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
        port = ntohs(sa.sin_port);
    }
    ~Occupier() { ::close(fd); }
};

} // namespace

TEST_CASE("tls-alpn-01 serves the validation certificate for the SNI over acme-tls/1",
          "[challenges][tlsalpn]") {
    auto solver = startLocal();
    CHECK(solver->type() == "tls-alpn-01");
    auto t = task("example.com");
    REQUIRE(solver->present(t).ok());
    REQUIRE(solver->waitReady(std::chrono::steady_clock::now() + 1s).ok());

    auto hs = handshake(solver->port(), "example.com", {"http/1.1", kAcme});
    REQUIRE(hs.ok);
    CHECK(hs.alpn == kAcme);
    REQUIRE(hs.cert);
    auto ext = acmeExtension(hs.cert.get());
    CHECK(ext.found);
    CHECK(ext.critical);
    CHECK(ext.value == expectedExtension(t.keyAuthorization));
    CHECK(subjectAltNames(hs.cert.get()) == std::vector<std::string>{"DNS:example.com"});
    CHECK(hs.closeNotify);

    // Self-signed with a fresh P-256 key, valid now and only briefly.
    EVP_PKEY* key = X509_get0_pubkey(hs.cert.get());
    CHECK(EVP_PKEY_is_a(key, "EC") == 1);
    CHECK(EVP_PKEY_get_bits(key) == 256);
    CHECK(X509_verify(hs.cert.get(), key) == 1);
    CHECK(X509_cmp_current_time(X509_get0_notBefore(hs.cert.get())) < 0);
    CHECK(X509_cmp_current_time(X509_get0_notAfter(hs.cert.get())) > 0);
    int days = 0;
    int secs = 0;
    REQUIRE(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(hs.cert.get()),
                           X509_get0_notAfter(hs.cert.get())) == 1);
    CHECK(days <= 2);
}

TEST_CASE("tls-alpn-01 answers over TLS 1.2 as well", "[challenges][tlsalpn]") {
    auto solver = startLocal();
    auto t = task("example.com");
    REQUIRE(solver->present(t).ok());
    auto hs = handshake(solver->port(), "example.com", {kAcme}, TLS1_2_VERSION);
    REQUIRE(hs.ok);
    CHECK(hs.alpn == kAcme);
    REQUIRE(hs.cert);
    CHECK(acmeExtension(hs.cert.get()).value == expectedExtension(t.keyAuthorization));
}

TEST_CASE("tls-alpn-01 refuses handshakes that do not offer acme-tls/1", "[challenges][tlsalpn]") {
    auto solver = startLocal();
    REQUIRE(solver->present(task("example.com")).ok());
    int port = solver->port();

    auto none = handshake(port, "example.com", {});
    CHECK(none.connected);
    CHECK_FALSE(none.ok);
    CHECK_FALSE(none.cert);
    CHECK_FALSE(handshake(port, "example.com", {"h2", "http/1.1"}).ok);
    CHECK_FALSE(handshake(port, "example.com", {"acme-tls/2"}).ok);
    CHECK(acmeHandshake(port, "example.com").ok); // the same server still answers properly
}

TEST_CASE("tls-alpn-01 refuses unknown or missing SNI and matches names case-insensitively",
          "[challenges][tlsalpn]") {
    auto solver = startLocal();
    auto t = task("www.example.com");
    REQUIRE(solver->present(t).ok());
    int port = solver->port();

    CHECK_FALSE(acmeHandshake(port, "other.example.com").ok);
    CHECK_FALSE(acmeHandshake(port, "example.com").ok);
    CHECK_FALSE(acmeHandshake(port, "").ok);
    auto upper = acmeHandshake(port, "WWW.Example.COM");
    REQUIRE(upper.ok);
    CHECK(acmeExtension(upper.cert.get()).value == expectedExtension(t.keyAuthorization));
}

TEST_CASE("tls-alpn-01 maps IP identifiers to reverse-DNS SNI names (RFC 8738 §6)",
          "[challenges][tlsalpn]") {
    CHECK(tlsalpn::validationServerName("127.0.0.1") == "1.0.0.127.in-addr.arpa");
    CHECK(tlsalpn::validationServerName("192.0.2.10") == "10.2.0.192.in-addr.arpa");
    CHECK(tlsalpn::validationServerName("2001:db8::1") ==
          "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    CHECK(tlsalpn::validationServerName("2001:DB8:0::1") ==
          tlsalpn::validationServerName("2001:db8::1"));
    CHECK(tlsalpn::validationServerName("Example.COM") == "example.com");

    auto solver = startLocal();
    int port = solver->port();
    auto v4 = task("127.0.0.1");
    auto v6 = task("2001:db8::1", kToken2);
    REQUIRE(solver->present(v4).ok());
    REQUIRE(solver->present(v6).ok());

    auto hs4 = acmeHandshake(port, "1.0.0.127.in-addr.arpa");
    REQUIRE(hs4.ok);
    CHECK(subjectAltNames(hs4.cert.get()) == std::vector<std::string>{"IP:7f000001"});
    CHECK(acmeExtension(hs4.cert.get()).value == expectedExtension(v4.keyAuthorization));

    auto hs6 = acmeHandshake(port, tlsalpn::validationServerName("2001:db8::1"));
    REQUIRE(hs6.ok);
    CHECK(subjectAltNames(hs6.cert.get()) ==
          std::vector<std::string>{"IP:20010db8000000000000000000000001"});
    CHECK(acmeExtension(hs6.cert.get()).value == expectedExtension(v6.keyAuthorization));

    CHECK_FALSE(acmeHandshake(port, "127.0.0.1").ok); // the literal is not what a CA sends
}

TEST_CASE("tls-alpn-01 cleanup and withdrawAll stop answering; the latest task is served",
          "[challenges][tlsalpn]") {
    auto solver = startLocal();
    int port = solver->port();
    auto first = task("example.com", kToken);
    auto second = task("example.com", kToken2);
    REQUIRE(solver->present(first).ok());
    REQUIRE(solver->present(second).ok());
    auto hs = acmeHandshake(port, "example.com");
    REQUIRE(hs.ok);
    CHECK(acmeExtension(hs.cert.get()).value == expectedExtension(second.keyAuthorization));

    REQUIRE(solver->cleanup(second).ok());
    hs = acmeHandshake(port, "example.com");
    REQUIRE(hs.ok);
    CHECK(acmeExtension(hs.cert.get()).value == expectedExtension(first.keyAuthorization));

    REQUIRE(solver->cleanup(first).ok());
    CHECK_FALSE(acmeHandshake(port, "example.com").ok);
    CHECK(solver->cleanup(first).ok()); // nothing left to remove

    REQUIRE(solver->present(task("a.example")).ok());
    REQUIRE(solver->present(task("b.example", kToken2)).ok());
    solver->withdrawAll();
    CHECK_FALSE(acmeHandshake(port, "a.example").ok);
    CHECK_FALSE(acmeHandshake(port, "b.example").ok);
}

TEST_CASE("tls-alpn-01 present refuses bad tokens and wildcards", "[challenges][tlsalpn]") {
    auto solver = startLocal();
    auto bad = solver->present(task("example.com", "short"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Protocol);
    CHECK_FALSE(solver->present(task("example.com", kToken + "/../x")).ok());
    CHECK(solver->cleanup(task("example.com", "short")).error().kind == ErrorKind::Protocol);

    auto wild = task("example.com");
    wild.wildcard = true;
    auto w = solver->present(wild);
    REQUIRE_FALSE(w.ok());
    CHECK(w.error().kind == ErrorKind::Usage);
    CHECK(w.error().message.find("*.example.com") != std::string::npos);
    CHECK(w.error().message.find("--dns") != std::string::npos);
    CHECK_FALSE(acmeHandshake(solver->port(), "example.com").ok);
}

TEST_CASE("tls-alpn-01 makes a fresh key and serial for every certificate",
          "[challenges][tlsalpn]") {
    auto now = std::chrono::system_clock::now();
    auto a = tlsalpn::makeValidationCert("example.com", "ka", now);
    auto b = tlsalpn::makeValidationCert("example.com", "ka", now);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(a->cert.get()),
                           X509_get0_serialNumber(b->cert.get())) != 0);
    CHECK(EVP_PKEY_eq(a->key.get(), b->key.get()) != 1);
    CHECK(X509_check_private_key(a->cert.get(), a->key.get()) == 1);
}

TEST_CASE("tls-alpn-01 serves concurrent validations while slow clients send nothing",
          "[challenges][tlsalpn]") {
    auto solver = startLocal();
    int port = solver->port();
    REQUIRE(solver->present(task("example.com")).ok());
    std::vector<int> idle;
    for (int i = 0; i < 3; ++i) {
        idle.push_back(connectTo(port)); // connected, never says hello
        REQUIRE(idle.back() >= 0);
    }
    auto begin = std::chrono::steady_clock::now();
    std::vector<Handshake> results(3);
    std::vector<std::thread> threads;
    threads.reserve(results.size());
    for (auto& r : results) {
        threads.emplace_back([&r, port] { r = acmeHandshake(port, "example.com"); });
    }
    for (auto& th : threads) {
        th.join();
    }
    CHECK(std::chrono::steady_clock::now() - begin < 3s);
    for (const auto& r : results) {
        CHECK(r.ok);
        CHECK(r.alpn == kAcme);
    }
    for (int fd : idle) {
        ::close(fd);
    }
}

TEST_CASE("tls-alpn-01 stop is prompt and final", "[challenges][tlsalpn]") {
    auto solver = startLocal();
    int port = solver->port();
    REQUIRE(solver->present(task("example.com")).ok());
    int idle = connectTo(port);
    REQUIRE(idle >= 0);
    auto begin = std::chrono::steady_clock::now();
    solver->stop();
    CHECK(std::chrono::steady_clock::now() - begin < 500ms);
    ::close(idle);

    auto ready = solver->waitReady(std::chrono::steady_clock::now() + 1s);
    REQUIRE_FALSE(ready.ok());
    CHECK(ready.error().kind == ErrorKind::Timeout);
    CHECK(ready.error().message.find("TLS-ALPN-01") != std::string::npos);
    CHECK_FALSE(acmeHandshake(port, "example.com").connected);
    solver->stop(); // idempotent
}

TEST_CASE("tls-alpn-01 on all addresses answers over IPv4 and IPv6 (dual-stack)",
          "[challenges][tlsalpn]") {
    auto r = TlsAlpn01Responder::start({"", 0});
    REQUIRE(r.ok());
    auto& solver = *r;
    REQUIRE(solver->present(task("example.com")).ok());
    auto v4 = acmeHandshake(solver->port(), "example.com");
    CHECK(v4.ok);
    CHECK(v4.alpn == kAcme);
    if (haveIpv6Loopback()) {
        auto v6 = acmeHandshake(solver->port(), "example.com", true);
        CHECK(v6.ok);
        CHECK(v6.alpn == kAcme);
    }
}

TEST_CASE("tls-alpn-01 on a busy port is a Local error naming TLS-ALPN-01",
          "[challenges][tlsalpn]") {
    Occupier busy;
    auto r = TlsAlpn01Responder::start({"127.0.0.1", busy.port});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Local);
    const std::string& msg = r.error().message;
    CHECK(msg.find("127.0.0.1:" + std::to_string(busy.port)) != std::string::npos);
    CHECK(msg.find("TLS-ALPN-01") != std::string::npos);
    CHECK(msg.find("--http-listen or --dns") != std::string::npos);
}
