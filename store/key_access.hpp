#pragma once
// Who may read a certificate's private key besides its owner (key-group / key-mode): the checks
// on a KeyAccess, and applying it to the key file's directories. Services such as haproxy read
// the key as their own group; every other user stays locked out.

#include "common/result.hpp"
#include "store/dir_fd.hpp"
#include "store/records.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace certkeep::store {

// "0640" -> 0640: 3 or 4 octal digits (a leading 0 is optional), nullopt otherwise.
std::optional<unsigned> parseKeyMode(std::string_view text);
// 0640 -> "0640".
std::string formatKeyMode(unsigned mode);

// Usage error naming the mode when it gives other users any access, has bits beyond 0777 or
// lacks owner read (config and command-line checks call this too).
Status checkKeyMode(unsigned mode);

// A KeyAccess checked and resolved: the group id (nullopt = leave the owner's group) and mode.
struct ResolvedKeyAccess {
    std::optional<gid_t> gid;
    mode_t mode = 0600;
};

// checkKeyMode's Usage error; Config error "key-group NAME: no such group" when the group does
// not exist. A group may also be given as a number.
Result<ResolvedKeyAccess> resolveKeyAccess(const KeyAccess& access);

// The KeyAccess a key file has: its mode, and its group's name when that is not the calling
// process's group ("" then).
KeyAccess keyAccessOf(mode_t mode, gid_t gid);

// A directory shared by every certificate (the state root, archive/, live/): `gid` gains
// search permission only (no listing), as a POSIX ACL entry so that several groups can
// share it. Without ACL support, the directory's own group is used when nobody else has it.
Status grantSearch(const DirFd& dir, gid_t gid);

// A directory of one certificate (archive/NAME, a version): group `gid`, mode 0750.
Status grantListing(const DirFd& dir, gid_t gid);

} // namespace certkeep::store
