// HTTP-01 (RFC 8555 §8.3) webroot: publish the key authorization as a static file that an
// existing web server serves. Writes are temp file + fsync + rename (never half-served).

#include "challenges/http01_webroot.hpp"

#include <cerrno>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace certkeep::challenges {

namespace fs = std::filesystem;

namespace {

constexpr mode_t kDirMode = 0755;
constexpr mode_t kFileMode = 0644;

std::string errnoText(int err) {
    return std::error_code(err, std::generic_category()).message();
}

Unexpected ioError(const std::string& what, const fs::path& path, int err) {
    return fail(ErrorKind::Io, what + " " + path.string() + ": " + errnoText(err));
}

fs::path challengeDir(const fs::path& root) {
    return root / ".well-known" / "acme-challenge";
}

// mkdir with an explicit chmod so the web server can read it whatever the umask is.
// Sets `made` when this call created the directory.
Status makeDir(const fs::path& path, bool& made) {
    made = false;
    if (::mkdir(path.c_str(), kDirMode) == 0) {
        made = true;
        if (::chmod(path.c_str(), kDirMode) != 0) {
            return ioError("cannot chmod", path, errno);
        }
        return {};
    }
    int err = errno;
    struct stat st {};
    if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        return {};
    }
    if (err == EEXIST) {
        return fail(ErrorKind::Io, "cannot create " + path.string() + ": not a directory");
    }
    return ioError("cannot create", path, err);
}

// Writes all of data to fd, retrying short writes and EINTR; returns 0 or an errno.
int writeAll(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return errno;
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return 0;
}

// Opens a fresh temp file; O_EXCL|O_NOFOLLOW so a planted file or symlink is never reused.
int openTemp(const fs::path& tmp) {
    int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::open(tmp.c_str(), flags, 0600);
    if (fd < 0 && errno == EEXIST) {
        ::unlink(tmp.c_str()); // a leftover from a crash; unlink never follows symlinks
        fd = ::open(tmp.c_str(), flags, 0600);
    }
    return fd;
}

// Fills, chmods and syncs the temp file; returns 0 or an errno. Closes fd.
int fillTemp(int fd, const std::string& content) {
    int err = writeAll(fd, content);
    if (err == 0 && ::fchmod(fd, kFileMode) != 0) {
        err = errno;
    }
    if (err == 0 && ::fsync(fd) != 0) {
        err = errno;
    }
    if (::close(fd) != 0 && err == 0) {
        err = errno;
    }
    return err;
}

// Temp file + rename: rename replaces a symlink at `target` rather than following it.
Status writeFileAtomically(const fs::path& target, const std::string& content) {
    fs::path tmp = target;
    tmp.replace_filename("." + target.filename().string() + ".tmp" + std::to_string(::getpid()));
    int fd = openTemp(tmp);
    if (fd < 0) {
        return ioError("cannot create", tmp, errno);
    }
    if (int err = fillTemp(fd, content); err != 0) {
        ::unlink(tmp.c_str());
        return ioError("cannot write", tmp, err);
    }
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return ioError("cannot rename into place", target, err);
    }
    return {};
}

} // namespace

Result<std::unique_ptr<Http01Webroot>> Http01Webroot::create(const fs::path& dir) {
    std::error_code ec;
    auto status = fs::status(dir, ec);
    if (!fs::exists(status)) {
        return fail(ErrorKind::Config, "webroot " + dir.string() + " does not exist");
    }
    if (!fs::is_directory(status)) {
        return fail(ErrorKind::Config, "webroot " + dir.string() + " is not a directory");
    }
    return std::unique_ptr<Http01Webroot>(new Http01Webroot(dir));
}

Status Http01Webroot::ensureChallengeDir() {
    for (const fs::path& path : {dir_ / ".well-known", challengeDir(dir_)}) {
        bool made = false;
        if (auto st = makeDir(path, made); !st) {
            return st;
        }
        if (made) {
            created_.push_back(path);
        }
    }
    return {};
}

void Http01Webroot::removeCreatedDirs() {
    while (!created_.empty()) {
        if (::rmdir(created_.back().c_str()) != 0 && errno != ENOENT) {
            return; // still holds other tokens (ENOTEMPTY); try again on the next cleanup
        }
        created_.pop_back();
    }
}

// RFC 8555 §8.3: the resource at /.well-known/acme-challenge/<token> is the key authorization.
Status Http01Webroot::present(const std::string& domain, const std::string& token,
                              const std::string& keyAuth) {
    if (!isValidToken(token)) { // before any path is built from it
        return fail(ErrorKind::Protocol, "server sent an invalid challenge token for " + domain);
    }
    std::lock_guard lock(mutex_);
    if (auto st = ensureChallengeDir(); !st) {
        return st;
    }
    if (auto st = writeFileAtomically(challengeDir(dir_) / token, keyAuth); !st) {
        return st;
    }
    published_.push_back(token);
    return {};
}

Status Http01Webroot::cleanup(const std::string& /*domain*/, const std::string& token) {
    if (!isValidToken(token)) {
        return {}; // present() never published it
    }
    std::lock_guard lock(mutex_);
    fs::path file = challengeDir(dir_) / token;
    if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
        return ioError("cannot remove", file, errno);
    }
    std::erase(published_, token);
    removeCreatedDirs();
    return {};
}

void Http01Webroot::withdrawAll() {
    std::lock_guard lock(mutex_);
    for (const auto& token : published_) {
        ::unlink((challengeDir(dir_) / token).c_str());
    }
    published_.clear();
    removeCreatedDirs();
}

} // namespace certkeep::challenges
