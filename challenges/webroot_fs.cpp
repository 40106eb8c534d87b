// The webroot solver's filesystem steps: every name is resolved relative to an open
// directory descriptor, symlinks are followed only when root owns them, and modes are set
// with fchmod on the descriptor we created, never through a path.

#include "challenges/webroot_fs.hpp"

#include <cerrno>
#include <climits>
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
constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;

std::string errnoText(int err) {
    return std::error_code(err, std::generic_category()).message();
}

Unexpected configError(const fs::path& path, const std::string& what) {
    return fail(ErrorKind::Config, "webroot: " + path.string() + " " + what);
}

Unexpected ioError(const std::string& what, const fs::path& path, int err) {
    return fail(ErrorKind::Io,
                "webroot: cannot " + what + " " + path.string() + ": " + errnoText(err));
}

// The directory a root-owned symlink names must belong to root or to us: anyone else could
// swap what is inside it.
Result<WebrootDir> checkLinkTarget(UniqueFd fd, const fs::path& path, const std::string& target) {
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return configError(path, "(symlink to " + target + "): cannot stat: " + errnoText(errno));
    }
    if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
        return configError(path, "is a symlink to " + target + ", a directory owned by uid " +
                                     std::to_string(st.st_uid) +
                                     "; refusing to follow it (make the target owned by root, "
                                     "or replace the symlink with a directory)");
    }
    return WebrootDir{std::move(fd), false};
}

// `name` exists but is not a plain directory: follow it only when it is a root-owned symlink.
// The O_PATH descriptor pins the link, so the owner checked is the owner of the text read.
Result<WebrootDir> openSymlinkedDir(int parent, const fs::path& path, const char* name) {
    UniqueFd link(::openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    if (!link.valid() || ::fstat(link.get(), &st) != 0) {
        return configError(path, "cannot be opened: " + errnoText(errno));
    }
    if (!S_ISLNK(st.st_mode)) {
        return configError(path, "is not a directory");
    }
    if (st.st_uid != 0) {
        return configError(path, "is a symlink owned by uid " + std::to_string(st.st_uid) +
                                     "; refusing to follow it (remove it, or make it a "
                                     "directory)");
    }
    std::string target(PATH_MAX, '\0');
    ssize_t n = ::readlinkat(link.get(), "", target.data(), target.size());
    if (n < 0) {
        return configError(path, "is a symlink that cannot be read: " + errnoText(errno));
    }
    target.resize(static_cast<size_t>(n));
    UniqueFd fd(::openat(parent, target.c_str(), kDirFlags)); // an absolute target ignores parent
    if (!fd.valid()) {
        return configError(path,
                           "is a symlink to " + target +
                               ", which cannot be opened as a directory: " + errnoText(errno));
    }
    return checkLinkTarget(std::move(fd), path, target);
}

// Opens the directory mkdirat() just made (O_NOFOLLOW: it may have been swapped since) and
// sets its mode with fchmod, whatever the umask.
Result<WebrootDir> openMadeDir(int parent, const fs::path& path, const char* name) {
    UniqueFd fd(::openat(parent, name, kDirFlags | O_NOFOLLOW));
    if (!fd.valid()) {
        return configError(path, "was replaced right after it was created: " + errnoText(errno));
    }
    if (::fchmod(fd.get(), kDirMode) != 0) {
        return ioError("chmod", path, errno);
    }
    return WebrootDir{std::move(fd), true};
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

// A fresh temp file; O_EXCL|O_NOFOLLOW so a planted file or symlink is never reused.
int openTemp(int dir, const std::string& tmp) {
    int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::openat(dir, tmp.c_str(), flags, 0600);
    if (fd < 0 && errno == EEXIST) {
        (void)::unlinkat(dir, tmp.c_str(), 0); // a leftover of a crash; never follows symlinks
        fd = ::openat(dir, tmp.c_str(), flags, 0600);
    }
    return fd;
}

} // namespace

Result<UniqueFd> openWebroot(const fs::path& dir) {
    UniqueFd fd(::open(dir.c_str(), kDirFlags));
    if (fd.valid()) {
        return fd;
    }
    switch (int err = errno) {
    case ENOENT:
        return configError(dir, "does not exist");
    case ENOTDIR:
        return configError(dir, "is not a directory");
    default:
        return configError(dir, "cannot be opened: " + errnoText(err));
    }
}

Result<WebrootDir> openWebrootDir(int parent, const fs::path& parentPath, const char* name,
                                  bool create) {
    const fs::path path = parentPath / name;
    for (int attempt = 0; attempt < 3; ++attempt) {
        UniqueFd fd(::openat(parent, name, kDirFlags | O_NOFOLLOW));
        if (fd.valid()) {
            return WebrootDir{std::move(fd), false};
        }
        int err = errno;
        if (err == ELOOP || err == ENOTDIR) {
            return openSymlinkedDir(parent, path, name);
        }
        if (err != ENOENT) {
            return configError(path, "cannot be opened: " + errnoText(err));
        }
        if (!create) {
            return fail(ErrorKind::NotFound, "webroot: " + path.string() + " does not exist");
        }
        if (::mkdirat(parent, name, kDirMode) == 0) {
            return openMadeDir(parent, path, name);
        }
        if (errno != EEXIST) { // EEXIST: made by someone else meanwhile; open it again
            return configError(path, "cannot be created: " + errnoText(errno));
        }
    }
    return configError(path, "keeps changing while it is opened");
}

Status checkWritable(int dir, const fs::path& dirPath) {
    if (::faccessat(dir, ".", W_OK | X_OK, AT_EACCESS) != 0) {
        return configError(dirPath, "is not writable for uid " + std::to_string(::geteuid()) +
                                        ": " + errnoText(errno));
    }
    return {};
}

Status writeFileAt(int dir, const fs::path& dirPath, const std::string& name,
                   const std::string& content) {
    std::string tmp;
    tmp.reserve(name.size() + 32);
    tmp.append(".").append(name).append(".tmp").append(std::to_string(::getpid()));
    int fd = openTemp(dir, tmp);
    if (fd < 0) {
        return ioError("create", dirPath / tmp, errno);
    }
    if (int err = fillTemp(fd, content); err != 0) {
        (void)::unlinkat(dir, tmp.c_str(), 0);
        return ioError("write", dirPath / tmp, err);
    }
    if (::renameat(dir, tmp.c_str(), dir, name.c_str()) != 0) {
        int err = errno;
        (void)::unlinkat(dir, tmp.c_str(), 0);
        return ioError("rename into place", dirPath / name, err);
    }
    return {};
}

Result<std::string> readFileAt(int dir, const fs::path& dirPath, const std::string& name,
                               size_t limit) {
    // O_NONBLOCK: a FIFO planted at the name must not hang us.
    UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) {
        int err = errno;
        return fail(err == ENOENT ? ErrorKind::NotFound : ErrorKind::Io,
                    "webroot: cannot read " + (dirPath / name).string() + ": " + errnoText(err));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return fail(ErrorKind::Io,
                    "webroot: " + (dirPath / name).string() + " is not a regular file");
    }
    std::string out(limit, '\0');
    size_t got = 0;
    while (got < limit) {
        ssize_t n = ::read(fd.get(), out.data() + got, limit - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return ioError("read", dirPath / name, errno);
        }
        if (n == 0) {
            break;
        }
        got += static_cast<size_t>(n);
    }
    out.resize(got);
    return out;
}

Status removeFileAt(int dir, const fs::path& dirPath, const std::string& name) {
    if (::unlinkat(dir, name.c_str(), 0) != 0 && errno != ENOENT) {
        return ioError("remove", dirPath / name, errno);
    }
    return {};
}

} // namespace certkeep::challenges
