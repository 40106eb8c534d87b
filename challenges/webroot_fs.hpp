#pragma once
// Filesystem steps of the webroot solver, all relative to open directory descriptors so that
// no path a web user can swap is ever followed, chmod-ed or written through.

#include "challenges/unique_fd.hpp"
#include "common/result.hpp"

#include <filesystem>
#include <string>

namespace certkeep::challenges {

// An open directory below the webroot; `created` when this call made it.
struct WebrootDir {
    UniqueFd fd;
    bool created = false;
};

// Opens the webroot the operator named (a symlink there is the operator's own choice).
// Config error when it does not exist, is not a directory or cannot be opened.
Result<UniqueFd> openWebroot(const std::filesystem::path& dir);

// Opens directory `name` inside `parent` (shown as parentPath/name) without following a
// symlink that a non-root user owns. A root-owned symlink is the operator's layout and is
// followed when its target is owned by root or by us. With `create`, a missing directory is
// made 0755 (fchmod, whatever the umask); without it, missing is a NotFound error. Config
// error for anything else (not a directory, a refused symlink, no permission).
Result<WebrootDir> openWebrootDir(int parent, const std::filesystem::path& parentPath,
                                  const char* name, bool create);

// Config error unless we may create entries in `dir` (shown as dirPath): the preflight for
// a directory that openWebrootDir(create) would have to make or write into.
Status checkWritable(int dir, const std::filesystem::path& dirPath);

// Writes `name` in `dir` as mode 0644: temp file (O_EXCL|O_NOFOLLOW), write, fchmod, fsync,
// then renameat over the name, which replaces a symlink there instead of following it.
Status writeFileAt(int dir, const std::filesystem::path& dirPath, const std::string& name,
                   const std::string& content);

// Reads regular file `name` in `dir` (never through a symlink), at most `limit` bytes.
// NotFound error when it is missing, Io error otherwise.
Result<std::string> readFileAt(int dir, const std::filesystem::path& dirPath,
                               const std::string& name, size_t limit);

// Removes `name` from `dir`; succeeds when it is already gone.
Status removeFileAt(int dir, const std::filesystem::path& dirPath, const std::string& name);

} // namespace certkeep::challenges
