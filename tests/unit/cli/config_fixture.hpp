#pragma once
// Helpers for the config tests: a private temporary directory holding config files and the
// files they name (a CA bundle, an EAB key), and short ways to check a config text.

#include "cli/config/config.hpp"
#include "fakes/fake_ca.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <grp.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace certkeep::cli::config::test {

class ConfigDir {
  public:
    ConfigDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "certkeep-config-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = tmpl;
    }
    ~ConfigDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ConfigDir(const ConfigDir&) = delete;
    ConfigDir& operator=(const ConfigDir&) = delete;

    [[nodiscard]] std::string path() const { return path_.string(); }

    // Writes `name` in the directory with exactly `mode`; its full path.
    std::string write(const std::string& name, const std::string& text, mode_t mode = 0644) {
        std::filesystem::path p = path_ / name;
        std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
        ::chmod(p.c_str(), mode);
        return p.string();
    }
    std::string makeDir(const std::string& name) {
        std::filesystem::create_directories(path_ / name);
        return (path_ / name).string();
    }
    // A PEM CA bundle holding one real certificate.
    std::string caBundle() {
        static const std::string pem = fakes::FakeCa("Config Test Root").certPem();
        return write("ca.pem", pem);
    }
    // An EAB HMAC key file, readable by its owner only.
    std::string eabKey() { return write("eab.key", "c2VjcmV0LWhtYWMta2V5\n", 0600); }

  private:
    std::filesystem::path path_;
};

// The problems of `text` checked as a config file.
inline std::vector<Problem> problemsOf(ConfigDir& dir, const std::string& text,
                                       ConfigFile* out = nullptr) {
    std::string file = dir.write("certkeep.toml", text);
    ConfigFile config;
    auto problems = checkConfig(file, config);
    if (out != nullptr) {
        *out = std::move(config);
    }
    return problems;
}

// All problems as "LINE:COL: message" lines, for failure messages.
inline std::string listed(const std::vector<Problem>& problems) {
    std::string out;
    for (const auto& p : problems) {
        out += std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + p.message + "\n";
    }
    return out;
}

// The one problem of `text`; fails the test when there is not exactly one.
inline Problem onlyProblem(ConfigDir& dir, const std::string& text) {
    auto problems = problemsOf(dir, text);
    INFO("config:\n" << text << "problems:\n" << listed(problems));
    REQUIRE(problems.size() == 1);
    return problems.front();
}

// A [[certificate]] whose third line is `line` (so its problems are on line 3).
inline std::string certWith(const std::string& line) {
    return "[[certificate]]\ndomains = [\"a.example\"]\n" + line + "\n";
}

// The column where the value of a "key = value" line starts (1-based).
inline int valueColumn(const std::string& line) {
    return static_cast<int>(line.find(" = ") + 4);
}

// The name of the process's group (exists on every machine the tests run on).
inline std::string ownGroup() {
    const struct group* g = ::getgrgid(::getegid());
    return g != nullptr ? g->gr_name : "root";
}

} // namespace certkeep::cli::config::test
