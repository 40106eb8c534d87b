// Cross-process locks on files under locks/.
#include "store/file_lock.hpp"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace certkeep::store {

namespace fs = std::filesystem;

std::string hexHash(const std::string& text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h = (h ^ c) * 1099511628211ULL;
    }
    char buf[17];
    (void)std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

static bool isSafeChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

std::string lockFileName(const std::string& key) {
    std::string out;
    for (char c : key) {
        out += isSafeChar(c) ? c : '_';
    }
    // Keys that differ only in unsafe chars share a lock file: over-locking is harmless.
    if (out.empty() || out.size() > 100 || out != key) {
        out = out.substr(0, 80) + "-" + hexHash(key);
    }
    return out + ".lock";
}

// One non-blocking attempt; true when taken, false when held elsewhere.
static Result<bool> tryFlock(int fd, const fs::path& path) {
    for (;;) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            return true;
        }
        if (errno == EWOULDBLOCK) {
            return false;
        }
        if (errno != EINTR) {
            return ioError("locking", path, errno);
        }
    }
}

// The lock file, opened relative to locks/ and never through a link.
static Result<UniqueFd> openLockFile(const DirFd& locks, const std::string& fileName) {
    UniqueFd fd(
        ::openat(locks.fd(), fileName.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid()) {
        if (errno == ELOOP) {
            return fail(symlinkRefused(locks.pathOf(fileName)));
        }
        return ioError("opening lock file", locks.pathOf(fileName), errno);
    }
    return fd;
}

Result<LockPtr> acquireFileLock(const DirFd& locks, const std::string& fileName,
                                const std::string& what, std::chrono::seconds timeout) {
    auto fd = openLockFile(locks, fileName);
    if (!fd) {
        return fd.takeError();
    }
    fs::path path = locks.pathOf(fileName);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto taken = tryFlock(fd->get(), path);
        if (!taken) {
            return taken.takeError();
        }
        if (*taken) {
            return LockPtr(std::make_unique<FileLock>(std::move(*fd)));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return fail(ErrorKind::Local, "another certkeep process holds the lock for " + what +
                                              " (" + path.string() + "); try again later");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

} // namespace certkeep::store
