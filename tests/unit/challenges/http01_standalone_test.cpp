// The standalone HTTP-01 responder (RFC 8555 §8.3), exercised with real HTTP via libcurl.

#include "challenges/http01.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <curl/curl.h>
#include <future>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace certkeep;
using namespace certkeep::challenges;

namespace {

const std::string kToken = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
const std::string kKeyAuth = kToken + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

struct Reply {
    CURLcode code = CURLE_OK;
    long status = 0;
    std::string body;
    std::string contentType;
};

size_t appendBody(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

// One request with a fresh connection; head=true sends HEAD.
Reply request(int port, const std::string& path, bool head = false) {
    Reply r;
    CURL* curl = curl_easy_init();
    std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOBODY, head ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    r.code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    char* ct = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != nullptr) {
        r.contentType = ct;
    }
    curl_easy_cleanup(curl);
    return r;
}

std::unique_ptr<Http01Standalone> startLocal() {
    static const bool curlReady = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; // main thread
    REQUIRE(curlReady);
    auto r = Http01Standalone::start({"127.0.0.1", 0});
    REQUIRE(r.ok());
    REQUIRE((*r)->port() > 0);
    return std::move(*r);
}

std::string challengePath(const std::string& token) {
    return "/.well-known/acme-challenge/" + token;
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
    REQUIRE(solver->present("example.com", kToken, kKeyAuth).ok());

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
    REQUIRE(solver->present("example.com", kToken, kKeyAuth).ok());
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

    REQUIRE(solver->cleanup("example.com", kToken).ok());
    auto gone = request(port, challengePath(kToken));
    CHECK(gone.status == 404);
    CHECK(gone.body.find(kKeyAuth) == std::string::npos);
    CHECK(solver->cleanup("example.com", kToken).ok()); // nothing left to remove
}

TEST_CASE("standalone refuses connections after stop, and stop is idempotent",
          "[challenges][standalone]") {
    auto solver = startLocal();
    REQUIRE(solver->present("example.com", kToken, kKeyAuth).ok());
    int port = solver->port();
    REQUIRE(request(port, challengePath(kToken)).status == 200);
    solver->stop();
    CHECK(request(port, challengePath(kToken)).code == CURLE_COULDNT_CONNECT);
    solver->stop();
}

TEST_CASE("standalone stops promptly right after start", "[challenges][standalone]") {
    for (int i = 0; i < 20; ++i) {
        auto solver = startLocal();
        solver->stop();
    }
}

TEST_CASE("standalone refuses an invalid token and does not serve it", "[challenges][standalone]") {
    auto solver = startLocal();
    const std::string bad = kToken + "+";
    auto st = solver->present("example.com", bad, bad + ".thumb");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Protocol);
    CHECK_THAT(st.error().message, Catch::Contains("invalid challenge token"));
    CHECK(request(solver->port(), challengePath(bad)).status == 404);
    CHECK_FALSE(solver->present("example.com", "short", "short.thumb").ok());
    CHECK(request(solver->port(), challengePath("short")).status == 404);
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
    REQUIRE(solver->present("example.com", kToken, kKeyAuth).ok());
    std::vector<std::future<Reply>> replies;
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

TEST_CASE("standalone on \":0\" listens on all IPv4 addresses", "[challenges][standalone]") {
    auto addr = parseListenAddress(":0");
    REQUIRE(addr.ok());
    auto solver = Http01Standalone::start(*addr);
    REQUIRE(solver.ok());
    REQUIRE((*solver)->present("example.com", kToken, kKeyAuth).ok());
    CHECK(request((*solver)->port(), challengePath(kToken)).body == kKeyAuth);
}
