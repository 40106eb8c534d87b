#pragma once
// File operations relative to a store directory descriptor: durable atomic writes, reads that
// refuse links, removal, and the names of temporary entries with the owner that made them.

#include "common/result.hpp"
#include "store/dir_fd.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace certkeep::store {

// Creates `name` in `dir` (must not exist; never through a link) with exactly `mode` (and
// group `group` when given, set before any content is written), writes all of `content`,
// fsyncs and closes it.
Status writeNewFile(const DirFd& dir, const std::string& name, const std::string& content,
                    mode_t mode, std::optional<gid_t> group = std::nullopt);

// Replaces `name` in `dir` atomically: temp file + fsync + renameat + fsync of the directory.
// A crash leaves either the old or the new content under `name`, never a mix.
Status writeFileAtomic(const DirFd& dir, const std::string& name, const std::string& content,
                       mode_t mode);

// Whole-file read; nullopt when `name` does not exist. Config error when it is a link or not
// a regular file, Io error when reading fails.
Result<std::optional<std::string>> readFile(const DirFd& dir, const std::string& name);

// readFile of `root`/dirs.../file: one openat2(2) when all is well (renew reads records of
// thousands of names), else a walk with openDir for the exact error. nullopt when the file or
// a directory on the way is missing.
Result<std::optional<std::string>>
readFileBelow(const DirFd& root, std::initializer_list<std::string> dirs, const std::string& file);

// readFile's checks and read on an already opened `fd`, the file `name` below `dir`, named
// in messages (the path is only put together for a message).
Result<std::string> readOpenedFile(const UniqueFd& fd, const DirFd& dir, const std::string& name);

// Removes the file `name` and fsyncs `dir`; a missing file is not an error.
Status removeFile(const DirFd& dir, const std::string& name);

// Removes the entry `name` and, for a directory, everything below it; links are removed,
// never followed. A missing entry is not an error.
Status removeTree(const DirFd& dir, const std::string& name);

// Who made a temporary entry: its name ends in "<tid>-<pid>" (or "<pid>" in older names).
struct TempOwner {
    pid_t tid = 0; // 0 when the name does not say
    pid_t pid = 0;
};

// The suffix of a temporary name made by this thread of this process: "<tid>-<pid>".
std::string ownerSuffix();

// The owner from a suffix "<tid>-<pid>" or "<pid>" (digits only), or nullopt.
std::optional<TempOwner> parseOwner(std::string_view suffix);

// True when nothing can still be writing the entry: the process is gone, or it is this
// process and the thread is gone or is the calling thread.
bool ownerIsGone(const TempOwner& owner);

// Removes the entries of `dir` named "<prefix><owner>" (with `numbered`: "<prefix><N>-<owner>")
// whose owner is gone. Other entries are left alone.
Status removeStaleTemps(const DirFd& dir, const std::string& prefix, bool numbered);

// True when `pid` is certainly gone (kill(pid, 0) says ESRCH): its leftovers are stale.
bool processIsGone(pid_t pid);

} // namespace certkeep::store
