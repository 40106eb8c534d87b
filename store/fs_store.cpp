// FsStore: opening the state directory, locks, naming and the default state directory.
#include "store/fs_store.hpp"

#include "store/file_lock.hpp"

#include <cctype>
#include <cstdlib>
#include <pwd.h>
#include <unistd.h>

namespace certkeep::store {

namespace fs = std::filesystem;

FsStore::FsStore(fs::path root, StepHook hook) : root_(std::move(root)), hook_(std::move(hook)) {}

Result<std::optional<DirFd>> FsStore::openPath(std::initializer_list<std::string> parts,
                                               bool create) const {
    auto dir = DirFd::openRoot(root_, create);
    for (const auto& part : parts) {
        if (!dir || !dir->has_value()) {
            return dir;
        }
        auto next = (*dir)->openDir(part, create);
        dir = std::move(next);
    }
    return dir;
}

Result<const DirFd*> FsStore::readRoot() const {
    std::lock_guard guard(cacheMutex_);
    if (!rootFd_) {
        auto root = DirFd::openRoot(root_, false);
        if (!root || !root->has_value()) {
            return root ? Result<const DirFd*>(nullptr) : root.takeError();
        }
        rootFd_.emplace(std::move(**root));
    }
    return &*rootFd_;
}

Result<const DirFd*> FsStore::readLive() const {
    auto root = readRoot();
    if (!root || *root == nullptr) {
        return root;
    }
    std::lock_guard guard(cacheMutex_);
    if (!liveFd_) {
        auto live = (*root)->openDir("live", false);
        if (!live || !live->has_value()) {
            return live ? Result<const DirFd*>(nullptr) : live.takeError();
        }
        liveFd_.emplace(std::move(**live));
    }
    return &*liveFd_;
}

Result<DirFd> FsStore::makePath(std::initializer_list<std::string> parts) const {
    auto dir = openPath(parts, true);
    if (!dir) {
        return dir.takeError();
    }
    if (!dir->has_value()) { // openDir(create) never says "missing"; kept as a guard
        return fail(ErrorKind::Internal, "creating a directory in " + root_.string() + " failed");
    }
    return std::move(**dir);
}

void FsStore::step(std::string_view name) const {
    if (hook_) {
        hook_(name);
    }
}

std::string FsStore::liveLocation(const std::string& name) const {
    return (root_ / "live" / name).string();
}

// The lock file name stays "cert-NAME.lock", so older and newer processes exclude each other.
Result<LockPtr> FsStore::lockCertificate(const std::string& name, std::chrono::seconds timeout) {
    if (auto valid = checkCertName(name); !valid) {
        return valid.takeError();
    }
    auto locks = makePath({"locks"});
    if (!locks) {
        return locks.takeError();
    }
    return acquireFileLock(*locks, lockFileName("cert-" + name), "certificate " + name, timeout);
}

Result<LockPtr> FsStore::lockAccount(const std::string& directoryUrl,
                                     std::chrono::seconds timeout) {
    auto locks = makePath({"locks"});
    if (!locks) {
        return locks.takeError();
    }
    return acquireFileLock(*locks, lockFileName("account-" + serverId(directoryUrl)),
                           "the account at " + directoryUrl, timeout);
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
