// Every durable write of the store goes through here, relative to a directory descriptor.
#include "store/atomic_file.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace certkeep::store {

// write(2) until everything is written, retrying on EINTR.
static Status writeAll(int fd, const std::string& content, const DirFd& dir,
                       const std::string& name) {
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return ioError("writing", dir.pathOf(name), errno);
        }
        done += static_cast<size_t>(n);
    }
    return {};
}

// Created 0600 and widened only after the group is set: nobody else reads it on the way.
Status writeNewFile(const DirFd& dir, const std::string& name, const std::string& content,
                    mode_t mode, std::optional<gid_t> group) {
    UniqueFd fd(::openat(dir.fd(), name.c_str(),
                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0600U));
    if (!fd.valid()) {
        return ioError("creating", dir.pathOf(name), errno);
    }
    if (group && ::fchown(fd.get(), static_cast<uid_t>(-1), *group) != 0) {
        return ioError("changing the group of", dir.pathOf(name), errno);
    }
    if (::fchmod(fd.get(), mode) != 0) {
        return ioError("setting mode of", dir.pathOf(name), errno);
    }
    if (auto written = writeAll(fd.get(), content, dir, name); !written) {
        return written;
    }
    if (::fsync(fd.get()) != 0) {
        return ioError("syncing", dir.pathOf(name), errno);
    }
    if (int err = fd.close(); err != 0) {
        return ioError("closing", dir.pathOf(name), err);
    }
    return {};
}

Status writeFileAtomic(const DirFd& dir, const std::string& name, const std::string& content,
                       mode_t mode) {
    // Unique among live threads; an entry by that name was left by a thread that is gone.
    std::string tmp = "." + name + ".tmp-" + ownerSuffix();
    (void)::unlinkat(dir.fd(), tmp.c_str(), 0);
    if (auto written = writeNewFile(dir, tmp, content, mode); !written) {
        (void)::unlinkat(dir.fd(), tmp.c_str(), 0);
        return written;
    }
    if (::renameat(dir.fd(), tmp.c_str(), dir.fd(), name.c_str()) != 0) {
        int err = errno;
        (void)::unlinkat(dir.fd(), tmp.c_str(), 0);
        return ioError("renaming temp file to", dir.pathOf(name), err);
    }
    return dir.sync();
}

Result<std::optional<std::string>> readFile(const DirFd& dir, const std::string& name) {
    // O_NONBLOCK: a planted FIFO must not hang the open; it is refused below.
    UniqueFd fd(::openat(dir.fd(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) {
        int err = errno;
        if (err == ENOENT) {
            return std::optional<std::string>();
        }
        return err == ELOOP ? fail(symlinkRefused(dir.pathOf(name)))
                            : fail(ioError("opening", dir.pathOf(name), err));
    }
    auto content = readOpenedFile(fd, dir, name);
    if (!content) {
        return content.takeError();
    }
    return std::optional<std::string>(std::move(*content));
}

// Store files are replaced by rename, never changed in place. The first read(2) asks for more
// than any record holds: Linux returns less from a regular file only at its end, so a record is
// one read and no fstat (renew reads three per certificate, for thousands of them). Nothing
// read, or a full buffer: fstat tells an empty file from a FIFO or a device, and gives the size
// of a large file.
Result<std::string> readOpenedFile(const UniqueFd& fd, const DirFd& dir, const std::string& name) {
    constexpr size_t kFirstRead = 16384;
    thread_local std::array<char, kFirstRead> first;
    ssize_t n = 0;
    do {
        n = ::read(fd.get(), first.data(), first.size());
    } while (n < 0 && errno == EINTR);
    if (n > 0 && static_cast<size_t>(n) < first.size()) {
        return std::string(first.data(), static_cast<size_t>(n));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return fail(ErrorKind::Config, dir.pathOf(name).string() + " is not a regular file");
    }
    if (n < 0) {
        return ioError("reading", dir.pathOf(name), errno);
    }
    std::string out(first.data(), static_cast<size_t>(n));
    size_t done = out.size();
    out.resize(std::max(static_cast<size_t>(st.st_size), done) + 1);
    for (;;) {
        if (done == out.size()) {
            out.resize(out.size() * 2);
        }
        n = ::read(fd.get(), out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return ioError("reading", dir.pathOf(name), errno);
        }
        done += static_cast<size_t>(n);
        if (n == 0 || (done >= static_cast<size_t>(st.st_size) && done < out.size())) {
            out.resize(done);
            return out;
        }
    }
}

Result<std::optional<std::string>>
readFileBelow(const DirFd& root, std::initializer_list<std::string> dirs, const std::string& file) {
    std::string relative;
    for (const auto& d : dirs) {
        relative += d + "/";
    }
    relative += file;
    int err = 0;
    UniqueFd fd = root.openBeneath(relative, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, err);
    if (fd.valid()) {
        auto content = readOpenedFile(fd, root, relative);
        return content ? std::optional<std::string>(std::move(*content))
                       : Result<std::optional<std::string>>(content.takeError());
    }
    if (err == ENOENT) {
        return std::optional<std::string>();
    }
    std::optional<DirFd> dir; // the walk: a link or a file on the way gets its own message
    const DirFd* at = &root;
    for (const auto& d : dirs) {
        auto next = at->openDir(d, false);
        if (!next || !next->has_value()) {
            return next ? Result<std::optional<std::string>>(std::nullopt) : next.takeError();
        }
        dir = std::move(**next);
        at = &*dir;
    }
    return readFile(*at, file);
}

Status removeFile(const DirFd& dir, const std::string& name) {
    if (::unlinkat(dir.fd(), name.c_str(), 0) != 0) {
        return errno == ENOENT ? Status() : Status(ioError("removing", dir.pathOf(name), errno));
    }
    return dir.sync();
}

// Empties and removes directory `name`; `depth` bounds the recursion.
static Status removeDirTree(const DirFd& dir, const std::string& name, int depth) {
    auto sub = dir.openDir(name, false);
    if (!sub || !sub->has_value()) {
        return sub ? Status() : Status(sub.takeError());
    }
    auto entries = (*sub)->list();
    if (!entries) {
        return entries.takeError();
    }
    for (const auto& e : *entries) {
        bool isDir = e.type == EntryType::Directory;
        if (isDir && depth > 8) {
            return fail(ErrorKind::Io,
                        "not removing " + (*sub)->pathOf(e.name).string() + ": nested too deeply");
        }
        Status removed =
            isDir ? removeDirTree(**sub, e.name, depth + 1) : Status(removeFile(**sub, e.name));
        if (!removed) {
            return removed;
        }
    }
    if (::unlinkat(dir.fd(), name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
        return ioError("removing", dir.pathOf(name), errno);
    }
    return dir.sync();
}

Status removeTree(const DirFd& dir, const std::string& name) {
    auto type = dir.typeOf(name);
    if (!type) {
        return type.takeError();
    }
    if (*type == EntryType::Directory) {
        return removeDirTree(dir, name, 0);
    }
    return removeFile(dir, name);
}

std::string ownerSuffix() {
    return std::to_string(::gettid()) + "-" + std::to_string(::getpid());
}

// A positive number from all-digit text, or 0.
static pid_t parsePid(std::string_view s) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) {
        return 0;
    }
    pid_t n = 0;
    for (char c : s) {
        n = n * 10 + (c - '0');
    }
    return n;
}

std::optional<TempOwner> parseOwner(std::string_view suffix) {
    TempOwner owner;
    auto dash = suffix.find('-');
    if (dash != std::string_view::npos) {
        owner.tid = parsePid(suffix.substr(0, dash));
        if (owner.tid == 0) {
            return std::nullopt;
        }
        suffix = suffix.substr(dash + 1);
    }
    owner.pid = parsePid(suffix);
    return owner.pid == 0 ? std::nullopt : std::optional<TempOwner>(owner);
}

bool ownerIsGone(const TempOwner& owner) {
    if (owner.pid != ::getpid()) {
        return processIsGone(owner.pid);
    }
    // Ours: a name without a thread id is from an earlier process that had our pid.
    if (owner.tid == 0 || owner.tid == ::gettid()) {
        return true;
    }
    return ::tgkill(owner.pid, owner.tid, 0) != 0 && errno == ESRCH;
}

// The owner in a temporary entry's name, or nullopt when `name` is not one.
static std::optional<TempOwner> tempOwner(const std::string& name, const std::string& prefix,
                                          bool numbered) {
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) {
        return std::nullopt;
    }
    std::string_view rest(name);
    rest.remove_prefix(prefix.size());
    if (numbered) {
        auto dash = rest.find('-');
        if (dash == std::string_view::npos || parsePid(rest.substr(0, dash)) == 0) {
            return std::nullopt;
        }
        rest.remove_prefix(dash + 1);
    }
    return parseOwner(rest);
}

Status removeStaleTemps(const DirFd& dir, const std::string& prefix, bool numbered) {
    auto entries = dir.list();
    if (!entries) {
        return entries.takeError();
    }
    for (const auto& e : *entries) {
        auto owner = tempOwner(e.name, prefix, numbered);
        if (owner && ownerIsGone(*owner)) {
            if (auto removed = removeTree(dir, e.name); !removed) {
                return removed;
            }
        }
    }
    return {};
}

bool processIsGone(pid_t pid) {
    return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
}

} // namespace certkeep::store
