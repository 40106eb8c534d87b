#pragma once
// What the renderers show about one certificate: plain data that cli/ fills from the store, the
// certificate's settings and the lifecycle's renewal plan. Times are absolute; every renderer is
// given `now` so that its output is a pure function of its arguments.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::report {

using TimePoint = std::chrono::system_clock::time_point;

// Where a certificate stands against its warn/crit thresholds (the earliest notAfter in its
// chain counts).
enum class Health { Ok, Warning, Critical, Unknown };

// "ok", "warning", "critical", "unknown": stable names for JSON, CSS classes and labels.
std::string healthName(Health health);

struct CertificateStatus {
    std::string name;
    std::vector<std::string> identifiers; // "example.com", "*.example.com", "192.0.2.1"
    bool managed = true; // false: stored, but the config in use does not declare it
    bool issued = false; // false: declared, never issued: the times below are unset
    int version = 0;     // live version number
    std::string issuer;  // the leaf's issuer CN
    std::string serial;  // hex
    TimePoint notBefore{};
    TimePoint notAfter{};
    TimePoint chainNotAfter{}; // earliest notAfter in leaf + chain (== notAfter without chain)
    std::string chainEarliest; // subject CN of the chain certificate expiring first
    // The next time `renew` acts on it: the due time, the time picked in the ARI window, or
    // the backoff's next attempt; unset when nothing is planned.
    std::optional<TimePoint> nextRenewal;
    std::string nextReason; // "lifetime", "ari-window", "backoff", "never-issued", "changed",
                            // "revoked", "expired", "deploy-pending", ... (lifecycle's names)
    std::string why;        // one line for people
    std::optional<TimePoint> lastAttempt;
    std::string lastResult; // "" (never tried), "success", "failure"
    std::optional<TimePoint> lastSuccess;
    int consecutiveFailures = 0;
    std::string lastError; // one line
    bool deployPending = false;
    std::string deployError;
    // The thresholds as time left before chainNotAfter, already resolved for this certificate
    // (a duration, or a share of its lifetime).
    std::chrono::seconds warnBefore{0};
    std::chrono::seconds critBefore{0};
};

// Critical when the time left (to chainNotAfter) is at most critBefore (an expired certificate
// included), Warning at most warnBefore, Unknown when never issued, else Ok.
Health healthOf(const CertificateStatus& status, TimePoint now);

// "45d", "3d4h", "5h12m", "40s", "expired 2d ago": coarse time left for people (two units).
std::string humanDuration(std::chrono::seconds left);

} // namespace certkeep::report
