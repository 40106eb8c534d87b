// FsStore: accounts, locks, naming and the default state directory.
#include "store/fs_store.hpp"

#include "store/atomic_file.hpp"
#include "store/file_lock.hpp"

#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <pwd.h>
#include <unistd.h>

namespace certkeep::store {

namespace fs = std::filesystem;
using nlohmann::json;

FsStore::FsStore(fs::path root, StepHook hook) : root_(std::move(root)), hook_(std::move(hook)) {}

// account.json -> (url, contact); Config error when it is not the JSON we wrote.
static Status parseAccountJson(const std::string& text, const fs::path& path, AccountData* out) {
    try {
        json j = json::parse(text);
        out->url = j.value("url", std::string());
        out->contact = j.value("contact", std::string());
        return {};
    } catch (const json::exception& e) {
        return fail(ErrorKind::Config, "invalid JSON in " + path.string() + ": " + e.what());
    }
}

// A missing account.json after a crash means "key known, URL unknown": the client can
// recover the URL from the key (RFC 8555 §7.3.1 onlyReturnExisting).
Result<std::optional<AccountData>> FsStore::loadAccount(const std::string& directoryUrl) {
    fs::path dir = root_ / "accounts" / serverId(directoryUrl);
    auto key = readFile(dir / "account.key");
    if (!key) {
        if (key.error().kind == ErrorKind::NotFound) {
            return std::optional<AccountData>();
        }
        return key.takeError();
    }
    AccountData account;
    account.keyPem = std::move(*key);
    auto meta = readFile(dir / "account.json");
    if (!meta) {
        if (meta.error().kind == ErrorKind::NotFound) {
            return std::optional<AccountData>(std::move(account));
        }
        return meta.takeError();
    }
    if (auto st = parseAccountJson(*meta, dir / "account.json", &account); !st) {
        return st.takeError();
    }
    return std::optional<AccountData>(std::move(account));
}

// Order matters: a URL must never end up beside a key it does not belong to, so the old
// account.json goes before a new key is written, and the new one is written last.
Status FsStore::saveAccount(const std::string& directoryUrl, const AccountData& account) {
    fs::path dir = root_ / "accounts" / serverId(directoryUrl);
    if (auto st = ensureDir(dir); !st) {
        return st;
    }
    auto old = readFile(dir / "account.key");
    if (!old || *old != account.keyPem) {
        if (auto st = removeFileDurably(dir / "account.json"); !st) {
            return st;
        }
        if (auto st = writeFileAtomic(dir / "account.key", account.keyPem, 0600); !st) {
            return st;
        }
    }
    json j = {{"directory", directoryUrl}, {"url", account.url}, {"contact", account.contact}};
    return writeFileAtomic(dir / "account.json", j.dump(2) + "\n", 0600);
}

std::string FsStore::liveLocation(const std::string& name) const {
    return (root_ / "live" / name).string();
}

Result<LockPtr> FsStore::lock(const std::string& key, int timeoutSeconds) {
    fs::path dir = root_ / "locks";
    if (auto st = ensureDir(dir); !st) {
        return st.takeError();
    }
    return acquireFileLock(dir / lockFileName(key), key, timeoutSeconds);
}

static bool isIdChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

// Everything after "scheme://" up to a fragment, host lower-cased.
static std::string urlBody(const std::string& url) {
    std::string rest = url;
    if (auto p = rest.find("://"); p != std::string::npos) {
        rest = rest.substr(p + 3);
    }
    rest = rest.substr(0, rest.find('#'));
    if (auto at = rest.find('@'); at != std::string::npos && at < rest.find('/')) {
        rest = rest.substr(at + 1); // drop userinfo
    }
    size_t hostEnd = std::min(rest.find('/'), rest.size());
    for (size_t i = 0; i < hostEnd; ++i) {
        rest[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(rest[i])));
    }
    return rest;
}

std::string FsStore::serverId(const std::string& directoryUrl) {
    std::string id;
    for (char c : urlBody(directoryUrl)) {
        id += isIdChar(c) ? c : '_';
    }
    while (!id.empty() && id.back() == '_') {
        id.pop_back();
    }
    // Only dots and underscores (".", "..", "_..") or empty would be hidden or traverse.
    bool meaningful = id.find_first_not_of("._") != std::string::npos;
    if (!meaningful || id.size() > 120 || id[0] == '.') {
        return "server-" + hexHash(directoryUrl);
    }
    return id;
}

// Home directory from $HOME, else the password database.
static fs::path homeDir() {
    if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
        return home;
    }
    if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_dir != nullptr) {
        return pw->pw_dir;
    }
    return "/";
}

std::filesystem::path defaultStateDir() {
    if (::geteuid() == 0) {
        return "/var/lib/certkeep";
    }
    // XDG Base Directory spec: relative values are invalid and must be ignored.
    if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && xdg[0] == '/') {
        return fs::path(xdg) / "certkeep";
    }
    return homeDir() / ".local" / "state" / "certkeep";
}

} // namespace certkeep::store
