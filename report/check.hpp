#pragma once
// `certkeep check`: expiry verdicts in the Nagios plugin format (a summary line first with
// perfdata, then one line per certificate at risk) and the Nagios exit code.

#include "report/model.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace certkeep::report {

// One certificate of a chain as presented (leaf first).
struct ChainCertificate {
    std::string subject; // CN, or the whole subject when there is no CN
    TimePoint notBefore{};
    TimePoint notAfter{};
};

// One thing checked: a managed certificate, a PEM file or a TLS endpoint.
struct CheckTarget {
    std::string label;                   // "a.test", "/etc/ssl/x.pem", "example.com:443"
    std::vector<ChainCertificate> chain; // leaf first; empty when `problem` is set
    std::string problem;                 // why it could not be checked ("cannot read ...": UNKNOWN)
    // Thresholds as time left, already resolved against the leaf's lifetime; they apply to
    // every certificate of the chain.
    std::chrono::seconds warnBefore{0};
    std::chrono::seconds critBefore{0};
};

struct CheckOutcome {
    int exitCode = 3;   // 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
    std::string output; // the lines to print, each ending in '\n'
};

// Each target's state: CRITICAL when some chain certificate has at most critBefore left (an
// expired one included), WARNING at most warnBefore, UNKNOWN when it has a problem, else OK.
// The worst state wins, ranked CRITICAL > UNKNOWN > WARNING > OK (Icinga's order); no target
// at all is UNKNOWN. First line: "CERTKEEP <STATE> - <n> critical, <n> warning, <n> unknown,
// <n> ok | <perfdata>", perfdata one `'label'=<seconds left>s;<warn>:;<crit>:;;` per target
// (time left to its earliest chain notAfter, negative once expired). Then one line per target
// not OK, worst first: "<STATE>: <label> expires in 3d4h (2026-12-01T00:00:00Z)", naming the
// intermediate ("intermediate \"X\" expires ...") when it is a chain certificate that expires
// first, or "<UNKNOWN>: <label>: <problem>".
CheckOutcome evaluateCheck(const std::vector<CheckTarget>& targets, TimePoint now);

} // namespace certkeep::report
