// The standalone HTTP-01 responder (RFC 8555 §8.3), exercised with real HTTP via libcurl.

#include "challenges/http01.hpp"
#include "http_probe.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <future>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace certkeep;
using namespace certkeep::challenges;
using namespace certkeep::testing;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
const std::string kKeyAuth = kToken + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
const std::string kToken2 = "DGyRejmCefe7v4NfDGDKfA_3Ca5TU-mp7E1FBCGLlmw";

ChallengeTask task(const std::string& identifier, const std::string& token, bool wildcard = false) {
    return {identifier, wildcard, token, token + ".thumbprint"};
}

std::unique_ptr<Http01Standalone> startLocal() {
    initCurl();
    auto r = Http01Standalone::start({"127.0.0.1", 0});
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

TEST_CASE("standalone serves exactly the key authorization for a live token",
          "[challenges][standalone]") {
    auto solver = startLocal();
    CHECK(solver->type() == "http-01");
    REQUIRE(solver->present({"example.com", false, kToken, kKeyAuth}).ok());

    auto r = request(solver->port(), challengePath(kToken));
    REQUIRE(r.code == CURLE_OK);
    CHECK(r.status == 200);
    CHECK(r.body == kKeyAuth);
    CHECK(r.contentType == "application/octet-stream");

    auto head = request(solver->port(), challengePath(kToken), true);
    REQUIRE(head.code == CURLE_OK);
    CHECK(head.status == 200);
    CHECK(head.body.empty());
}

TEST_CASE("standalone answers 404 for unknown tokens, other paths and after cleanup",
          "[challenges][standalone]") {
    auto solver = startLocal();
    const ChallengeTask t{"example.com", false, kToken, kKeyAuth};
    REQUIRE(solver->present(t).ok());
    int port = solver->port();

    auto unknown = request(port, challengePath(std::string(43, 'x')));
    CHECK(unknown.status == 404);
    CHECK(unknown.body.find(kKeyAuth) == std::string::npos);
    CHECK(request(port, "/").status == 404);
    CHECK(request(port, "/" + kToken).status == 404);
    CHECK(request(port, "/.well-known/acme-challenge/").status == 404);
    CHECK(request(port, "/x/.well-known/acme-challenge/" + kToken).status == 404);
    CHECK(request(port, challengePath(kToken) + "/extra").status == 404);
    CHECK(request(port, challengePath(kToken)).status == 200);

    REQUIRE(solver->cleanup(t).ok());
    auto gone = request(port, challengePath(kToken));
    CHECK(gone.status == 404);
    CHECK(gone.body.find(kKeyAuth) == std::string::npos);
    CHECK(solver->cleanup(t).ok()); // nothing left to remove
}

TEST_CASE("standalone present adds: tasks of one identifier are served and removed one by one",
          "[challenges][standalone]") {
    auto solver = startLocal();
    int port = solver->port();
    auto wildcard = task("example.com", kToken, true);
    auto plain = task("example.com", kToken2);
    REQUIRE(solver->present(wildcard).ok());
    REQUIRE(solver->present(plain).ok());
    CHECK(request(port, challengePath(kToken)).body == wildcard.keyAuthorization);
    CHECK(request(port, challengePath(kToken2)).body == plain.keyAuthorization);

    REQUIRE(solver->cleanup(wildcard).ok());
    CHECK(request(port, challengePath(kToken)).status == 404);
    CHECK(request(port, challengePath(kToken2)).body == plain.keyAuthorization);
    REQUIRE(solver->cleanup(plain).ok());
    CHECK(request(port, challengePath(kToken2)).status == 404);
}

TEST_CASE("standalone keeps a token two tasks share until the last cleanup",
          "[challenges][standalone]") {
    auto solver = startLocal();
    auto first = task("a.example", kToken);
    auto second = task("a.example", kToken, true);
    REQUIRE(solver->present(first).ok());
    REQUIRE(solver->present(second).ok());
    REQUIRE(solver->cleanup(first).ok());
    CHECK(request(solver->port(), challengePath(kToken)).body == first.keyAuthorization);
    REQUIRE(solver->cleanup(second).ok());
    CHECK(request(solver->port(), challengePath(kToken)).status == 404);

    auto other = first;
    other.keyAuthorization = "different";
    REQUIRE(solver->present(first).ok());
    auto clash = solver->present(other);
    REQUIRE_FALSE(clash.ok());
    CHECK(clash.error().kind == ErrorKind::Protocol);
    CHECK(request(solver->port(), challengePath(kToken)).body == first.keyAuthorization);
}

TEST_CASE("standalone refuses connections after stop, and stop is idempotent",
          "[challenges][standalone]") {
    auto solver = startLocal();
    REQUIRE(solver->present(task("example.com", kToken)).ok());
    int port = solver->port();
    REQUIRE(request(port, challengePath(kToken)).status == 200);
    solver->stop();
    CHECK(request(port, challengePath(kToken)).code == CURLE_COULDNT_CONNECT);
    solver->stop();
    CHECK(connectErrno(false, port) == ECONNREFUSED);
}

TEST_CASE("standalone stops promptly right after start and frees its port",
          "[challenges][standalone]") {
    for (int i = 0; i < 20; ++i) {
        auto solver = startLocal();
        int port = solver->port();
        auto before = std::chrono::steady_clock::now();
        solver->stop();
        auto took = std::chrono::steady_clock::now() - before;
        INFO("iteration " << i << ", port " << port);
        CHECK(took < 500ms);
        CHECK(connectErrno(false, port) == ECONNREFUSED);
    }
}

TEST_CASE("standalone refuses an invalid token in present and cleanup",
          "[challenges][standalone]") {
    auto solver = startLocal();
    const std::string bad = kToken + "+";
    auto st = solver->present(task("example.com", bad));
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Protocol);
    CHECK_THAT(st.error().message,
               Catch::Contains("invalid challenge token") && Catch::Contains("example.com"));
    CHECK(request(solver->port(), challengePath(bad)).status == 404);
    CHECK_FALSE(solver->present(task("example.com", "short")).ok());
    CHECK(request(solver->port(), challengePath("short")).status == 404);
    auto clean = solver->cleanup(task("example.com", bad, true));
    REQUIRE_FALSE(clean.ok());
    CHECK(clean.error().kind == ErrorKind::Protocol);
    CHECK_THAT(clean.error().message, Catch::Contains("*.example.com"));
}

TEST_CASE("standalone on an occupied port is a Local error naming the address",
          "[challenges][standalone]") {
    Occupier taken;
    auto r = Http01Standalone::start({"127.0.0.1", taken.port});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Local);
    CHECK_THAT(r.error().message, Catch::Contains("127.0.0.1:" + std::to_string(taken.port)) &&
                                      Catch::Contains("in use") && Catch::Contains("--webroot"));
}

TEST_CASE("standalone cannot share a port with another responder", "[challenges][standalone]") {
    auto first = startLocal();
    auto second = Http01Standalone::start({"127.0.0.1", first->port()});
    REQUIRE_FALSE(second.ok());
    CHECK_THAT(second.error().message, Catch::Contains("in use"));
}

TEST_CASE("standalone answers concurrent validation requests", "[challenges][standalone]") {
    auto solver = startLocal();
    REQUIRE(solver->present({"example.com", false, kToken, kKeyAuth}).ok());
    std::vector<std::future<Reply>> replies;
    replies.reserve(6);
    for (int i = 0; i < 6; ++i) {
        replies.push_back(std::async(
            std::launch::async, [&] { return request(solver->port(), challengePath(kToken)); }));
    }
    for (auto& f : replies) {
        auto r = f.get();
        CHECK(r.status == 200);
        CHECK(r.body == kKeyAuth);
    }
}

TEST_CASE("standalone waitReady succeeds while listening and times out once stopped",
          "[challenges][standalone]") {
    auto solver = startLocal();
    REQUIRE(solver->present(task("example.com", kToken)).ok());
    CHECK(solver->waitReady(std::chrono::steady_clock::now() + 1s).ok());
    solver->stop();
    auto st = solver->waitReady(std::chrono::steady_clock::now() + 50ms);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Timeout);
    CHECK_THAT(st.error().message, Catch::Contains("127.0.0.1:" + std::to_string(solver->port())) &&
                                       Catch::Contains("not accepting"));
}
