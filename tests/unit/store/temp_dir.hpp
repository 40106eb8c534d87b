#pragma once
// Helpers for the store tests: a temporary directory removed on destruction, file contents,
// modes and directory listings, a pid that certainly belongs to no running process, and what
// another user of a given group can open.

#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <grp.h>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace certkeep::store::test {

class TempDir {
  public:
    TempDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "certkeep-store-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

// Permission bits of `p` (not following a final symlink), or -1 when it cannot be stat'ed.
inline int modeOf(const std::filesystem::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) {
        return -1;
    }
    return static_cast<int>(st.st_mode & 07777);
}

// Names of the entries in `dir`, including hidden ones.
inline std::set<std::string> entriesOf(const std::filesystem::path& dir) {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        out.insert(e.path().filename().string());
    }
    return out;
}

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void writeText(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

// True when `p` exists, without following a final link.
inline bool present(const std::filesystem::path& p) {
    return std::filesystem::exists(std::filesystem::symlink_status(p));
}

// A pid that certainly belonged to a process that has exited.
inline pid_t deadPid() {
    pid_t pid = ::fork();
    if (pid == 0) {
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

// The id of `group`, or (gid_t)-1 when there is no such group.
inline gid_t gidOf(const char* group) {
    const struct group* g = ::getgrnam(group);
    return g == nullptr ? static_cast<gid_t>(-1) : g->gr_gid;
}

// lstat(2) of `p`; all zero when it fails.
inline struct stat statOf(const std::filesystem::path& p) {
    struct stat st {};
    ::lstat(p.c_str(), &st);
    return st;
}

// Which of `paths` (at most 8) a process running as nobody with `gid` as its only group can
// open for reading: bit i set when paths[i] opened.
inline int openableAs(gid_t gid, const std::vector<std::filesystem::path>& paths) {
    pid_t pid = ::fork();
    if (pid == 0) {
        if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 || ::setuid(65534) != 0) {
            ::_exit(255);
        }
        int bits = 0;
        for (size_t i = 0; i < paths.size(); ++i) {
            int fd = ::open(paths[i].c_str(), O_RDONLY | O_CLOEXEC);
            if (fd >= 0) {
                bits |= 1 << i;
                ::close(fd);
            }
        }
        ::_exit(bits);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace certkeep::store::test
