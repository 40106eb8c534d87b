#pragma once
// Test helpers for the webroot solver: temporary directories, file contents and modes.

#include "challenges/http01_webroot.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace certkeep::testing {

namespace fs = std::filesystem;

// A fresh empty directory, removed with everything in it when the test ends.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "certkeep-webroot-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

inline std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void writeFile(const fs::path& p, const std::string& content) {
    std::ofstream out(p, std::ios::binary);
    out << content;
    REQUIRE(out.good());
}

inline struct stat lstatOf(const fs::path& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st;
}

inline mode_t modeOf(const fs::path& p) {
    return lstatOf(p).st_mode;
}

inline std::unique_ptr<challenges::Http01Webroot> makeWebroot(const fs::path& dir) {
    auto r = challenges::Http01Webroot::create(dir);
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
    return std::move(*r);
}

inline fs::path challengeDir(const fs::path& root) {
    return root / ".well-known" / "acme-challenge";
}

// A symlink at `link` to `target`, owned (the link itself) by `uid`.
inline void symlinkOwnedBy(const fs::path& target, const fs::path& link, uid_t uid) {
    fs::create_symlink(target, link);
    REQUIRE(::fchownat(AT_FDCWD, link.c_str(), uid, uid, AT_SYMLINK_NOFOLLOW) == 0);
    REQUIRE(lstatOf(link).st_uid == uid);
}

constexpr uid_t kNobody = 65534;

} // namespace certkeep::testing
