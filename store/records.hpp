#pragma once
// The typed records a Store keeps per account and per certificate name. They are plain data:
// the store knows nothing of ACME, so identifiers, key types and URLs are kept as strings that
// the layers above give meaning to. Each record is replaced atomically as a whole.

#include <chrono>
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
};

// One issued certificate version. Versions are numbered from 1, never reused.
struct CertVersion {
    int number = 0;           // assigned by saveCertificate
    std::string certPem;      // leaf only
    std::string chainPem;     // intermediates only
    std::string fullchainPem; // leaf + intermediates
    std::string keyPem;       // certificate private key; stored 0600
    std::string metaJson;     // free-form JSON from the caller (names, server, times)
};

// What was asked for one certificate, so that a later `renew` repeats it exactly.
struct CertSettings {
    std::vector<std::string> identifiers; // "dns:example.com", "ip:192.0.2.1", in order
    std::string keyType;                  // "ec-p256", ...
    std::string challenge;                // "http-01" (later "dns-01")
    std::string httpListen;               // standalone responder address, "" = default
    std::string webroot;                  // "" = standalone
    std::string server;                   // ACME directory URL
    std::string caBundle;                 // "" = system trust store
    std::string preferredChain;           // "" = the CA's default chain
    std::string profile;                  // "" = the CA's default profile
    // Hook argument vectors per event ("deploy", ...): never shell strings.
    std::map<std::string, std::vector<std::vector<std::string>>> hooks;

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

} // namespace certkeep::store
