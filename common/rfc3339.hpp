#pragma once
// RFC 3339 timestamps: the form every time takes in the store's JSON records, in ACME
// documents (RFC 9773 windows) and in what certkeep prints.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace certkeep {

using TimePoint = std::chrono::system_clock::time_point;

// "2026-01-02T03:04:05Z", with the fraction of a second when there is one
// ("2026-01-02T03:04:05.25Z"), so a time read back equals the time written.
std::string formatRfc3339(TimePoint t);

// RFC 3339 §5.6 date-time: "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)", years 1900-2200
// (the nanosecond clock ends in 2262); nullopt otherwise.
std::optional<TimePoint> parseRfc3339(std::string_view text);

} // namespace certkeep
