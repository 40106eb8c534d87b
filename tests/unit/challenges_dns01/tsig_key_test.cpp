// TSIG key files as BIND's tsig-keygen writes them and nsupdate -k reads them.
#include "challenges/dns01/rfc2136.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

using namespace certkeep;
using namespace certkeep::challenges::dns01;

namespace {

// Verbatim output of `tsig-keygen -a hmac-sha256 certkeep-key` (BIND 9.18).
const std::string sha256Key = "key \"certkeep-key\" {\n"
                              "\talgorithm hmac-sha256;\n"
                              "\tsecret \"GWHMDGYIhGU4im8KGb47xEorI4ISoAVgrDq/FtT3SC0=\";\n"
                              "};\n";
const std::string sha256Secret = "GWHMDGYIhGU4im8KGb47xEorI4ISoAVgrDq/FtT3SC0=";
// Verbatim output of `tsig-keygen -a hmac-sha512 k2.example`.
const std::string sha512Key =
    "key \"k2.example\" {\n"
    "\talgorithm hmac-sha512;\n"
    "\tsecret "
    "\"XpV154HWCJBc+uQElzyWT5uoC0hv6FRTH8s/4WN8q9fIxnCAT3z9ZAg4pfJ+7DWFyb07vnB4aH6jMhT9N0nXnQ"
    "==\";\n"
    "};\n";

// A file in a fresh private directory, removed with it.
class KeyFile {
  public:
    explicit KeyFile(const std::string& text) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "certkeep-tsig-XXXXXX");
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        dir_ = tmpl;
        path_ = (dir_ / "tsig.key").string();
        std::ofstream(path_) << text;
        REQUIRE(::chmod(path_.c_str(), 0600) == 0);
    }
    ~KeyFile() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    KeyFile(const KeyFile&) = delete;
    KeyFile& operator=(const KeyFile&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    std::filesystem::path dir_;
    std::string path_;
};

} // namespace

TEST_CASE("tsig-keygen's hmac-sha256 output parses to its name, algorithm and secret",
          "[dns01][tsig]") {
    auto key = parseTsigKey(sha256Key, "/etc/certkeep/tsig.key");

    REQUIRE(key.ok());
    CHECK(key->name == "certkeep-key");
    CHECK(key->algorithm == "hmac-sha256");
    CHECK(key->secret == sha256Secret);
}

TEST_CASE("tsig-keygen's hmac-sha512 output parses", "[dns01][tsig]") {
    auto key = parseTsigKey(sha512Key, "k2.key");

    REQUIRE(key.ok());
    CHECK(key->name == "k2.example");
    CHECK(key->algorithm == "hmac-sha512");
    CHECK(key->secret.size() == 88);
}

TEST_CASE("comments of every named.conf kind, unquoted names and upper case are accepted",
          "[dns01][tsig]") {
    std::string text = "# made for certkeep\n"
                       "// on the primary too\n"
                       "/* a block\n   comment */ key certkeep-key { # the name may be bare\n"
                       "  ALGORITHM HMAC-SHA256.; /* the trailing dot is allowed */\n"
                       "  secret \"" +
                       sha256Secret +
                       "\"; // base64\n"
                       "};\n";

    auto key = parseTsigKey(text, "k.key");

    REQUIRE(key.ok());
    CHECK(key->name == "certkeep-key");
    CHECK(key->algorithm == "hmac-sha256");
    CHECK(key->secret == sha256Secret);
}

TEST_CASE("a key with an algorithm ldns cannot sign with is refused, naming it and the fix",
          "[dns01][tsig]") {
    for (std::string algorithm : {"hmac-md5", "hmac-sha384", "hmac-sha224", "rsa"}) {
        std::string text = sha256Key;
        text.replace(text.find("hmac-sha256"), 11, algorithm);

        auto key = parseTsigKey(text, "/etc/certkeep/tsig.key");

        REQUIRE_FALSE(key.ok());
        CHECK(key.error().kind == ErrorKind::Config);
        CHECK_THAT(key.error().message, Catch::Contains("/etc/certkeep/tsig.key") &&
                                            Catch::Contains(algorithm) &&
                                            Catch::Contains("tsig-keygen -a hmac-sha256"));
        CHECK_THAT(key.error().message, !Catch::Contains(sha256Secret));
    }
}

TEST_CASE("a key without a secret or algorithm is refused, naming the file", "[dns01][tsig]") {
    auto noSecret = parseTsigKey("key \"k\" { algorithm hmac-sha256; };", "/k.key");
    auto noAlgorithm = parseTsigKey("key \"k\" { secret \"" + sha256Secret + "\"; };", "/k.key");

    REQUIRE_FALSE(noSecret.ok());
    CHECK_THAT(noSecret.error().message, Catch::Contains("/k.key") && Catch::Contains("no secret"));
    REQUIRE_FALSE(noAlgorithm.ok());
    CHECK_THAT(noAlgorithm.error().message, Catch::Contains("no algorithm"));
    CHECK_THAT(noAlgorithm.error().message, !Catch::Contains(sha256Secret));
}

TEST_CASE("malformed key files are refused without quoting the secret", "[dns01][tsig]") {
    std::string notBase64 = sha256Key;
    notBase64.replace(notBase64.find("GWHM"), 4, "GW!M");
    std::string unquoted = sha256Key;
    unquoted.erase(unquoted.find("\"GWHM"), 1);
    unquoted.erase(unquoted.find("=\""), 2);
    std::string noSemicolon = sha256Key;
    noSemicolon.erase(noSemicolon.find("=\";") + 2, 1);
    std::string twoKeys = sha256Key + sha512Key;

    for (const auto& text : {notBase64, unquoted, noSemicolon, twoKeys, std::string("# empty\n"),
                             std::string("key \"k\" { secret \"abc")}) {
        auto key = parseTsigKey(text, "/etc/certkeep/tsig.key");

        REQUIRE_FALSE(key.ok());
        CHECK(key.error().kind == ErrorKind::Config);
        CHECK_THAT(key.error().message, Catch::StartsWith("TSIG key file /etc/certkeep/tsig.key"));
        CHECK_THAT(key.error().message, !Catch::Contains("GWHMDGYI") && !Catch::Contains("GW!M"));
    }
}

TEST_CASE("loadTsigKeyFile reads a private key file", "[dns01][tsig]") {
    KeyFile file(sha512Key);

    auto key = loadTsigKeyFile(file.path());

    REQUIRE(key.ok());
    CHECK(key->name == "k2.example");
    CHECK(key->algorithm == "hmac-sha512");
}

TEST_CASE("loadTsigKeyFile refuses a key file other users may write", "[dns01][tsig]") {
    KeyFile file(sha256Key);
    REQUIRE(::chmod(file.path().c_str(), 0666) == 0);

    auto key = loadTsigKeyFile(file.path());

    REQUIRE_FALSE(key.ok());
    CHECK(key.error().kind == ErrorKind::Config);
    CHECK_THAT(key.error().message, Catch::Contains(file.path()) && Catch::Contains("chmod go-w"));
}

TEST_CASE("loadTsigKeyFile names a missing file", "[dns01][tsig]") {
    auto key = loadTsigKeyFile("/nonexistent/certkeep/tsig.key");

    REQUIRE_FALSE(key.ok());
    CHECK(key.error().kind == ErrorKind::Config);
    CHECK_THAT(key.error().message, Catch::Contains("/nonexistent/certkeep/tsig.key"));
}
