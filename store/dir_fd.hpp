#pragma once
// Directory descriptors for the store. Every path inside the state directory is reached from
// a descriptor with openat(2) and O_NOFOLLOW, so no component can be swapped for a link.

#include "common/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::store {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
  public:
    explicit UniqueFd(int fd = -1) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();

    [[nodiscard]] int get() const { return fd_; }
    [[nodiscard]] bool valid() const { return fd_ >= 0; }
    int release();
    // Closes now, reporting the close(2) error (write-back failures can surface here).
    int close();

  private:
    int fd_;
};

// Io error "<what> <path>: <strerror(err)>".
Error ioError(const std::string& what, const std::filesystem::path& path, int err);

// Config error: a link inside the state directory, which the store never follows.
Error symlinkRefused(const std::filesystem::path& path);

// What an entry is, seen without following a link.
enum class EntryType { Missing, Directory, Regular, Symlink, Other };

struct DirEntry {
    std::string name;
    EntryType type = EntryType::Other;
};

// An open directory of the store and the path it is shown as in messages.
class DirFd {
  public:
    // The state directory. A link to it is followed: it is the operator's choice. When it is
    // missing: nullopt, or created 0700 with missing parents when `create`. Config error
    // "state directory <path> is not a directory" when it is something else.
    static Result<std::optional<DirFd>> openRoot(const std::filesystem::path& root, bool create);

    // Child directory `name`: created 0700 when missing and `create`, else nullopt. Config
    // error when it is a symlink (whoever owns it) or not a directory.
    [[nodiscard]] Result<std::optional<DirFd>> openDir(const std::string& name, bool create) const;
    // Type of the entry `name`, not following a link.
    [[nodiscard]] Result<EntryType> typeOf(const std::string& name) const;
    // Every entry except "." and "..", in directory order.
    [[nodiscard]] Result<std::vector<DirEntry>> list() const;
    // Opens `relative` ("a/b/file") below this directory in one openat2(2) call that refuses
    // every link on the way and leaving the directory (RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH):
    // the fast path of a walk with openDir. Invalid fd and `err` set on failure (ENOSYS on
    // kernels before 5.6); callers redo the walk for the exact error.
    [[nodiscard]] UniqueFd openBeneath(const std::string& relative, int flags, int& err) const;
    // Target of the symlink `name`, as stored.
    [[nodiscard]] Result<std::string> readLink(const std::string& name) const;
    // fsync(2) the directory so new entries and renames inside it are durable.
    [[nodiscard]] Status sync() const;

    [[nodiscard]] int fd() const { return fd_.get(); }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::filesystem::path pathOf(const std::string& name) const {
        return path_ / name;
    }

  private:
    DirFd(UniqueFd fd, std::filesystem::path path) : fd_(std::move(fd)), path_(std::move(path)) {}

    UniqueFd fd_;
    std::filesystem::path path_;
};

} // namespace certkeep::store
