#pragma once
// Durations as operators write them: "30s", "10m", "1h", "14d", "2w", combined ("1h30m").

#include "common/result.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace certkeep {

// Usage error naming the text and the accepted units when it is not a positive duration
// (a bare number is refused: "30" could mean anything).
Result<std::chrono::seconds> parseDuration(std::string_view text);
// The shortest exact form: "90s" -> "1m30s", "86400s" -> "1d"; "0s" for zero or less.
std::string formatDuration(std::chrono::seconds d);

} // namespace certkeep
