#pragma once
// "did you mean X?" for unknown keys and hook events.

#include <string>
#include <vector>

namespace certkeep::cli::config {

// Levenshtein distance between two strings (insert, delete, substitute: 1 each).
std::size_t editDistance(const std::string& a, const std::string& b);

// The candidate closest to `word` ('_' read as '-', case ignored) when it is close enough to be
// a typo (at most a third of its length, at least 1), else "".
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

// " (did you mean \"X\"?)" for closestMatch, or "".
std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates);

} // namespace certkeep::cli::config
