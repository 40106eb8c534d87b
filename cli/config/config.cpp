#include "cli/config/config.hpp"

#include "cli/config/reader.hpp"
#include "common/file_trust.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <tuple>

namespace certkeep::cli::config {

namespace {

// Whether `path` can be parsed at all: a Problem at line 0 otherwise.
std::optional<Problem> unreadable(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        int err = errno;
        if (err == ENOENT) {
            return Problem{0, 0,
                           "the config file does not exist: create it (see the example "
                           "certkeep.toml) or give another with --config FILE"};
        }
        return Problem{0, 0, std::string("cannot read the config file: ") + std::strerror(err)};
    }
    if (!S_ISREG(st.st_mode)) {
        return Problem{0, 0, "the config is not a regular file"};
    }
    return std::nullopt;
}

// `own` when set, else `fallback`.
template <typename T>
std::optional<T> either(const std::optional<T>& own, const std::optional<T>& fallback) {
    return own.has_value() ? own : fallback;
}

using Hooks = std::map<std::string, std::vector<std::vector<std::string>>>;

// The top level's hooks, then the certificate's that are not already there (one run each).
Hooks combinedHooks(const Hooks& top, const Hooks& own) {
    Hooks out = top;
    for (const auto& [event, commands] : own) {
        auto& list = out[event];
        for (const auto& argv : commands) {
            if (std::find(list.begin(), list.end(), argv) == list.end()) {
                list.push_back(argv);
            }
        }
    }
    return out;
}

} // namespace

std::vector<Problem> checkConfig(const std::string& path, ConfigFile& out) {
    out = ConfigFile{};
    out.path = path;
    if (auto problem = unreadable(path)) {
        return {*problem};
    }
    std::vector<Problem> problems;
    if (auto trusted = checkTrustedFile(path, "the config file"); !trusted) {
        problems.push_back(Problem{0, 0, trusted.error().message});
    }
    toml::parse_result parsed = toml::parse_file(path);
    if (!parsed) {
        const toml::parse_error& error = parsed.error();
        problems.push_back(problemAt(error.source(), std::string(error.description())));
        return problems;
    }
    readDocument(parsed.table(), out, problems);
    std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    return problems;
}

Result<ConfigFile> loadConfig(const std::string& path) {
    ConfigFile config;
    std::vector<Problem> problems = checkConfig(path, config);
    if (problems.empty()) {
        return config;
    }
    std::string message = formatProblem(path, problems.front());
    if (std::size_t more = problems.size() - 1; more > 0) {
        message += " (and " + std::to_string(more) + " more problem" + (more > 1 ? "s" : "") +
                   ": run certkeep config check " + path + ")";
    }
    return fail(ErrorKind::Config, message);
}

Settings effective(const ConfigFile& config, const CertificateEntry& entry) {
    const Settings& top = config.defaults;
    const Settings& own = entry.settings;
    Settings s;
    s.server = either(own.server, top.server);
    // ca-bundle and EAB belong to a server: not inherited by a certificate of another CA.
    bool otherServer = own.server.has_value() && own.server != top.server;
    Settings none;
    const Settings& serverTop = otherServer ? none : top;
    s.caBundle = either(own.caBundle, serverTop.caBundle);
    bool ownEab = own.eabKid.has_value() || own.eabHmacKeyFile.has_value();
    s.eabKid = ownEab ? own.eabKid : serverTop.eabKid;
    s.eabHmacKeyFile = ownEab ? own.eabHmacKeyFile : serverTop.eabHmacKeyFile;
    // One way to answer HTTP-01: a certificate choosing one does not inherit the other.
    bool ownChallenge = own.httpListen.has_value() || own.webroot.has_value();
    s.httpListen = ownChallenge ? own.httpListen : top.httpListen;
    s.webroot = ownChallenge ? own.webroot : top.webroot;
    s.keyType = either(own.keyType, top.keyType);
    s.preferredChain = either(own.preferredChain, top.preferredChain);
    s.profile = either(own.profile, top.profile);
    s.verify = either(own.verify, top.verify);
    s.renewBefore = either(own.renewBefore, top.renewBefore);
    s.warn = either(own.warn, top.warn);
    s.crit = either(own.crit, top.crit);
    s.keyGroup = either(own.keyGroup, top.keyGroup);
    s.keyMode = either(own.keyMode, top.keyMode);
    s.reuseKey = either(own.reuseKey, top.reuseKey);
    s.keepVersions = either(own.keepVersions, top.keepVersions);
    s.hooks = combinedHooks(top.hooks, own.hooks);
    return s;
}

std::string formatProblem(const std::string& path, const Problem& problem) {
    if (problem.line <= 0) {
        return path + ": " + problem.message;
    }
    return path + ":" + std::to_string(problem.line) + ":" + std::to_string(problem.column) + ": " +
           problem.message;
}

} // namespace certkeep::cli::config
