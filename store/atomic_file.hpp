#pragma once
// POSIX file helpers for the store: durable atomic writes, 0700 directories, error-coded reads.

#include "common/result.hpp"

#include <filesystem>
#include <string>
#include <sys/types.h>

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

// Creates `dir` and any missing parents with mode 0700 (chmod'ed, so umask cannot widen or
// narrow it) and fsyncs the parent of each directory created. Existing directories are kept.
Status ensureDir(const std::filesystem::path& dir);

// fsync(2) a directory so renames and new entries inside it are durable.
Status fsyncDir(const std::filesystem::path& dir);

// Creates `path` (O_EXCL, must not exist) with exactly `mode`, writes all, fsyncs, closes.
Status writeNewFile(const std::filesystem::path& path, const std::string& content, mode_t mode);

// Replaces `path` atomically: temp file in the same directory + fsync + rename + fsync dir.
// A crash leaves either the old or the new content under `path`, never a mix.
Status writeFileAtomic(const std::filesystem::path& path, const std::string& content, mode_t mode);

// Whole-file read. NotFound error when the file does not exist, Io error otherwise.
Result<std::string> readFile(const std::filesystem::path& path);

// Removes `path` if it exists, then fsyncs its directory. ENOENT is not an error.
Status removeFileDurably(const std::filesystem::path& path);

// True when `pid` is certainly gone (kill(pid, 0) says ESRCH): its leftovers are stale.
bool processIsGone(pid_t pid);

} // namespace certkeep::store
