#pragma once
// The config file (TOML, --config FILE): the ACME server and account, defaults for every
// certificate, and the [[certificate]] tables. Loaded at start-up, checked completely: every
// problem is reported with its line and column, not only the first.

#include "acme/types.hpp"
#include "cli/challenge_options.hpp"
#include "common/result.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::cli::config {

// Options allowed both at the top level (defaults for every certificate) and in
// [[certificate]]. Values are checked; `server` holds the resolved https URL (aliases such as
// "letsencrypt" expanded), `key-type` its canonical name, `key-mode` four octal digits.
struct Settings {
    std::optional<std::string> server, caBundle, eabKid, eabHmacKeyFile, keyType, httpListen,
        webroot, preferredChain, profile, verify, renewBefore, warn, crit, keyGroup, keyMode;
    // TLS-ALPN-01 and DNS-01 (the keys are the long options' names).
    std::optional<std::string> tlsAlpnListen, dns, dnsServer, tsigKeyFile, dnsExec, pdnsUrl,
        pdnsApiKeyFile, pdnsServerId, dnsResolver, dnsPropagation, dnsTimeout;
    std::optional<bool> reuseKey;
    std::optional<int> keepVersions;
    std::map<std::string, std::vector<std::vector<std::string>>> hooks; // event -> argvs
};

// One thing wrong with the file; line 0 for the file as a whole (missing, unsafe).
struct Problem {
    int line = 0;
    int column = 0;
    std::string message;
};

struct CertificateEntry {
    std::string name; // given, or derived from the first identifier as `issue` does
    std::vector<acme::Identifier> identifiers; // from `domains`, normalised, no duplicates
    Settings settings;                         // this table's own keys only
    int line = 0;                              // of its [[certificate]] header
    Problem wildcardAt; // where its first wildcard name stands (line 0: none), for checks
};

struct ConfigFile {
    std::string path;
    std::optional<std::string> stateDir, email, accountKeyType; // accountKeyType: "es256"...
    std::optional<bool> agreeTos;
    Settings defaults; // the top level's per-certificate keys
    std::vector<CertificateEntry> certificates;
};

// Every problem found (never stops at the first), in file order; `out` holds what could be
// read. The file must pass checkTrustedFile (common/file_trust.hpp): a Problem at line 0
// otherwise. Never throws for anything the file contains.
std::vector<Problem> checkConfig(const std::string& path, ConfigFile& out);

// For commands: the config, or a Config error "FILE:LINE:COL: message" for the first problem
// plus " (and N more problems: run certkeep config check FILE)".
Result<ConfigFile> loadConfig(const std::string& path);

// One certificate's effective settings: its own value, else the top-level default. Settings
// that only make sense together come from one level: a certificate that sets http-listen or
// webroot (or tls-alpn-listen, or dns) takes none of these from the top level (the DNS-01
// details such as dns-resolver are inherited key by key), one that sets eab-kid or
// eab-hmac-key-file takes both from itself, and one whose server differs from the top-level server
// inherits none of ca-bundle, eab-kid and eab-hmac-key-file (they belong to the other CA). Hooks
// are combined: the top level's first, then the certificate's that are not the same argv again.
Settings effective(const ConfigFile& config, const CertificateEntry& entry);

// The challenge keys of `s` as one layer over stored settings.
ChallengeLayer challengeLayerOf(const Settings& s);

// "FILE:LINE:COL: message", or "FILE: message" for a problem of the whole file (line 0).
std::string formatProblem(const std::string& path, const Problem& problem);

const char* const kDefaultConfigPath = "/etc/certkeep/certkeep.toml";

} // namespace certkeep::cli::config
