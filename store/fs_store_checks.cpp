// FsStore checks before contacting the CA, and removal of what interrupted writes left.
#include "store/atomic_file.hpp"
#include "store/fs_store.hpp"
#include "store/live_link.hpp"

#include <unistd.h>
#include <vector>

namespace certkeep::store {

// Creates the top-level directories a save needs, checks that nothing foreign sits at
// archive/NAME, state/NAME or live/NAME, and writes a probe file. Nothing is created for NAME
// itself: a run that fails before issuing leaves no empty directories named after it.
Status FsStore::probeWritable(const std::string& name) {
    auto archive = makePath({"archive"});
    if (!archive) {
        return archive.takeError();
    }
    for (const char* top : {"archive", "state"}) {
        if (auto mine = openPath({top, name}, false); !mine) {
            return mine.takeError();
        }
    }
    auto live = makePath({"live"});
    if (!live) {
        return live.takeError();
    }
    if (auto current = readLiveLink(*live, name); !current) {
        return current.takeError();
    }
    for (const char* top : {"state", "locks"}) {
        if (auto dir = makePath({top}); !dir) {
            return dir.takeError();
        }
    }
    std::string probe = ".probe-" + ownerSuffix();
    if (auto written = writeNewFile(*archive, probe, "", 0600); !written) {
        (void)::unlinkat(archive->fd(), probe.c_str(), 0);
        return written;
    }
    return removeFile(*archive, probe);
}

// Io errors (no permission, read-only filesystem) become Config errors: the operator must
// fix the state directory before anything is asked of the CA.
Status FsStore::checkWritable(const std::string& name) {
    if (auto valid = checkCertName(name); !valid) {
        return valid;
    }
    Status checked = probeWritable(name);
    if (!checked && checked.error().kind == ErrorKind::Io) {
        return fail(ErrorKind::Config, "state directory " + root_.string() +
                                           " is not writable: " + checked.error().message);
    }
    return checked;
}

namespace {

// A temporary-name prefix and whether a version number precedes the owner.
struct TempKind {
    std::string prefix;
    bool numbered = false;
};

// Removes stale temporary entries of the given kinds in `dir`, when it exists.
Status cleanDir(Result<std::optional<DirFd>> dir, const std::vector<TempKind>& kinds) {
    if (!dir || !dir->has_value()) {
        return dir ? Status() : Status(dir.takeError());
    }
    for (const auto& kind : kinds) {
        if (auto removed = removeStaleTemps(**dir, kind.prefix, kind.numbered); !removed) {
            return removed;
        }
    }
    return {};
}

} // namespace

// Temporary entries of gone writers: version directories (they hold a private key), versions
// and certificates being removed, live links, probe files and records' temp files. A link where a
// directory belongs is refused.
Status FsStore::removeLeftovers(const std::string& name) {
    if (auto valid = checkCertName(name); !valid) {
        return valid;
    }
    if (auto st = cleanDir(openPath({"archive", name}, false),
                           {{".tmp-", true}, {".rm-", true}, {".probe-"}});
        !st) {
        return st;
    }
    if (auto st = cleanDir(openPath({"archive"}, false), {{".probe-"}, {removalPrefix(name)}});
        !st) {
        return st;
    }
    if (auto st = cleanDir(openPath({"state"}, false), {{removalPrefix(name)}}); !st) {
        return st;
    }
    if (auto st = cleanDir(openPath({"live"}, false), {{"." + name + ".tmp-"}}); !st) {
        return st;
    }
    return cleanDir(openPath({"state", name}, false),
                    {{".settings.json.tmp-"}, {".renewal.json.tmp-"}, {".pending.json.tmp-"}});
}

} // namespace certkeep::store
