// FsStore certificates: immutable numbered versions claimed by compare-and-swap, and the
// atomically switched live link.
#include "store/atomic_file.hpp"
#include "store/fs_store.hpp"
#include "store/key_access.hpp"
#include "store/live_link.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace certkeep::store {

namespace {

// The files of one version and their modes; privkey is the only secret (its mode and group
// come from the version's KeyAccess).
struct VersionFile {
    const char* name;
    std::string CertVersion::*field;
    mode_t mode;
};
constexpr VersionFile kVersionFiles[] = {
    {"cert.pem", &CertVersion::certPem, 0644},
    {"chain.pem", &CertVersion::chainPem, 0644},
    {"fullchain.pem", &CertVersion::fullchainPem, 0644},
    {"privkey.pem", &CertVersion::keyPem, 0600},
    {"meta.json", &CertVersion::metaJson, 0644},
};

// How many taken numbers a save steps over before it gives up.
constexpr int kMaxClaims = 64;

// Highest numbered entry in archive/NAME: only where the search for a free number starts.
Result<int> highestVersion(const DirFd& archive) {
    auto entries = archive.list();
    if (!entries) {
        return entries.takeError();
    }
    int highest = 0;
    for (const auto& e : *entries) {
        highest = std::max(highest, parseVersionNumber(e.name));
    }
    return highest;
}

constexpr const char* kKeyFile = "privkey.pem";

// Writes every file of `v` into the fresh directory `dir`, then syncs the directory. With a
// key group, the directory becomes that group's (r-x) before anyone could look for it.
Status writeVersionFiles(const DirFd& dir, const CertVersion& v, const ResolvedKeyAccess& access) {
    for (const auto& f : kVersionFiles) {
        bool key = std::string_view(f.name) == kKeyFile;
        Status st = key ? writeNewFile(dir, f.name, v.*f.field, access.mode, access.gid)
                        : writeNewFile(dir, f.name, v.*f.field, f.mode);
        if (!st) {
            return st;
        }
    }
    if (access.gid) {
        if (auto granted = grantListing(dir, *access.gid); !granted) {
            return granted;
        }
    }
    return dir.sync();
}

// RENAME_NOREPLACE renames `tmp` to the first free number from `n`: the compare-and-swap
// that keeps two writers from ever sharing a number.
Result<int> claimNumber(const DirFd& archive, const std::string& tmp, int n) {
    for (int tries = 0; tries < kMaxClaims; ++tries, ++n) {
        std::string dest = std::to_string(n);
        if (::renameat2(archive.fd(), tmp.c_str(), archive.fd(), dest.c_str(), RENAME_NOREPLACE) ==
            0) {
            return n;
        }
        if (errno != EEXIST) {
            return ioError("renaming " + archive.pathOf(tmp).string() + " to", archive.pathOf(dest),
                           errno);
        }
    }
    return fail(ErrorKind::Io, "no free version number in " + archive.path().string() + " after " +
                                   std::to_string(kMaxClaims) + " tries");
}

} // namespace

Result<int> FsStore::writeVersion(const DirFd& archive, const CertVersion& version,
                                  const ResolvedKeyAccess& access) {
    auto highest = highestVersion(archive);
    if (!highest) {
        return highest.takeError();
    }
    std::string tmp = ".tmp-" + std::to_string(*highest + 1) + "-" + ownerSuffix();
    if (auto cleared = removeTree(archive, tmp); !cleared) { // ours, from an earlier attempt
        return cleared.takeError();
    }
    auto dir = archive.openDir(tmp, true);
    if (!dir) {
        return dir.takeError();
    }
    step("version-dir");
    Status written = writeVersionFiles(**dir, version, access);
    Result<int> n = written ? claimNumber(archive, tmp, *highest + 1) : written.takeError();
    if (!n) {
        (void)removeTree(archive, tmp); // the first error is the one to report
        return n;
    }
    if (auto synced = archive.sync(); !synced) {
        return synced.takeError();
    }
    return n;
}

// Points live/NAME at ../archive/NAME/N via a temp link renamed over it (atomic). Whatever
// else sits at live/NAME is refused, never replaced.
Status FsStore::switchLive(const DirFd& live, const std::string& name, int number) {
    std::string tmp = "." + name + ".tmp-" + ownerSuffix();
    (void)::unlinkat(live.fd(), tmp.c_str(), 0); // ours: left by an earlier attempt
    if (::symlinkat(liveTarget(name, number).c_str(), live.fd(), tmp.c_str()) != 0) {
        return ioError("creating symlink", live.pathOf(tmp), errno);
    }
    step("symlink-created");
    if (auto current = readLiveLink(live, name); !current) {
        (void)::unlinkat(live.fd(), tmp.c_str(), 0);
        return current.takeError();
    }
    if (::renameat(live.fd(), tmp.c_str(), live.fd(), name.c_str()) != 0) {
        int err = errno;
        (void)::unlinkat(live.fd(), tmp.c_str(), 0);
        return ioError("replacing symlink", live.pathOf(name), err);
    }
    return live.sync();
}

// key-group: the state root, archive/ and live/ gain search permission for the group (an ACL
// entry), archive/NAME becomes the group's (r-x). accounts/ and state/ are never widened.
Status FsStore::grantKeyPath(const DirFd& archiveName, const DirFd& live, gid_t gid) {
    auto root = makePath({});
    auto top = root ? makePath({"archive"}) : root.takeError();
    if (!top) {
        return top.takeError();
    }
    for (const DirFd* dir : std::initializer_list<const DirFd*>{&*root, &*top, &live}) {
        if (auto granted = grantSearch(*dir, gid); !granted) {
            return granted;
        }
    }
    return grantListing(archiveName, gid);
}

// Nothing foreign at live/NAME is checked before the version is written, and again just
// before the switch. The KeyAccess is checked before anything is written.
Result<int> FsStore::saveCertificate(const std::string& name, const CertVersion& version) {
    if (auto valid = checkCertName(name); !valid) {
        return valid.takeError();
    }
    auto access = resolveKeyAccess(version.keyAccess);
    if (!access) {
        return access.takeError();
    }
    if (auto cleaned = removeLeftovers(name); !cleaned) {
        return cleaned.takeError();
    }
    auto archive = makePath({"archive", name});
    auto live = archive ? makePath({"live"}) : archive.takeError();
    if (!live) {
        return live.takeError();
    }
    if (auto current = readLiveLink(*live, name); !current) {
        return current.takeError();
    }
    if (access->gid) {
        if (auto granted = grantKeyPath(*archive, *live, *access->gid); !granted) {
            return granted.takeError();
        }
    }
    auto n = writeVersion(*archive, version, *access);
    if (!n) {
        return n;
    }
    step("files-written");
    if (auto switched = switchLive(*live, name, *n); !switched) {
        return switched.takeError();
    }
    step("switched");
    return n;
}

// Reads the version the link names, straight from the immutable archive, so a concurrent
// switch cannot mix files from two versions.
Result<std::optional<CertVersion>> FsStore::loadLive(const std::string& name) {
    if (auto valid = checkCertName(name); !valid) {
        return valid.takeError();
    }
    auto live = openPath({"live"}, false);
    if (!live || !live->has_value()) {
        return live ? Result<std::optional<CertVersion>>(std::nullopt) : live.takeError();
    }
    auto number = readLiveLink(**live, name);
    if (!number || !number->has_value()) {
        return number ? Result<std::optional<CertVersion>>(std::nullopt) : number.takeError();
    }
    auto version = loadVersion(name, **number);
    if (!version) {
        return fail(ErrorKind::Config,
                    "live certificate " + name + " is unreadable: " + version.error().message);
    }
    return std::optional<CertVersion>(std::move(*version));
}

// Only live/NAME's link and archive/NAME/N/meta.json are read, each in one openat2 when all
// is well: renew calls this for every stored name, so no key or certificate file is opened.
Result<std::optional<std::pair<int, std::string>>> FsStore::loadLiveMeta(const std::string& name) {
    using Meta = std::optional<std::pair<int, std::string>>;
    if (auto valid = checkCertName(name); !valid) {
        return valid.takeError();
    }
    auto live = readLive();
    if (!live || *live == nullptr) {
        return live ? Result<Meta>(std::nullopt) : live.takeError();
    }
    auto number = readLiveLink(**live, name);
    if (!number || !number->has_value()) {
        return number ? Result<Meta>(std::nullopt) : number.takeError();
    }
    auto root = readRoot();
    if (!root) {
        return root.takeError();
    }
    auto meta = readFileBelow(**root, {"archive", name, std::to_string(**number)}, "meta.json");
    if (!meta) {
        return meta.takeError();
    }
    if (!meta->has_value()) {
        return fail(ErrorKind::Config, "live certificate " + name + " is unreadable: " +
                                           liveLocation(name) + "/meta.json is missing");
    }
    return Meta(std::pair<int, std::string>(**number, std::move(**meta)));
}

Result<CertVersion> FsStore::loadVersion(const std::string& name, int number) {
    if (auto valid = checkCertName(name); !valid) {
        return valid.takeError();
    }
    auto notFound = fail(ErrorKind::NotFound,
                         "version " + std::to_string(number) + " of " + name + " does not exist");
    auto archive = openPath({"archive", name}, false);
    if (!archive || !archive->has_value() || number < 1) {
        return archive ? notFound : archive.takeError();
    }
    auto dir = (*archive)->openDir(std::to_string(number), false);
    if (!dir || !dir->has_value()) {
        return dir ? notFound : dir.takeError();
    }
    CertVersion v;
    v.number = number;
    for (const auto& f : kVersionFiles) {
        auto content = readFile(**dir, f.name);
        if (!content || !content->has_value()) {
            return content
                       ? fail(ErrorKind::Config, (*dir)->pathOf(f.name).string() + " is missing")
                       : content.takeError();
        }
        v.*f.field = std::move(**content);
    }
    struct stat st {};
    if (::fstatat((*dir)->fd(), kKeyFile, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return ioError("inspecting", (*dir)->pathOf(kKeyFile), errno);
    }
    v.keyAccess = keyAccessOf(st.st_mode, st.st_gid);
    return v;
}

Result<std::vector<int>> FsStore::listVersions(const std::string& name) {
    if (auto valid = checkCertName(name); !valid) {
        return valid.takeError();
    }
    auto archive = openPath({"archive", name}, false);
    if (!archive || !archive->has_value()) {
        return archive ? Result(std::vector<int>{}) : archive.takeError();
    }
    auto entries = (*archive)->list();
    if (!entries) {
        return entries.takeError();
    }
    std::vector<int> numbers;
    for (const auto& e : *entries) {
        int n = parseVersionNumber(e.name);
        if (n > 0 && e.type == EntryType::Symlink) {
            return fail(symlinkRefused((*archive)->pathOf(e.name)));
        }
        if (n > 0 && e.type == EntryType::Directory) {
            numbers.push_back(n);
        }
    }
    std::sort(numbers.begin(), numbers.end());
    return numbers;
}

// Links with a valid NAME; anything else in live/ is not a certificate and is skipped.
Result<std::vector<std::string>> FsStore::listCertificates() {
    auto live = openPath({"live"}, false);
    if (!live || !live->has_value()) {
        return live ? Result(std::vector<std::string>{}) : live.takeError();
    }
    auto entries = (*live)->list();
    if (!entries) {
        return entries.takeError();
    }
    std::vector<std::string> names;
    for (const auto& e : *entries) {
        if (e.type == EntryType::Symlink && isValidCertName(e.name)) {
            names.push_back(e.name);
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace certkeep::store
