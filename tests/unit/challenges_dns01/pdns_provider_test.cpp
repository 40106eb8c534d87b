// The PowerDNS provider over HTTP against a fake API (libmicrohttpd on loopback): the read-
// modify-write, the API key only in its header, and the errors an operator sees. The real
// pdns_server is exercised by the integration tests.
#include "challenges/dns01/pdns.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <microhttpd.h>
#include <mutex>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

using namespace certkeep;
using namespace certkeep::challenges::dns01;
using nlohmann::json;

namespace {

const std::string apiKey = "s3cr3t-api-key-0123456789";
const TxtRecord record{"_acme-challenge.example.test", "token-1", "example.test"};

struct Seen {
    std::string method;
    std::string url; // path and query
    std::string apiKey;
    std::string body;
};

// Answers each request with status/body from `answer` (per method) and records what it got.
class FakePdns {
  public:
    FakePdns() {
        sockaddr_in loopback{};
        loopback.sin_family = AF_INET;
        loopback.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, nullptr, nullptr,
                                   &FakePdns::onRequest, this, MHD_OPTION_SOCK_ADDR, &loopback,
                                   MHD_OPTION_END);
        REQUIRE(daemon_ != nullptr);
        port_ = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
    }
    ~FakePdns() { MHD_stop_daemon(daemon_); }
    FakePdns(const FakePdns&) = delete;
    FakePdns& operator=(const FakePdns&) = delete;

    [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] std::string url() const { return "http://" + host(); }
    void answer(const std::string& method, unsigned status, std::string body) {
        std::lock_guard<std::mutex> lock(mutex_);
        answers_[method] = {status, std::move(body)};
    }
    std::vector<Seen> seen() {
        std::lock_guard<std::mutex> lock(mutex_);
        return seen_;
    }

  private:
    static MHD_Result onRequest(void* self, MHD_Connection* c, const char* url, const char* method,
                                const char*, const char* upload, size_t* uploadSize, void** state) {
        auto* fake = static_cast<FakePdns*>(self);
        if (*state == nullptr) {        // first call: headers only
            *state = new std::string(); // NOLINT: owned until the last call below
            return MHD_YES;
        }
        auto* body = static_cast<std::string*>(*state);
        if (*uploadSize != 0) {
            body->append(upload, *uploadSize);
            *uploadSize = 0;
            return MHD_YES;
        }
        std::pair<unsigned, std::string> answer{500, ""};
        {
            std::lock_guard<std::mutex> lock(fake->mutex_);
            const char* key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-API-Key");
            const char* q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "rrset_name");
            std::string full =
                std::string(url) + (q != nullptr ? "?rrset_name=" + std::string(q) : "");
            fake->seen_.push_back({method, full, key != nullptr ? key : "", *body});
            answer = fake->answers_[method];
        }
        delete body; // NOLINT
        *state = nullptr;
        MHD_Response* r = MHD_create_response_from_buffer(
            answer.second.size(), answer.second.data(), MHD_RESPMEM_MUST_COPY);
        MHD_Result ret = MHD_queue_response(c, answer.first, r);
        MHD_destroy_response(r);
        return ret;
    }

    MHD_Daemon* daemon_ = nullptr;
    uint16_t port_ = 0;
    std::mutex mutex_;
    std::map<std::string, std::pair<unsigned, std::string>> answers_;
    std::vector<Seen> seen_;
};

PdnsOptions optionsFor(const FakePdns& fake) {
    PdnsOptions o;
    o.url = fake.url() + "/";
    o.apiKey = apiKey;
    o.timeout = std::chrono::seconds(5);
    return o;
}

const std::string zoneWithOperatorTxt = R"({"name": "example.test.", "rrsets": [
    {"name": "_acme-challenge.example.test.", "type": "TXT", "ttl": 300,
     "records": [{"content": "\"operator\"", "disabled": false}]}]})";

} // namespace

TEST_CASE("present reads the zone and patches the TXT RRset with both values", "[dns01][pdns]") {
    FakePdns fake;
    fake.answer("GET", 200, zoneWithOperatorTxt);
    fake.answer("PATCH", 204, "");
    PdnsProvider provider(optionsFor(fake));

    auto st = provider.present(record);

    REQUIRE(st.ok());
    auto seen = fake.seen();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].method == "GET");
    CHECK(seen[0].url == "/api/v1/servers/localhost/zones/example.test.?rrset_name="
                         "_acme-challenge.example.test.");
    CHECK(seen[1].method == "PATCH");
    CHECK(seen[1].url == "/api/v1/servers/localhost/zones/example.test.");
    for (const auto& s : seen) {
        CHECK(s.apiKey == apiKey);
    }
    json rrset = json::parse(seen[1].body)["rrsets"][0];
    CHECK(rrset["ttl"] == 300);
    CHECK(rrset["records"].size() == 2);
    CHECK(rrset["records"][1]["content"] == "\"token-1\"");
}

TEST_CASE("cleanup of a value that is not there sends no PATCH", "[dns01][pdns]") {
    FakePdns fake;
    fake.answer("GET", 200, zoneWithOperatorTxt);
    PdnsProvider provider(optionsFor(fake));

    REQUIRE(provider.cleanup(record).ok());

    auto seen = fake.seen();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "GET");
}

TEST_CASE("a wrong API key says to check the key file and never shows the key", "[dns01][pdns]") {
    FakePdns fake;
    fake.answer("GET", 401, "Unauthorized");
    PdnsProvider provider(optionsFor(fake));

    auto st = provider.present(record);

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Config);
    CHECK(st.error().message ==
          "pdns: " + fake.host() + " answered 401 Unauthorized: check --pdns-api-key-file");
}

TEST_CASE("an unknown zone is named with the API's error", "[dns01][pdns]") {
    FakePdns fake;
    fake.answer("GET", 422, R"({"error": "Could not find domain 'example.test.'"})");
    PdnsProvider provider(optionsFor(fake));

    auto st = provider.present(record);

    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.error().message, Catch::Contains("for zone example.test") &&
                                       Catch::Contains("Could not find domain 'example.test.'") &&
                                       Catch::Contains("--pdns-server-id") &&
                                       !Catch::Contains(apiKey));
}

TEST_CASE("a refused PATCH is an error with the API's reason", "[dns01][pdns]") {
    FakePdns fake;
    fake.answer("GET", 200, zoneWithOperatorTxt);
    fake.answer("PATCH", 422, R"({"error": "RRset x. IN TXT: Name is out of zone"})");
    PdnsProvider provider(optionsFor(fake));

    auto st = provider.present(record);

    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.error().message, Catch::Contains("Name is out of zone"));
}

TEST_CASE("an answer that is not a zone, or too large, is refused", "[dns01][pdns]") {
    FakePdns fake;
    PdnsProvider provider(optionsFor(fake));

    fake.answer("GET", 200, "<html>proxy error</html>");
    auto notJson = provider.present(record);
    fake.answer("GET", 200, std::string(17U * 1024U * 1024U, ' '));
    auto huge = provider.present(record);

    REQUIRE_FALSE(notJson.ok());
    CHECK(notJson.error().kind == ErrorKind::Protocol);
    CHECK_THAT(notJson.error().message, Catch::Contains("zone example.test"));
    REQUIRE_FALSE(huge.ok());
    CHECK(huge.error().kind == ErrorKind::Protocol);
    CHECK_THAT(huge.error().message, Catch::Contains("larger than"));
}

TEST_CASE("an unreachable API is a Network error naming it", "[dns01][pdns]") {
    PdnsOptions options;
    options.url = "http://127.0.0.1:1";
    options.apiKey = apiKey;
    PdnsProvider provider(options);

    auto st = provider.present(record);

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Network);
    CHECK_THAT(st.error().message,
               Catch::StartsWith("pdns: cannot reach 127.0.0.1:1") && !Catch::Contains(apiKey));
}

TEST_CASE("no zone known is an Internal error, nothing is sent", "[dns01][pdns]") {
    FakePdns fake;
    PdnsProvider provider(optionsFor(fake));
    TxtRecord noZone = record;
    noZone.zone.clear();

    auto st = provider.present(noZone);

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Internal);
    CHECK(fake.seen().empty());
}

namespace {

// A file in a fresh private directory, removed with it.
class SecretFile {
  public:
    SecretFile(const std::string& text, mode_t mode) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "certkeep-pdns-XXXXXX");
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        dir_ = tmpl;
        path_ = (dir_ / "api.key").string();
        std::ofstream(path_) << text;
        REQUIRE(::chmod(path_.c_str(), mode) == 0);
    }
    ~SecretFile() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    SecretFile(const SecretFile&) = delete;
    SecretFile& operator=(const SecretFile&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    std::filesystem::path dir_;
    std::string path_;
};

} // namespace

TEST_CASE("loadApiKeyFile takes the first line, trimmed", "[dns01][pdns]") {
    SecretFile file("  " + apiKey + " \n# a comment line\n", 0600);

    auto key = loadApiKeyFile(file.path());

    REQUIRE(key.ok());
    CHECK(*key == apiKey);
}

TEST_CASE("loadApiKeyFile refuses a file other users may write, without showing the key",
          "[dns01][pdns]") {
    SecretFile file(apiKey + "\n", 0602);

    auto key = loadApiKeyFile(file.path());

    REQUIRE_FALSE(key.ok());
    CHECK(key.error().kind == ErrorKind::Config);
    CHECK_THAT(key.error().message, Catch::Contains("PowerDNS API key") &&
                                        Catch::Contains(file.path()) && !Catch::Contains(apiKey));
}
