#pragma once
// Private helpers of report/: times, time left and text cleaning shared by the renderers.

#include "report/model.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certkeep::report {

// RFC 3339 UTC in whole seconds: "2026-11-27T12:00:00Z".
std::string timeText(TimePoint t);

// timeText, or "-" when unset.
std::string timeOrDash(const std::optional<TimePoint>& t);

// Whole seconds since the epoch (rounded down), as Prometheus timestamps are written.
long long epochSeconds(TimePoint t);

// The earliest notAfter of leaf and chain (chainNotAfter when set and earlier, else notAfter).
TimePoint expiryOf(const CertificateStatus& status);

// Time left until expiryOf(status), rounded down to whole seconds (negative once expired).
std::chrono::seconds timeLeft(const CertificateStatus& status, TimePoint now);

// Time left until `until`, rounded down to whole seconds.
std::chrono::seconds secondsUntil(TimePoint until, TimePoint now);

// The items joined by `separator`.
std::string joined(const std::vector<std::string>& items, std::string_view separator);

// `text` with control characters (newlines, escape sequences) turned into spaces, so that
// data from the store or a server cannot break a line or drive a terminal.
std::string oneLine(std::string_view text);

} // namespace certkeep::report
