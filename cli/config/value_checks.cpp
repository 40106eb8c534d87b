#include "cli/config/value_checks.hpp"

#include "acme/crypto/key.hpp"
#include "challenges/listen_address.hpp"
#include "cli/email.hpp"
#include "cli/options.hpp"
#include "common/file_trust.hpp"
#include "common/ip.hpp"
#include "lifecycle/schedule.hpp"
#include "lifecycle/spec.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <grp.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace certkeep::cli::config {

namespace {

Unexpected bad(const std::string& message) {
    return fail(ErrorKind::Config, message);
}

// The message of a failed check, with the value kind kept as Config.
template <typename T> Unexpected badFrom(const Result<T>& r) {
    return bad(r.error().message);
}

bool allDigits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}

std::string octal(unsigned mode) {
    char buf[8];
    (void)std::snprintf(buf, sizeof buf, "%04o", mode & 07777U);
    return buf;
}

// Success when `path` is absolute and exists; "does not exist" names a missing file so that
// callers (and the example's test) can tell it from a wrong value.
Status absoluteExisting(const std::string& path, struct stat& st) {
    if (path.front() != '/') {
        return bad("give an absolute path, not \"" + path +
                   "\": timers and cron run certkeep from /");
    }
    if (::stat(path.c_str(), &st) != 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR) {
            return bad(path + " does not exist");
        }
        return bad("cannot read " + path + ": " + std::strerror(err));
    }
    return {};
}

// Whether group `name` (or a number, a gid) exists, looked up with the reentrant calls.
bool groupExists(const std::string& name) {
    bool numeric = allDigits(name);
    // A gid fits in 32 bits: a longer number is no group (and must not wrap around to one).
    if (numeric && (name.size() > 10 || std::stoull(name) > std::numeric_limits<gid_t>::max())) {
        return false;
    }
    long hint = ::sysconf(_SC_GETGR_R_SIZE_MAX);
    std::vector<char> buf(hint > 0 ? static_cast<std::size_t>(hint) : 4096);
    while (true) {
        struct group entry {};
        struct group* found = nullptr;
        int rc = numeric ? ::getgrgid_r(static_cast<gid_t>(std::stoull(name)), &entry, buf.data(),
                                        buf.size(), &found)
                         : ::getgrnam_r(name.c_str(), &entry, buf.data(), buf.size(), &found);
        if (rc == ERANGE && buf.size() < (1U << 20)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        return rc == 0 && found != nullptr;
    }
}

} // namespace

Result<std::string> checkServer(const std::string& value) {
    std::string url = resolveServer(value);
    if (url.rfind("http://", 0) == 0) {
        return bad(url + ": certkeep talks to a CA over https only; use the https:// URL");
    }
    if (url.rfind("https://", 0) != 0 || url.size() <= 8) {
        return bad("\"" + url +
                   "\" is not a URL: give the ACME directory URL (https://...) or "
                   "letsencrypt / letsencrypt-staging");
    }
    return url;
}

Result<std::string> checkCaBundleFile(const std::string& value) {
    struct stat st {};
    if (auto s = absoluteExisting(value, st); !s) {
        return s.takeError();
    }
    if (auto s = lifecycle::checkCaBundle(value); !s) {
        return s.takeError();
    }
    return value;
}

Result<std::string> checkSecretFile(const std::string& value) {
    return checkSecretFileAs(value, "the EAB key file", "the HMAC key",
                             "the base64url HMAC key the CA gave you");
}

Result<std::string> checkSecretFileAs(const std::string& value, const std::string& what,
                                      const std::string& holding, const std::string& content) {
    struct stat st {};
    if (auto s = absoluteExisting(value, st); !s) {
        return s.takeError();
    }
    if (!S_ISREG(st.st_mode)) {
        return bad(value + " is not a regular file: give the file holding " + holding);
    }
    if (auto s = checkTrustedFile(value, what); !s) {
        return s.takeError();
    }
    if ((st.st_mode & S_IROTH) != 0) {
        return bad(value + " is readable by other users (mode " + octal(st.st_mode) +
                   "): it holds a secret, chmod o-r " + value);
    }
    std::ifstream in(value);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        return bad("cannot read " + value);
    }
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
        return bad(value + " is empty: write " + content + " into it");
    }
    return value;
}

Result<std::string> checkKeyType(const std::string& value) {
    auto type = acme::parseKeyType(value);
    if (!type) {
        return badFrom(type);
    }
    return acme::keyTypeName(*type);
}

Result<std::string> checkAccountKeyType(const std::string& value) {
    auto alg = acme::parseJwsAlg(value);
    if (!alg) {
        return badFrom(alg);
    }
    std::string name = acme::jwsAlgName(*alg);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

Result<std::string> checkHttpListen(const std::string& value) {
    auto addr = challenges::parseListenAddress(value);
    if (!addr) {
        return badFrom(addr);
    }
    if (addr->port == 0) {
        return bad(value + ": port 0 is a random port the CA cannot know; give the port the CA "
                           "connects to (80)");
    }
    return value;
}

Result<std::string> checkWebroot(const std::string& value) {
    struct stat st {};
    if (auto s = absoluteExisting(value, st); !s) {
        return s.takeError();
    }
    if (!S_ISDIR(st.st_mode)) {
        return bad(value + " is not a directory: give the web server's document root");
    }
    return value;
}

Result<std::string> checkVerify(const std::string& value) {
    std::string host;
    std::string port;
    if (value.front() == '[') {
        auto close = value.find("]:");
        if (close == std::string::npos) {
            return bad("\"" + value + "\": write an IPv6 address as [2001:db8::1]:443");
        }
        host = value.substr(1, close - 1);
        port = value.substr(close + 2);
        if (canonicalIp(host).empty() || host.find(':') == std::string::npos) {
            return bad("\"" + value + "\": only an IPv6 address goes in brackets");
        }
    } else {
        auto colon = value.rfind(':');
        if (colon == std::string::npos) {
            return bad("\"" + value + "\" has no port: give HOST:PORT, e.g. www.example.com:443");
        }
        host = value.substr(0, colon);
        port = value.substr(colon + 1);
        if (host.find(':') != std::string::npos) {
            return bad("\"" + value + "\": write an IPv6 address in brackets, [2001:db8::1]:443");
        }
    }
    bool hostOk = !host.empty() && std::none_of(host.begin(), host.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '/';
    });
    if (!hostOk) {
        return bad("\"" + value + "\": give HOST:PORT, e.g. www.example.com:443");
    }
    if (!allDigits(port) || port.size() > 5 || std::stoi(port) < 1 || std::stoi(port) > 65535) {
        return bad("\"" + value + "\": the port must be a number from 1 to 65535");
    }
    return value;
}

Result<std::string> checkRenewBefore(const std::string& value) {
    if (auto r = lifecycle::parseRenewBefore(value); !r) {
        return badFrom(r);
    }
    return value;
}

Result<std::string> checkThreshold(const std::string& value) {
    if (auto r = lifecycle::parseThreshold(value); !r) {
        return badFrom(r);
    }
    return value;
}

Result<std::string> checkKeyGroup(const std::string& value) {
    if (!groupExists(value)) {
        return bad("there is no group \"" + value +
                   "\" on this machine: create it or give "
                   "the group the service runs as");
    }
    return value;
}

Result<std::string> checkKeyMode(const std::string& value) {
    bool octalDigits =
        value.size() >= 3 && value.size() <= 4 &&
        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '7'; });
    if (!octalDigits) {
        return bad("\"" + value + "\" is not an octal mode: write it like \"0640\"");
    }
    unsigned mode = std::stoul(value, nullptr, 8);
    if ((mode & 07000U) != 0 || (mode & 0111U) != 0) {
        return bad(octal(mode) + " has execute or special bits: a private key is data, use "
                                 "\"0600\" or \"0640\"");
    }
    if ((mode & 0007U) != 0) {
        return bad(octal(mode) + " lets every user on the machine use the private key: use "
                                 "\"0640\" with key-group, or \"0600\"");
    }
    if ((mode & 0020U) != 0) {
        return bad(octal(mode) + " lets the group replace the private key: use \"0640\"");
    }
    if ((mode & 0400U) == 0) {
        return bad(octal(mode) + " does not let the owner read the key: use \"0600\" or \"0640\"");
    }
    return octal(mode);
}

Result<std::string> checkStateDir(const std::string& value) {
    if (value.front() != '/') {
        return bad("give an absolute path, not \"" + value +
                   "\": timers and cron run certkeep from /");
    }
    return value;
}

Result<std::string> checkEmail(const std::string& value) {
    if (std::string why = emailProblem(value); !why.empty()) {
        return bad("\"" + value + "\": " + why);
    }
    return value;
}

} // namespace certkeep::cli::config
