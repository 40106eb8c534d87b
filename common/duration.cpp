#include "common/duration.hpp"

#include <cctype>
#include <limits>

namespace certkeep {

namespace {

long long unitSeconds(char unit) {
    switch (unit) {
    case 's':
        return 1;
    case 'm':
        return 60;
    case 'h':
        return 3600;
    case 'd':
        return 86400;
    case 'w':
        return 7LL * 86400;
    default:
        return 0;
    }
}

Unexpected badDuration(std::string_view text, const std::string& why) {
    return fail(ErrorKind::Usage, "invalid duration \"" + std::string(text) + "\": " + why +
                                      "; write e.g. 30s, 10m, 12h, 14d or 1h30m");
}

} // namespace

Result<std::chrono::seconds> parseDuration(std::string_view text) {
    if (text.empty()) {
        return badDuration(text, "it is empty");
    }
    long long total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
            return badDuration(text,
                               "expected a number at \"" + std::string(text.substr(i)) + "\"");
        }
        long long n = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
            n = n * 10 + (text[i] - '0');
            if (n > 1'000'000'000LL) {
                return badDuration(text, "the number is too large");
            }
            ++i;
        }
        if (i == text.size()) {
            return badDuration(text, "a unit (s, m, h, d, w) must follow " + std::to_string(n));
        }
        long long unit = unitSeconds(text[i]);
        if (unit == 0) {
            return badDuration(text, "unknown unit '" + std::string(1, text[i]) + "'");
        }
        ++i;
        total += n * unit;
        if (total > 100LL * 365 * 86400) {
            return badDuration(text, "longer than 100 years");
        }
    }
    if (total == 0) {
        return badDuration(text, "it is zero");
    }
    return std::chrono::seconds(total);
}

std::string formatDuration(std::chrono::seconds d) {
    long long s = d.count();
    if (s <= 0) {
        return "0s";
    }
    std::string out;
    for (char unit : {'d', 'h', 'm', 's'}) {
        long long u = unitSeconds(unit);
        if (u > 0 && s >= u) {
            out += std::to_string(s / u) + unit;
            s %= u;
        }
    }
    return out;
}

} // namespace certkeep
