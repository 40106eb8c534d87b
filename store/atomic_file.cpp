// POSIX helpers: every durable write goes through here.
#include "store/atomic_file.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace certkeep::store {

namespace fs = std::filesystem;

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = other.release();
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    close();
}

int UniqueFd::release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
}

int UniqueFd::close() {
    if (fd_ < 0) {
        return 0;
    }
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
}

Error ioError(const std::string& what, const fs::path& path, int err) {
    return makeError(ErrorKind::Io, what + " " + path.string() + ": " + std::strerror(err));
}

// mkdir one level with mode 0700; an existing directory is fine.
static Status makeOneDir(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0700) == 0) {
        if (::chmod(dir.c_str(), 0700) != 0) {
            return ioError("setting mode of", dir, errno);
        }
        return fsyncDir(dir.parent_path().empty() ? fs::path(".") : dir.parent_path());
    }
    int err = errno;
    struct stat st {};
    if (err == EEXIST && ::stat(dir.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            return {};
        }
        return fail(ErrorKind::Config, dir.string() + " exists and is not a directory");
    }
    return ioError("creating directory", dir, err);
}

Status ensureDir(const fs::path& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        return {};
    }
    fs::path parent = dir.parent_path();
    if (!parent.empty() && parent != dir) {
        if (auto st2 = ensureDir(parent); !st2) {
            return st2;
        }
    }
    return makeOneDir(dir);
}

Status fsyncDir(const fs::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) {
        return ioError("opening directory", dir, errno);
    }
    if (::fsync(fd.get()) != 0) {
        return ioError("syncing directory", dir, errno);
    }
    return {};
}

// write(2) until everything is written, retrying on EINTR.
static Status writeAll(int fd, const std::string& content, const fs::path& path) {
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return ioError("writing", path, errno);
        }
        done += static_cast<size_t>(n);
    }
    return {};
}

Status writeNewFile(const fs::path& path, const std::string& content, mode_t mode) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd.valid()) {
        return ioError("creating", path, errno);
    }
    if (::fchmod(fd.get(), mode) != 0) {
        return ioError("setting mode of", path, errno);
    }
    if (auto st = writeAll(fd.get(), content, path); !st) {
        return st;
    }
    if (::fsync(fd.get()) != 0) {
        return ioError("syncing", path, errno);
    }
    if (int err = fd.close(); err != 0) {
        return ioError("closing", path, err);
    }
    return {};
}

// Unique temp name beside `path`: ".<name>.tmp-<pid>-<counter>".
static fs::path tempSibling(const fs::path& path) {
    static std::atomic<unsigned> counter{0};
    return path.parent_path() / ("." + path.filename().string() + ".tmp-" +
                                 std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

Status writeFileAtomic(const fs::path& path, const std::string& content, mode_t mode) {
    fs::path tmp = tempSibling(path);
    ::unlink(tmp.c_str()); // only a dead process that had our pid can have left this name
    if (auto st = writeNewFile(tmp, content, mode); !st) {
        ::unlink(tmp.c_str());
        return st;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return ioError("renaming temp file to", path, err);
    }
    return fsyncDir(path.parent_path());
}

Result<std::string> readFile(const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        int err = errno;
        if (err == ENOENT) {
            return fail(ErrorKind::NotFound, path.string() + " does not exist");
        }
        return ioError("opening", path, err);
    }
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n == 0) {
            return out;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return ioError("reading", path, errno);
        }
        out.append(buf, static_cast<size_t>(n));
    }
}

Status removeFileDurably(const fs::path& path) {
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) {
            return {};
        }
        return ioError("removing", path, errno);
    }
    return fsyncDir(path.parent_path());
}

bool processIsGone(pid_t pid) {
    return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
}

} // namespace certkeep::store
