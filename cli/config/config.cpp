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

namespace {

// A certificate with a wildcard name must answer DNS-01 (its own dns key or the top level's).
void checkWildcardChallenges(const ConfigFile& config, std::vector<Problem>& problems) {
    for (const auto& entry : config.certificates) {
        const Problem& at = entry.wildcardAt;
        if (at.line != 0 && !effective(config, entry).dns.has_value()) {
            problems.push_back(Problem{at.line, at.column,
                                       at.message +
                                           " cannot be validated with HTTP-01 or TLS-ALPN-01: "
                                           "wildcards need the dns-01 challenge; set dns = "
                                           "\"rfc2136\" (or exec, pdns) for this certificate or "
                                           "at the top level"});
        }
    }
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
    checkWildcardChallenges(out, problems);
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
    // One way to answer the challenges: a certificate choosing one does not inherit another.
    bool ownChallenge = own.httpListen.has_value() || own.webroot.has_value() ||
                        own.tlsAlpnListen.has_value() || own.dns.has_value();
    const Settings& challengeTop = ownChallenge ? none : top;
    s.httpListen = either(own.httpListen, challengeTop.httpListen);
    s.webroot = either(own.webroot, challengeTop.webroot);
    s.tlsAlpnListen = either(own.tlsAlpnListen, challengeTop.tlsAlpnListen);
    s.dns = either(own.dns, challengeTop.dns);
    s.dnsServer = either(own.dnsServer, top.dnsServer);
    s.tsigKeyFile = either(own.tsigKeyFile, top.tsigKeyFile);
    s.dnsExec = either(own.dnsExec, top.dnsExec);
    s.pdnsUrl = either(own.pdnsUrl, top.pdnsUrl);
    s.pdnsApiKeyFile = either(own.pdnsApiKeyFile, top.pdnsApiKeyFile);
    s.pdnsServerId = either(own.pdnsServerId, top.pdnsServerId);
    s.dnsResolver = either(own.dnsResolver, top.dnsResolver);
    s.dnsPropagation = either(own.dnsPropagation, top.dnsPropagation);
    s.dnsTimeout = either(own.dnsTimeout, top.dnsTimeout);
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

ChallengeLayer challengeLayerOf(const Settings& s) {
    ChallengeLayer l;
    l.httpListen = s.httpListen;
    l.webroot = s.webroot;
    l.tlsAlpnListen = s.tlsAlpnListen;
    l.dns = s.dns;
    l.dnsServer = s.dnsServer;
    l.tsigKeyFile = s.tsigKeyFile;
    l.dnsExec = s.dnsExec;
    l.pdnsUrl = s.pdnsUrl;
    l.pdnsApiKeyFile = s.pdnsApiKeyFile;
    l.pdnsServerId = s.pdnsServerId;
    l.dnsResolver = s.dnsResolver;
    l.dnsPropagation = s.dnsPropagation;
    l.dnsTimeout = s.dnsTimeout;
    return l;
}

std::string formatProblem(const std::string& path, const Problem& problem) {
    if (problem.line <= 0) {
        return path + ": " + problem.message;
    }
    return path + ":" + std::to_string(problem.line) + ":" + std::to_string(problem.column) + ": " +
           problem.message;
}

} // namespace certkeep::cli::config
