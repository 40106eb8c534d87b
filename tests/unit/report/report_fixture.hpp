#pragma once
// Certificates in known states for the report/ tests, at a fixed `now`.

#include "report/model.hpp"

#include <chrono>
#include <string>

namespace certkeep::report::testing {

namespace chr = std::chrono;

inline TimePoint utc(int y, unsigned m, unsigned d, int h = 0, int mi = 0, int s = 0) {
    return chr::sys_days{chr::year{y} / chr::month{m} / chr::day{d}} + chr::hours(h) +
           chr::minutes(mi) + chr::seconds(s);
}

// The time every test renders at.
inline const TimePoint kNow = utc(2026, 11, 27, 12, 0, 0);

// A 90-day certificate issued by "R11", with `left` time left, warn 30d and crit 10d.
inline CertificateStatus issued(const std::string& name, chr::seconds left) {
    CertificateStatus c;
    c.name = name;
    c.identifiers = {name, "www." + name};
    c.issued = true;
    c.version = 3;
    c.issuer = "R11";
    c.serial = "04a1b2";
    c.notAfter = kNow + left;
    c.notBefore = c.notAfter - chr::days(90);
    c.chainNotAfter = c.notAfter;
    c.nextRenewal = c.notAfter - chr::days(30);
    c.nextReason = "lifetime";
    c.why = "a third of the lifetime is left";
    c.lastAttempt = c.notBefore;
    c.lastResult = "success";
    c.lastSuccess = c.notBefore;
    c.warnBefore = chr::days(30);
    c.critBefore = chr::days(10);
    return c;
}

// Declared in the config, never issued yet.
inline CertificateStatus neverIssued(const std::string& name) {
    CertificateStatus c;
    c.name = name;
    c.identifiers = {name};
    c.nextRenewal = kNow;
    c.nextReason = "never-issued";
    return c;
}

} // namespace certkeep::report::testing
