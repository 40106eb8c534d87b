#pragma once
// What is decided before a hook starts: which file runs, and the environment it gets.

#include "common/result.hpp"
#include "hooks/event.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace certkeep::hooks {

// PATH when the process has none (the default of sudo's secure_path).
inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The file to run for `program`: as given when it holds a '/', else the first executable regular
// file of that name in `searchPath` (relative and empty entries skipped: root must not run
// whatever sits in the current directory). It must be a regular file executable by us and, when
// we run as root, pass checkTrustedFile. Config error naming `event`, the program and the fix.
Result<std::string> resolveHookProgram(const std::string& program, const std::string& event,
                                       const std::string& searchPath);

// The process's PATH, or kDefaultPath when unset or empty.
std::string processPath();

// Longest CERTKEEP_* value: the kernel refuses any one over 128 KiB (MAX_ARG_STRLEN), and an
// error text may carry a server's whole answer. The JSON on stdin always has everything.
inline constexpr std::size_t kMaxEnvValue = 16 * 1024;

// The hook's environment as "NAME=value" entries: this process's environment without the
// CERTKEEP_* variables and without `dropEnv`, plus hookEnvironment(event) (NULs replaced,
// values cut at kMaxEnvValue on a UTF-8 character boundary).
std::vector<std::string> childEnvironment(const HookEvent& event,
                                          const std::vector<std::string>& dropEnv);

} // namespace certkeep::hooks
