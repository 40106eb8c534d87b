#include "cli/config/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace certkeep::cli::config {

namespace {

// Lower case, '_' as '-': "Key_Type" is as close to "key-type" as can be.
std::string folded(const std::string& s) {
    std::string out = s;
    for (auto& c : out) {
        c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

} // namespace

std::size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates) {
    std::string w = folded(word);
    std::string best;
    std::size_t bestDistance = 0;
    for (const auto& candidate : candidates) {
        std::size_t d = editDistance(w, folded(candidate));
        std::size_t allowed = std::max<std::size_t>(1, candidate.size() / 3);
        if (d <= allowed && (best.empty() || d < bestDistance)) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}

std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates) {
    std::string match = closestMatch(word, candidates);
    return match.empty() ? "" : " (did you mean \"" + match + "\"?)";
}

} // namespace certkeep::cli::config
