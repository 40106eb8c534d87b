#pragma once
// Helpers for the hook runner tests: a private 0700 directory under /tmp holding small shell
// scripts, environment variables set for one test, output collection and process inspection.

#include "hooks/event.hpp"
#include "hooks/runner.hpp"

#include <cstdlib>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <vector>

namespace certkeep::hooks::test {

// A 0700 directory under /tmp (root-owned and sticky, so scripts in it pass checkTrustedFile).
class ScriptDir {
  public:
    ScriptDir() {
        std::string tmpl = "/tmp/certkeep-hooks-XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr || ::chmod(tmpl.c_str(), 0700) != 0) {
            throw std::runtime_error("cannot create a private directory under /tmp");
        }
        path_ = tmpl;
    }
    ~ScriptDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScriptDir(const ScriptDir&) = delete;
    ScriptDir& operator=(const ScriptDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::string file(const std::string& name) const { return path_ / name; }

    // Writes `name` with `text` exactly and sets `mode` (umask does not apply).
    std::string writeFile(const std::string& name, const std::string& text, mode_t mode) const {
        std::string p = file(name);
        std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
        if (::chmod(p.c_str(), mode) != 0) {
            throw std::runtime_error("chmod failed on " + p);
        }
        return p;
    }
    // A /bin/sh script with `body`, mode 0755 unless told.
    std::string script(const std::string& name, const std::string& body, mode_t mode = 0755) const {
        return writeFile(name, "#!/bin/sh\n" + body + "\n", mode);
    }

  private:
    std::filesystem::path path_;
};

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// "NAME=value" lines (as `env` prints them) as a map.
inline std::map<std::string, std::string> parseEnv(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq != std::string::npos) {
            out[line.substr(0, eq)] = line.substr(eq + 1);
        }
    }
    return out;
}

// Sets (or with nullopt unsets) one variable for the lifetime of the object.
class ScopedEnv {
  public:
    ScopedEnv(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
        if (const char* old = std::getenv(name_.c_str()); old != nullptr) {
            old_ = old;
        }
        if (value) {
            ::setenv(name_.c_str(), value->c_str(), 1);
        } else {
            ::unsetenv(name_.c_str());
        }
    }
    ~ScopedEnv() {
        if (old_) {
            ::setenv(name_.c_str(), old_->c_str(), 1);
        } else {
            ::unsetenv(name_.c_str());
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    std::string name_;
    std::optional<std::string> old_;
};

// Collects RunOptions::output lines; thread-safe.
struct Collected {
    std::mutex mutex;
    std::vector<std::string> lines;
    std::function<void(const std::string&)> sink() {
        return [this](const std::string& line) {
            std::lock_guard lock(mutex);
            lines.push_back(line);
        };
    }
};

// The state letter of a process ('R', 'S', 'Z', ...) and its process group; nullopt when gone.
struct ProcInfo {
    char state = '?';
    pid_t pgrp = 0;
};
inline std::optional<ProcInfo> procInfo(pid_t pid) {
    std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    if (stat.empty() || close == std::string::npos) {
        return std::nullopt;
    }
    std::istringstream rest(stat.substr(close + 2));
    ProcInfo info;
    pid_t ppid = 0;
    rest >> info.state >> ppid >> info.pgrp;
    return info;
}

// True when `pid` is running (present and not a zombie).
inline bool alive(pid_t pid) {
    auto info = procInfo(pid);
    return info && info->state != 'Z' && info->state != 'X';
}

// Processes of group `pgid` that are still running (zombies do not count).
inline int livingInGroup(pid_t pgid) {
    int count = 0;
    DIR* dir = ::opendir("/proc");
    while (dirent* entry = dir != nullptr ? ::readdir(dir) : nullptr) {
        char* end = nullptr;
        long pid = std::strtol(entry->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) {
            continue;
        }
        auto info = procInfo(static_cast<pid_t>(pid));
        if (info && info->pgrp == pgid && info->state != 'Z' && info->state != 'X') {
            ++count;
        }
    }
    if (dir != nullptr) {
        ::closedir(dir);
    }
    return count;
}

// A pid written by a script (echo $$ > file), 0 when absent.
inline pid_t pidFrom(const std::string& path) {
    std::string text = slurp(path);
    return text.empty() ? 0 : static_cast<pid_t>(std::stol(text));
}

// A deploy event with every per-certificate field set.
inline HookEvent deployEvent() {
    HookEvent e;
    e.event = kDeploy;
    e.name = "www";
    e.domains = {"www.example.com", "example.com"};
    e.liveDir = "/var/lib/certkeep/live/www";
    e.cert = e.liveDir + "/cert.pem";
    e.chain = e.liveDir + "/chain.pem";
    e.fullchain = e.liveDir + "/fullchain.pem";
    e.key = e.liveDir + "/privkey.pem";
    e.serial = "04a1b2c3";
    e.notAfter = "2026-04-01T00:00:00Z";
    return e;
}

} // namespace certkeep::hooks::test
