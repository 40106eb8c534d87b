// key-group / key-mode: checks, group lookup and directory permissions. Shared directories get
// a POSIX ACL entry (system.posix_acl_access, written without libacl) so that several groups
// can each search them while their mode stays 0700 for everyone else.
#include "store/key_access.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <endian.h>
#include <grp.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <vector>

namespace certkeep::store {

std::optional<unsigned> parseKeyMode(std::string_view text) {
    if (text.size() < 3 || text.size() > 4 || text.find_first_not_of("01234567") != text.npos) {
        return std::nullopt;
    }
    unsigned mode = 0;
    for (char c : text) {
        mode = mode * 8 + static_cast<unsigned>(c - '0');
    }
    return mode;
}

std::string formatKeyMode(unsigned mode) {
    char buf[16];
    (void)std::snprintf(buf, sizeof buf, "%04o", mode);
    return buf;
}

// A mode that would expose the key, or make it unreadable to its owner, is refused.
Status checkKeyMode(unsigned mode) {
    std::string shown = "key-mode " + formatKeyMode(mode);
    if ((mode & ~0777U) != 0) {
        return fail(ErrorKind::Usage, shown + " has bits beyond 0777; use 0640 or 0600");
    }
    if ((mode & 0007U) != 0) {
        return fail(ErrorKind::Usage, shown + " gives other users access to the private key; use "
                                              "0640 with key-group, or 0600");
    }
    if ((mode & 0400U) == 0) {
        return fail(ErrorKind::Usage,
                    shown + " does not let the owner read the key; use 0640 or 0600");
    }
    return {};
}

namespace {

// getgrnam_r with a growing buffer; nullopt when there is no such group.
Result<std::optional<gid_t>> lookupGroup(const std::string& name) {
    std::vector<char> buf(1024);
    for (;;) {
        group entry{};
        group* found = nullptr;
        int rc = ::getgrnam_r(name.c_str(), &entry, buf.data(), buf.size(), &found);
        if (rc == ERANGE && buf.size() < (1U << 20)) {
            buf.resize(buf.size() * 4);
            continue;
        }
        if (rc != 0 && rc != ENOENT && rc != ESRCH) {
            return fail(ioError("key-group " + name + ": looking up", "/etc/group", rc));
        }
        return found != nullptr ? std::optional<gid_t>(found->gr_gid) : std::nullopt;
    }
}

// A group's name from getgrgid_r, or its number when it has none.
std::string groupName(gid_t gid) {
    std::vector<char> buf(4096);
    group entry{};
    group* found = nullptr;
    if (::getgrgid_r(gid, &entry, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
        return found->gr_name;
    }
    return std::to_string(gid);
}

} // namespace

Result<ResolvedKeyAccess> resolveKeyAccess(const KeyAccess& access) {
    if (auto mode = checkKeyMode(access.mode); !mode) {
        return mode.takeError();
    }
    ResolvedKeyAccess out;
    out.mode = static_cast<mode_t>(access.mode);
    if (access.group.empty()) {
        return out;
    }
    auto gid = lookupGroup(access.group);
    if (!gid) {
        return gid.takeError();
    }
    if (!gid->has_value() && access.group.size() <= 9 &&
        access.group.find_first_not_of("0123456789") == std::string::npos) {
        *gid = static_cast<gid_t>(std::stoul(access.group)); // a number, as chgrp takes it
    }
    if (!gid->has_value()) {
        return fail(ErrorKind::Config,
                    "key-group " + access.group + ": no such group; create it or fix key-group");
    }
    out.gid = **gid;
    return out;
}

KeyAccess keyAccessOf(mode_t mode, gid_t gid) {
    KeyAccess out;
    out.mode = mode & 07777U;
    out.group = gid == ::getegid() ? "" : groupName(gid);
    return out;
}

namespace {

constexpr const char* kAclName = "system.posix_acl_access";

struct AclEntry {
    uint16_t tag = 0;
    uint16_t perm = 0;
    uint32_t id = static_cast<uint32_t>(ACL_UNDEFINED_ID);
};

// The directory's access ACL; one derived from its mode when it has none. Errno on failure.
std::vector<AclEntry> readAcl(int fd, mode_t mode, int& err) {
    err = 0;
    std::vector<char> buf(4096);
    ssize_t n = ::fgetxattr(fd, kAclName, buf.data(), buf.size());
    if (n < 0 && errno != ENODATA) {
        err = errno;
        return {};
    }
    if (n < 0) { // no ACL yet: the three entries the mode stands for
        return {{ACL_USER_OBJ, static_cast<uint16_t>((mode >> 6) & 7U)},
                {ACL_GROUP_OBJ, static_cast<uint16_t>((mode >> 3) & 7U)},
                {ACL_OTHER, static_cast<uint16_t>(mode & 7U)}};
    }
    std::vector<AclEntry> out;
    size_t header = sizeof(posix_acl_xattr_header);
    for (size_t off = header; off + sizeof(posix_acl_xattr_entry) <= static_cast<size_t>(n);
         off += sizeof(posix_acl_xattr_entry)) {
        posix_acl_xattr_entry raw{};
        std::copy_n(buf.data() + off, sizeof raw, reinterpret_cast<char*>(&raw));
        out.push_back({le16toh(raw.e_tag), le16toh(raw.e_perm), le32toh(raw.e_id)});
    }
    return out;
}

// Adds search for `gid` (and to the mask, which limits named entries); false when present.
bool addGroupSearch(std::vector<AclEntry>& acl, gid_t gid) {
    auto find = [&acl](uint16_t tag, uint32_t id) {
        return std::find_if(acl.begin(), acl.end(), [&](const AclEntry& e) {
            return e.tag == tag && (tag != ACL_GROUP || e.id == id);
        });
    };
    auto named = find(ACL_GROUP, gid);
    auto mask = find(ACL_MASK, 0);
    bool masked = mask == acl.end() || (mask->perm & ACL_EXECUTE) != 0;
    if (named != acl.end() && (named->perm & ACL_EXECUTE) != 0 && masked) {
        return false;
    }
    if (mask != acl.end()) {
        mask->perm |= ACL_EXECUTE;
    } else { // the owning group keeps exactly what it had
        auto owning = find(ACL_GROUP_OBJ, 0);
        uint16_t perm = owning == acl.end() ? 0 : owning->perm;
        acl.push_back({ACL_MASK, static_cast<uint16_t>(perm | ACL_EXECUTE)});
    }
    named = find(ACL_GROUP, gid); // push_back may have moved the entries
    if (named == acl.end()) {
        acl.push_back({ACL_GROUP, ACL_EXECUTE, gid});
    } else {
        named->perm |= ACL_EXECUTE;
    }
    return true;
}

// The kernel wants entries ordered by tag, then id.
int writeAcl(int fd, std::vector<AclEntry> acl) {
    std::sort(acl.begin(), acl.end(), [](const AclEntry& a, const AclEntry& b) {
        return a.tag != b.tag ? a.tag < b.tag : a.id < b.id;
    });
    std::vector<char> buf(sizeof(posix_acl_xattr_header));
    posix_acl_xattr_header header{htole32(POSIX_ACL_XATTR_VERSION)};
    std::copy_n(reinterpret_cast<const char*>(&header), sizeof header, buf.begin());
    for (const auto& e : acl) {
        posix_acl_xattr_entry raw{htole16(e.tag), htole16(e.perm), htole32(e.id)};
        const char* bytes = reinterpret_cast<const char*>(&raw);
        buf.insert(buf.end(), bytes, bytes + sizeof raw);
    }
    return ::fsetxattr(fd, kAclName, buf.data(), buf.size(), 0) == 0 ? 0 : errno;
}

// Without ACLs: the directory's own group, if it is `gid` already or still the owner's.
Status grantSearchByMode(const DirFd& dir, gid_t gid, const struct stat& st) {
    bool free = st.st_gid == ::getegid() && (st.st_mode & 0070U) == 0;
    if (st.st_gid != gid && !free) {
        return fail(ErrorKind::Config, dir.path().string() + " already gives group " +
                                           groupName(st.st_gid) +
                                           " access and its filesystem has no ACLs; key-group " +
                                           groupName(gid) + " cannot be added");
    }
    if (st.st_gid != gid && ::fchown(dir.fd(), static_cast<uid_t>(-1), gid) != 0) {
        return ioError("changing the group of", dir.path(), errno);
    }
    if (::fchmod(dir.fd(), (st.st_mode & 07777U) | 0010U) != 0) {
        return ioError("setting mode of", dir.path(), errno);
    }
    return {};
}

} // namespace

// Read, add, write, read again: a concurrent writer adding another group may overwrite our
// entry, so the loop ends only once our entry is seen (or after a few rounds).
Status grantSearch(const DirFd& dir, gid_t gid) {
    for (int round = 0; round < 8; ++round) {
        struct stat st {};
        if (::fstat(dir.fd(), &st) != 0) {
            return ioError("inspecting", dir.path(), errno);
        }
        int err = 0;
        auto acl = readAcl(dir.fd(), st.st_mode, err);
        if (err == 0 && !addGroupSearch(acl, gid)) {
            return {};
        }
        err = err == 0 ? writeAcl(dir.fd(), std::move(acl)) : err;
        if (err == ENOTSUP || err == EOPNOTSUPP) {
            return grantSearchByMode(dir, gid, st);
        }
        if (err != 0) {
            return ioError("giving group " + groupName(gid) + " search permission on", dir.path(),
                           err);
        }
    }
    return fail(ErrorKind::Io, "giving group " + groupName(gid) + " search permission on " +
                                   dir.path().string() + " did not hold; try again");
}

Status grantListing(const DirFd& dir, gid_t gid) {
    struct stat st {};
    if (::fstat(dir.fd(), &st) != 0) {
        return ioError("inspecting", dir.path(), errno);
    }
    if (st.st_gid != gid && ::fchown(dir.fd(), static_cast<uid_t>(-1), gid) != 0) {
        return ioError("changing the group of", dir.path(), errno);
    }
    if ((st.st_mode & 07777U) != 0750U && ::fchmod(dir.fd(), 0750) != 0) {
        return ioError("setting mode of", dir.path(), errno);
    }
    return {};
}

} // namespace certkeep::store
