// FsStore certificates: versioned archive directories and the atomically switched live link.
#include "store/atomic_file.hpp"
#include "store/fs_store.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace certkeep::store {

namespace fs = std::filesystem;

namespace {

// The files of one version and their modes; privkey is the only secret.
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

// Positive version number from an all-digit directory name, or 0.
int parseVersion(const std::string& s) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) {
        return 0;
    }
    return std::stoi(s);
}

// The pid at the end of a leftover name "<prefix><...>-<pid>", or 0.
pid_t trailingPid(const std::string& s) {
    auto dash = s.rfind('-');
    return dash == std::string::npos ? 0 : parseVersion(s.substr(dash + 1));
}

// Highest numbered entry in archive/NAME (temp dirs and other leftovers are ignored).
Result<int> highestVersion(const fs::path& archiveDir) {
    std::error_code ec;
    int highest = 0;
    for (fs::directory_iterator it(archiveDir, ec), end; !ec && it != end; it.increment(ec)) {
        highest = std::max(highest, parseVersion(it->path().filename().string()));
    }
    if (ec) {
        return ioError("listing", archiveDir, ec.value());
    }
    return highest;
}

// Best effort: removes temp entries starting with `prefix` left by processes that died.
void removeStale(const fs::path& dir, const std::string& prefix) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::string n = it->path().filename().string();
        if (n.rfind(prefix, 0) == 0 && processIsGone(trailingPid(n))) {
            std::error_code ignored;
            fs::remove_all(it->path(), ignored);
        }
    }
}

// Writes every file of `v` into the fresh directory `dir`, then syncs the directory.
Status writeVersionFiles(const fs::path& dir, const CertVersion& v) {
    for (const auto& f : kVersionFiles) {
        if (auto st = writeNewFile(dir / f.name, v.*f.field, f.mode); !st) {
            return st;
        }
    }
    return fsyncDir(dir);
}

// Builds archive/NAME/.tmp-N-<pid> and renames it to archive/NAME/N.
Status writeArchiveVersion(const fs::path& archiveDir, int n, const CertVersion& v,
                           const FsStore::StepHook& hook) {
    fs::path tmp = archiveDir / (".tmp-" + std::to_string(n) + "-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::remove_all(tmp, ec); // our own pid: a leftover of an earlier, abandoned attempt
    if (auto st = ensureDir(tmp); !st) {
        return st;
    }
    if (hook) {
        hook("version-dir");
    }
    Status st = writeVersionFiles(tmp, v);
    fs::path dest = archiveDir / std::to_string(n);
    if (st && ::rename(tmp.c_str(), dest.c_str()) != 0) {
        st = ioError("renaming " + tmp.string() + " to", dest, errno);
    }
    if (!st) {
        fs::remove_all(tmp, ec);
        return st;
    }
    return fsyncDir(archiveDir);
}

// Points live/NAME at ../archive/NAME/N via a temp symlink renamed over it (atomic).
Status switchLive(const fs::path& liveDir, const std::string& name, int n,
                  const FsStore::StepHook& hook) {
    fs::path tmp = liveDir / ("." + name + ".tmp-" + std::to_string(::getpid()));
    std::string target = "../archive/" + name + "/" + std::to_string(n);
    ::unlink(tmp.c_str());
    if (::symlink(target.c_str(), tmp.c_str()) != 0) {
        return ioError("creating symlink", tmp, errno);
    }
    if (hook) {
        hook("symlink-created");
    }
    fs::path live = liveDir / name;
    if (::rename(tmp.c_str(), live.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return ioError("replacing symlink", live, err);
    }
    return fsyncDir(liveDir);
}

} // namespace

Result<int> FsStore::saveCertificate(const std::string& name, const CertVersion& version) {
    if (!isValidCertName(name)) {
        return fail(ErrorKind::Usage, "invalid certificate name \"" + name +
                                          "\": use letters, digits, '.', '_' or '-'");
    }
    fs::path archiveDir = root_ / "archive" / name;
    fs::path liveDir = root_ / "live";
    for (const auto& dir : {archiveDir, liveDir}) {
        if (auto st = ensureDir(dir); !st) {
            return st.takeError();
        }
    }
    removeStale(archiveDir, ".tmp-");
    removeStale(liveDir, "." + name + ".tmp-");
    auto highest = highestVersion(archiveDir);
    if (!highest) {
        return highest.takeError();
    }
    int n = *highest + 1;
    if (auto st = writeArchiveVersion(archiveDir, n, version, hook_); !st) {
        return st.takeError();
    }
    if (hook_) {
        hook_("files-written");
    }
    if (auto st = switchLive(liveDir, name, n, hook_); !st) {
        return st.takeError();
    }
    if (hook_) {
        hook_("switched");
    }
    return n;
}

// Reads the version the symlink target names, straight from the immutable archive, so a
// concurrent switch cannot mix files from two versions.
Result<std::optional<CertVersion>> FsStore::loadLive(const std::string& name) {
    if (!isValidCertName(name)) {
        return fail(ErrorKind::Usage, "invalid certificate name \"" + name + "\"");
    }
    fs::path live = root_ / "live" / name;
    std::error_code ec;
    fs::path target = fs::read_symlink(live, ec);
    if (ec) {
        if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) {
            return std::optional<CertVersion>();
        }
        if (ec == std::errc::invalid_argument) {
            return fail(ErrorKind::Config, live.string() + " is not a symlink");
        }
        return ioError("reading symlink", live, ec.value());
    }
    CertVersion v;
    v.number = parseVersion(target.filename().string());
    if (v.number == 0) {
        return fail(ErrorKind::Config,
                    live.string() + " points to " + target.string() + ", not a version");
    }
    fs::path dir = target.is_absolute() ? target : live.parent_path() / target;
    for (const auto& f : kVersionFiles) {
        auto content = readFile(dir / f.name);
        if (!content) {
            return fail(ErrorKind::Config,
                        "live certificate " + name + " is unreadable: " + content.error().message);
        }
        v.*f.field = std::move(*content);
    }
    return std::optional<CertVersion>(std::move(v));
}

Result<std::vector<std::string>> FsStore::listCertificates() {
    fs::path liveDir = root_ / "live";
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(liveDir, ec), end; !ec && it != end; it.increment(ec)) {
        std::string n = it->path().filename().string();
        std::error_code sec;
        if (isValidCertName(n) && it->is_symlink(sec)) {
            names.push_back(n);
        }
    }
    if (ec && ec != std::errc::no_such_file_or_directory) {
        return ioError("listing", liveDir, ec.value());
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace certkeep::store
