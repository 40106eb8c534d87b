#pragma once
// Documented exit codes (README "Exit codes"); stable for scripts.

#include "common/result.hpp"

namespace certkeep::cli {

enum ExitCode : int {
    kOk = 0,
    kFailed = 1,      // renew: a certificate's renewal or deploy failed (the cause per
                      // certificate is in the output and in `status`); issue: issued and
                      // stored, but its deploy hook or verification failed
    kUsage = 2,       // bad command line: flags, domains, key type, names
    kLocal = 3,       // local files, directories, ports, locks
    kNetwork = 4,     // server unreachable, TLS verification failed
    kCaError = 5,     // the CA refused (ACME problem) or answered nonsense
    kValidation = 6,  // a challenge failed validation
    kRateLimited = 7, // a CA rate limit
    kTimeout = 8,     // the CA did not finish in time
    kInternal = 70,   // a bug, or OpenSSL failed
};

// `check` speaks only Nagios plugin codes: 3 (UNKNOWN) for a bad command line too.
inline constexpr int kNagiosUnknown = 3;

int exitCodeFor(ErrorKind kind);

} // namespace certkeep::cli
