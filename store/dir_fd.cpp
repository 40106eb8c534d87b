// openat(2)-based traversal of the state directory: links inside it are refused, not followed.
#include "store/dir_fd.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

Error symlinkRefused(const fs::path& path) {
    return makeError(ErrorKind::Config,
                     path.string() +
                         " is a symlink; certkeep refuses to follow links inside its state "
                         "directory");
}

static Error notADirectory(const fs::path& path) {
    return makeError(ErrorKind::Config, path.string() + " is not a directory; move it away");
}

// fsync(2) the directory at `path` (outside the store: used only while creating the root).
static Status syncPath(const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) {
        return ioError("opening directory", path, errno);
    }
    if (::fsync(fd.get()) != 0) {
        return ioError("syncing directory", path, errno);
    }
    return {};
}

// mkdir -p for the state directory and its parents, each new one 0700 whatever the umask.
static Status createRootPath(const fs::path& dir) {
    fs::path parent = dir.parent_path();
    struct stat st {};
    if (!parent.empty() && parent != dir && ::stat(parent.c_str(), &st) != 0) {
        if (auto made = createRootPath(parent); !made) {
            return made;
        }
    }
    if (::mkdir(dir.c_str(), 0700) != 0) {
        return errno == EEXIST ? Status() : ioError("creating directory", dir, errno);
    }
    if (::chmod(dir.c_str(), 0700) != 0) {
        return ioError("setting mode of", dir, errno);
    }
    return syncPath(parent.empty() ? fs::path(".") : parent);
}

Result<std::optional<DirFd>> DirFd::openRoot(const fs::path& root, bool create) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (fd.valid()) {
            return std::optional<DirFd>(DirFd(std::move(fd), root));
        }
        int err = errno;
        if (err == ENOTDIR) {
            return fail(ErrorKind::Config,
                        "state directory " + root.string() + " is not a directory");
        }
        if (err != ENOENT) {
            return ioError("opening state directory", root, err);
        }
        if (!create) {
            return std::optional<DirFd>();
        }
        if (auto made = createRootPath(root); !made) {
            return made.takeError();
        }
    }
    return ioError("opening state directory", root, ENOENT);
}

Result<EntryType> DirFd::typeOf(const std::string& name) const {
    struct stat st {};
    if (::fstatat(fd_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) {
            return EntryType::Missing;
        }
        return ioError("inspecting", pathOf(name), errno);
    }
    if (S_ISDIR(st.st_mode)) {
        return EntryType::Directory;
    }
    if (S_ISLNK(st.st_mode)) {
        return EntryType::Symlink;
    }
    return S_ISREG(st.st_mode) ? EntryType::Regular : EntryType::Other;
}

// Creates child `name`; false when a concurrent creator won the race (which is fine).
static Result<bool> makeChild(const DirFd& parent, const std::string& name) {
    if (::mkdirat(parent.fd(), name.c_str(), 0700) != 0) {
        if (errno == EEXIST) {
            return false;
        }
        return ioError("creating directory", parent.pathOf(name), errno);
    }
    if (auto synced = parent.sync(); !synced) {
        return synced.takeError();
    }
    return true;
}

Result<std::optional<DirFd>> DirFd::openDir(const std::string& name, bool create) const {
    bool created = false;
    for (int attempt = 0; attempt < 3; ++attempt) {
        UniqueFd fd(
            ::openat(fd_.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (fd.valid()) {
            // mkdirat's mode is narrowed by the umask: set 0700 exactly, by descriptor.
            if (created && ::fchmod(fd.get(), 0700) != 0) {
                return ioError("setting mode of", pathOf(name), errno);
            }
            return std::optional<DirFd>(DirFd(std::move(fd), pathOf(name)));
        }
        int err = errno;
        auto type = typeOf(name);
        if (!type) {
            return type.takeError();
        }
        if (*type == EntryType::Symlink) {
            return symlinkRefused(pathOf(name));
        }
        if (*type == EntryType::Directory) {
            if (err == ENOENT) {
                continue; // another process created it between our open and our look
            }
            return ioError("opening directory", pathOf(name), err);
        }
        if (*type != EntryType::Missing) {
            return notADirectory(pathOf(name));
        }
        if (!create) {
            return std::optional<DirFd>();
        }
        auto made = makeChild(*this, name);
        if (!made) {
            return made.takeError();
        }
        created = *made;
    }
    return ioError("opening directory", pathOf(name), ENOENT);
}

// d_type when the filesystem reports it, else fstatat.
static Result<EntryType> entryType(const DirFd& dir, const dirent& e) {
    switch (e.d_type) {
    case DT_DIR:
        return EntryType::Directory;
    case DT_REG:
        return EntryType::Regular;
    case DT_LNK:
        return EntryType::Symlink;
    case DT_UNKNOWN:
        return dir.typeOf(e.d_name);
    default:
        return EntryType::Other;
    }
}

Result<std::vector<DirEntry>> DirFd::list() const {
    // A fresh open file description: its read position is not shared with fd_.
    int fd = ::openat(fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR* dir = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (dir == nullptr) {
        int err = errno;
        if (fd >= 0) {
            ::close(fd);
        }
        return ioError("listing", path_, err);
    }
    std::vector<DirEntry> out;
    Status status;
    for (;;) {
        errno = 0;
        const dirent* e = ::readdir(dir);
        if (e == nullptr) {
            status = errno == 0 ? Status() : Status(ioError("listing", path_, errno));
            break;
        }
        std::string name = e->d_name;
        if (name == "." || name == "..") {
            continue;
        }
        auto type = entryType(*this, *e);
        if (!type) {
            status = type.takeError();
            break;
        }
        out.push_back({name, *type});
    }
    ::closedir(dir);
    if (!status) {
        return status.takeError();
    }
    return out;
}

UniqueFd DirFd::openBeneath(const std::string& relative, int flags, int& err) const {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags);
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, fd_.get(), relative.c_str(), &how, sizeof how);
    err = fd < 0 ? errno : 0;
    return UniqueFd(static_cast<int>(fd));
}

Result<std::string> DirFd::readLink(const std::string& name) const {
    std::string buf(4096, '\0');
    ssize_t n = ::readlinkat(fd_.get(), name.c_str(), buf.data(), buf.size());
    if (n < 0) {
        return ioError("reading symlink", pathOf(name), errno);
    }
    buf.resize(static_cast<size_t>(n));
    return buf;
}

Status DirFd::sync() const {
    if (::fsync(fd_.get()) != 0) {
        return ioError("syncing directory", path_, errno);
    }
    return {};
}

} // namespace certkeep::store
