#pragma once
// The typed records a Store keeps per account and per certificate name. They are plain data:
// the store knows nothing of ACME, so identifiers, key types and URLs are kept as strings that
// the layers above give meaning to. Each record is replaced atomically as a whole.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::store {

using TimePoint = std::chrono::system_clock::time_point;

// One ACME account on one server. Key and URL are stored together, in one atomic write, so a
// URL never ends up beside a key it does not belong to.
struct AccountData {
    std::string directoryUrl; // the server; filled by loadAccount/listAccounts
    std::string keyPem;       // account private key (PKCS#8 PEM); stored 0600
    std::string url;          // account URL (kid); empty until the CA confirmed it
    std::string contact;      // e.g. "mailto:ops@example.com", may be empty
    // RFC 8555 §7.3.5 key rollover: the new key is stored here before keyChange is sent and
    // becomes keyPem once the CA confirmed it; "" when no rollover is in flight.
    std::string stagedKeyPem;
};

// Who may read a certificate's private key besides root: a group and a mode, applied to the
// key file and, as search permission, to the directories above it.
struct KeyAccess {
    std::string group; // group name; "" = the owner's group, no extra access
    unsigned mode = 0600;
    bool operator==(const KeyAccess&) const = default;
};

// One issued certificate version. Versions are numbered from 1, never reused.
struct CertVersion {
    int number = 0;           // assigned by saveCertificate
    std::string certPem;      // leaf only
    std::string chainPem;     // intermediates only
    std::string fullchainPem; // leaf + intermediates
    std::string keyPem;       // certificate private key; stored 0600
    std::string metaJson;     // free-form JSON from the caller (names, server, times)
    KeyAccess keyAccess;      // applied to privkey.pem and the directories above it
};

// What was asked for one certificate, so that a later `renew` repeats it exactly.
// How DNS-01 records are written and checked (secrets stay in their files or the environment).
struct DnsSettings {
    std::string provider;       // "rfc2136" | "exec" | "pdns"
    std::string server;         // rfc2136: the primary taking updates, "ADDR:PORT"
    std::string tsigKeyFile;    // rfc2136: BIND key file ("" = CERTKEEP_TSIG_KEY)
    std::string exec;           // exec: the program
    std::string pdnsUrl;        // pdns: the API's base URL
    std::string pdnsApiKeyFile; // pdns: "" = CERTKEEP_PDNS_API_KEY
    std::string pdnsServerId;   // pdns: "" = "localhost"
    std::string resolver;       // "ADDR:PORT" for SOA/NS/address lookups; "" = the system's
    std::string propagation;    // "authoritative" (default) | "resolver" | "off"
    std::string timeout;        // propagation deadline, a duration; "" = 2m

    bool operator==(const DnsSettings&) const = default;
};

struct CertSettings {
    std::vector<std::string> identifiers; // "dns:example.com", "ip:192.0.2.1", in order
    std::string keyType;                  // "ec-p256", ...
    std::string challenge;                // "http-01" | "dns-01" | "tls-alpn-01"
    std::string httpListen;               // standalone responder address, "" = default
    std::string webroot;                  // "" = standalone
    std::string tlsAlpnListen;            // TLS-ALPN-01 responder address, "" = ":443"
    DnsSettings dns;                      // DNS-01
    std::string server;                   // ACME directory URL
    std::string caBundle;                 // "" = system trust store
    std::string preferredChain;           // "" = the CA's default chain
    std::string profile;                  // "" = the CA's default profile
    // Hook argument vectors per event ("deploy", ...): never shell strings.
    std::map<std::string, std::vector<std::vector<std::string>>> hooks;
    // Renewal policy and deployment; "" / 0 = the default.
    std::string
        renewBefore;       // "" = a third of the lifetime (half up to 10 days); "1/3", "33%", "30d"
    bool reuseKey = false; // keep the private key across renewals
    int keepVersions = 0;  // old versions kept; 0 = the default (10)
    KeyAccess keyAccess;   // key-group / key-mode
    std::string verify;    // "HOST:PORT" checked to serve the new leaf after deploy
    std::string warn;      // expiry warning threshold (duration or percent of lifetime)
    std::string crit;      // expiry critical threshold
    std::string eabKid;    // EAB for this certificate's server (its own account)
    std::string eabHmacKeyFile; // the EAB key is read from this file, never stored
    bool managed = true;        // false once `certkeep remove` stopped managing it

    bool operator==(const CertSettings&) const = default;
};

// Where one certificate's renewal stands; rewritten after every attempt.
struct RenewalState {
    std::optional<TimePoint> lastAttempt;
    std::string lastResult; // "" (never tried) | "success" | "failure"
    std::optional<TimePoint> lastSuccess;
    int consecutiveFailures = 0;
    std::optional<TimePoint> nextAttempt;    // backoff or Retry-After: not before this time
    std::optional<TimePoint> ariWindowStart; // RFC 9773 suggested window
    std::optional<TimePoint> ariWindowEnd;
    std::optional<TimePoint> ariRetryAfter; // do not ask the CA for the window again before
    std::string lastError;                  // one line, as printed
    std::string lastErrorKind;              // e.g. "validation", "rate-limited"
    std::string ariCertId;                  // the certificate the ARI window belongs to
    std::optional<TimePoint> ariChosen;     // the random time picked inside the window
    // Deploy: the live version's deploy hook or verification failed; retried by the next run.
    bool deployPending = false;
    std::string deployError;
    int deployedVersion = 0; // last version whose deploy succeeded
    // Revocation (certkeep revoke): the revoked version is replaced by the next renew.
    std::optional<TimePoint> revokedAt;
    int revokedVersion = 0;
    std::string revokedReason;
    std::optional<TimePoint> lastAlert; // the alert hook fires at most once a day
};

// A challenge response written outside the process (a webroot file), recorded before it is
// written so that a run killed before cleanup has its leftovers removed by the next run.
struct PublishedToken {
    std::string kind;     // "webroot"
    std::string location; // the webroot directory
    std::string token;
};

// An order in flight, recorded before finalize: if the run dies after the CA issued, the next
// run downloads the certificate with this key instead of ordering a new one.
struct PendingOrder {
    std::string server;                   // ACME directory URL
    std::string accountUrl;               // the account that owns the order
    std::string orderUrl;                 // "" until the order exists
    std::vector<std::string> identifiers; // as in CertSettings
    std::string keyPem;                   // certificate key; "" until just before finalize
    std::vector<PublishedToken> published;
    TimePoint created{};
};

// Counters (Prometheus _total series, keyed as common/counters.hpp writes them) and gauges
// that must survive between runs; one record per store.
struct MetricsRecord {
    std::map<std::string, std::uint64_t> counters;
    std::map<std::string, double> gauges;

    bool operator==(const MetricsRecord&) const = default;
};

} // namespace certkeep::store
