// FsStore removal: one old version (retention), or everything stored for a name. Whatever is
// removed is first renamed to a temporary name, so a half-removed directory never looks like
// a version or a certificate; removeLeftovers finishes what a crash interrupted.
#include "store/atomic_file.hpp"
#include "store/fs_store.hpp"
#include "store/live_link.hpp"

#include <cerrno>
#include <cstdio>
#include <functional>
#include <unistd.h>

namespace certkeep::store {

namespace {

// Renames `from` in `dir` to `tmp`, syncs `dir`, calls `renamed`, then removes `tmp` with
// everything below it. False (and nothing done) when `from` does not exist.
Result<bool> renameAndRemove(const DirFd& dir, const std::string& from, const std::string& tmp,
                             const std::function<void()>& renamed) {
    if (auto cleared = removeTree(dir, tmp); !cleared) { // ours, from an earlier attempt
        return cleared.takeError();
    }
    if (::renameat(dir.fd(), from.c_str(), dir.fd(), tmp.c_str()) != 0) {
        if (errno == ENOENT) {
            return false;
        }
        return ioError("renaming " + dir.pathOf(from).string() + " to", dir.pathOf(tmp), errno);
    }
    if (auto synced = dir.sync(); !synced) {
        return synced.takeError();
    }
    renamed();
    if (auto removed = removeTree(dir, tmp); !removed) {
        return removed.takeError();
    }
    return true;
}

// Refuses a link or a file where a directory of the store belongs; false when missing.
Result<bool> isStoreDir(const DirFd& dir, const std::string& name) {
    auto type = dir.typeOf(name);
    if (!type) {
        return type.takeError();
    }
    switch (*type) {
    case EntryType::Missing:
        return false;
    case EntryType::Directory:
        return true;
    case EntryType::Symlink:
        return fail(symlinkRefused(dir.pathOf(name)));
    default:
        return fail(ErrorKind::Config,
                    dir.pathOf(name).string() + " is not a directory; move it away");
    }
}

// Removes `top`/NAME (archive or state) via `tmp`; false when there was none.
Result<bool> removeNameDir(Result<std::optional<DirFd>> top, const std::string& name,
                           const std::string& tmp, const std::function<void()>& renamed) {
    if (!top || !top->has_value()) {
        return top ? Result<bool>(false) : top.takeError();
    }
    auto present = isStoreDir(**top, name);
    if (!present || !*present) {
        return present;
    }
    return renameAndRemove(**top, name, tmp, renamed);
}

// Removes live/NAME (synced) when it is certkeep's link; false when there is none. Anything
// else there is refused, as everywhere.
Result<bool> removeLiveLink(Result<std::optional<DirFd>> live, const std::string& name) {
    if (!live || !live->has_value()) {
        return live ? Result<bool>(false) : live.takeError();
    }
    auto current = readLiveLink(**live, name);
    if (!current || !current->has_value()) {
        return current ? Result<bool>(false) : current.takeError();
    }
    if (auto unlinked = removeFile(**live, name); !unlinked) {
        return unlinked.takeError();
    }
    return true;
}

} // namespace

std::string FsStore::removalPrefix(const std::string& name) {
    return "." + name + ".rm-";
}

// archive/NAME/N -> archive/NAME/.rm-N-<owner> -> gone. The live link is read just before, and
// only versions it does not name are removed.
Status FsStore::removeVersion(const std::string& name, int number) {
    if (auto valid = checkCertName(name); !valid) {
        return valid;
    }
    auto notFound = fail(ErrorKind::NotFound,
                         "version " + std::to_string(number) + " of " + name + " does not exist");
    auto archive = openPath({"archive", name}, false);
    if (!archive || !archive->has_value() || number < 1) {
        return archive ? Status(notFound) : Status(archive.takeError());
    }
    auto live = openPath({"live"}, false);
    auto current = live && live->has_value() ? readLiveLink(**live, name)
                                             : Result<std::optional<int>>(std::nullopt);
    if (!live || !current) {
        return live ? Status(current.takeError()) : Status(live.takeError());
    }
    if (*current == number) {
        return fail(ErrorKind::Usage, "version " + std::to_string(number) + " of " + name +
                                          " is the live one; it cannot be removed");
    }
    std::string entry = std::to_string(number);
    auto present = isStoreDir(**archive, entry);
    if (!present || !*present) {
        return present ? Status(notFound) : Status(present.takeError());
    }
    auto removed = renameAndRemove(**archive, entry, ".rm-" + entry + "-" + ownerSuffix(),
                                   [this] { step("version-renamed"); });
    if (!removed || !*removed) {
        return removed ? Status(notFound) : Status(removed.takeError());
    }
    return {};
}

// live/NAME goes first, so no reader ever follows it into a removed version; then archive/NAME
// and state/NAME. The lock file stays: a process waiting on it still excludes the others.
Status FsStore::removeCertificate(const std::string& name) {
    if (auto valid = checkCertName(name); !valid) {
        return valid;
    }
    if (auto cleaned = removeLeftovers(name); !cleaned) {
        return cleaned;
    }
    auto live = removeLiveLink(openPath({"live"}, false), name);
    if (!live) {
        return live.takeError();
    }
    bool found = *live;
    if (found) {
        step("live-removed");
    }
    for (const char* top : {"archive", "state"}) {
        auto removed =
            removeNameDir(openPath({top}, false), name, removalPrefix(name) + ownerSuffix(),
                          [this, top] { step(std::string(top) + "-renamed"); });
        if (!removed) {
            return removed.takeError();
        }
        found = found || *removed;
    }
    if (!found) {
        return fail(ErrorKind::NotFound, "no certificate named " + name + " is stored");
    }
    return {};
}

} // namespace certkeep::store
