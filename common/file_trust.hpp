#pragma once
// Files root acts on (the config, hook programs, secret files) must not be replaceable by
// another user, as sudo and cron require of theirs.

#include "common/result.hpp"

#include <string>

namespace certkeep {

// Success when `path` (resolved through symlinks) and every directory above it are owned by
// root or the effective user and are not writable by group or others. A root-owned directory
// with the sticky bit (as /tmp) is accepted above the file: no one else can replace entries in
// it. Config error naming `what`, the offending path and the fix otherwise, e.g.
// "config /etc/certkeep/certkeep.toml is writable by other users (mode 0666): chmod go-w it".
Status checkTrustedFile(const std::string& path, const std::string& what);

// A secret (EAB HMAC key, API key) from a file: trailing newlines and spaces dropped. Config
// error naming `what` and the path when it cannot be read or is empty. With `trusted`, the
// file must also pass checkTrustedFile.
Result<std::string> readSecretFile(const std::string& path, const std::string& what, bool trusted);

} // namespace certkeep
