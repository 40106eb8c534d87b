// Checks of the TLS-ALPN-01 and DNS-01 config values.
#include "challenges/dns/propagation.hpp"
#include "challenges/dns/resolver.hpp"
#include "challenges/dns01/rfc2136.hpp"
#include "challenges/listen_address.hpp"
#include "cli/config/value_checks.hpp"
#include "common/duration.hpp"
#include "common/file_trust.hpp"
#include "common/url.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace certkeep::cli::config {

namespace {

Unexpected bad(const std::string& message) {
    return fail(ErrorKind::Config, message);
}

} // namespace

Result<std::string> checkTlsAlpnListen(const std::string& value) {
    auto addr = challenges::parseListenAddress(value);
    if (!addr) {
        return bad(addr.error().message);
    }
    if (addr->port == 0) {
        return bad(value + ": port 0 is a random port the CA cannot know; give the port the CA "
                           "connects to (443)");
    }
    return value;
}

Result<std::string> checkDnsProvider(const std::string& value) {
    if (value != "rfc2136" && value != "exec" && value != "pdns") {
        return bad("unknown DNS provider \"" + value + "\": use rfc2136, exec or pdns");
    }
    return value;
}

Result<std::string> checkDnsServer(const std::string& value) {
    auto addr = challenges::dns::parseServerAddress(value);
    if (!addr) {
        return bad(addr.error().message);
    }
    return value;
}

Result<std::string> checkTsigKeyFile(const std::string& value) {
    auto file =
        checkSecretFileAs(value, "the TSIG key file", "the TSIG key", "the key tsig-keygen prints");
    if (!file) {
        return file;
    }
    if (auto key = challenges::dns01::loadTsigKeyFile(value); !key) {
        return bad(key.error().message);
    }
    return value;
}

Result<std::string> checkApiKeyFile(const std::string& value) {
    return checkSecretFileAs(value, "the PowerDNS API key file", "the API key",
                             "the PowerDNS api-key");
}

Result<std::string> checkProgram(const std::string& value) {
    if (value.empty() || value.front() != '/') {
        return bad("give the program's absolute path, not \"" + value +
                   "\": timers and cron run certkeep from /");
    }
    struct stat st {};
    if (::stat(value.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        ::access(value.c_str(), X_OK) != 0) {
        return bad(value + " is not an executable file");
    }
    if (auto s = checkTrustedFile(value, "the DNS program"); !s) {
        return bad(s.error().message);
    }
    return value;
}

Result<std::string> checkPdnsUrl(const std::string& value) {
    bool http = value.rfind("http://", 0) == 0 && value.size() > 7 &&
                value.find_first_of(" \t\r\n") == std::string::npos;
    if (!http && !isHttpsUrl(value)) {
        return bad("\"" + value +
                   "\" is not an http(s) URL: give the PowerDNS API's base URL, "
                   "e.g. http://127.0.0.1:8081");
    }
    return value;
}

Result<std::string> checkDnsPropagation(const std::string& value) {
    auto mode = challenges::dns::parsePropagationMode(value);
    if (!mode) {
        return bad(mode.error().message);
    }
    return value;
}

Result<std::string> checkDnsTimeout(const std::string& value) {
    auto d = parseDuration(value);
    if (!d) {
        return bad(d.error().message);
    }
    return value;
}

} // namespace certkeep::cli::config
