#pragma once
// RFC 3339 UTC timestamps, the form every time takes in the store's JSON records.

#include "store/records.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace certkeep::store {

// "2026-01-02T03:04:05Z", with the fraction of a second when there is one
// ("2026-01-02T03:04:05.25Z"), so a time read back equals the time written.
std::string formatRfc3339(TimePoint t);

// RFC 3339 §5.6 date-time: "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"; nullopt otherwise.
std::optional<TimePoint> parseRfc3339(std::string_view text);

} // namespace certkeep::store
