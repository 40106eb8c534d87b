// RFC 3339 §5.6 timestamps, by hand: GCC 12 has the calendar types but not std::chrono::parse.
#include "common/rfc3339.hpp"

#include <chrono>
#include <cstdio>

namespace certkeep {

namespace chr = std::chrono;

std::string formatRfc3339(TimePoint t) {
    auto ns = chr::time_point_cast<chr::nanoseconds>(t);
    auto day = chr::floor<chr::days>(ns);
    chr::year_month_day ymd{day};
    chr::hh_mm_ss hms{ns - day};
    char buf[64];
    (void)std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                        long(hms.minutes().count()), long(hms.seconds().count()));
    std::string out = buf;
    if (long frac = long(hms.subseconds().count()); frac != 0) {
        (void)std::snprintf(buf, sizeof buf, ".%09ld", frac);
        std::string digits = buf;
        digits.erase(digits.find_last_not_of('0') + 1);
        out += digits;
    }
    return out + "Z";
}

namespace {

// Reads exactly `n` digits at `pos` into `out`; false when they are not all digits.
bool digits(std::string_view s, size_t pos, size_t n, int& out) {
    if (pos + n > s.size()) {
        return false;
    }
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

// Fraction ".ddd" at `pos` (optional) as nanoseconds; advances `pos`. False when malformed.
bool fraction(std::string_view s, size_t& pos, chr::nanoseconds& out) {
    out = chr::nanoseconds(0);
    if (pos >= s.size() || s[pos] != '.') {
        return true;
    }
    ++pos;
    size_t start = pos;
    long ns = 0;
    long scale = 100000000;
    for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) {
        ns += (s[pos] - '0') * scale; // digits beyond nanoseconds are dropped
        scale /= 10;
    }
    out = chr::nanoseconds(ns);
    return pos > start;
}

// "Z" or "+HH:MM" / "-HH:MM" at `pos`, ending the text, as the offset east of UTC.
bool offset(std::string_view s, size_t pos, chr::minutes& out) {
    if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        out = chr::minutes(0);
        return true;
    }
    int h = 0;
    int m = 0;
    if (pos + 6 != s.size() || (s[pos] != '+' && s[pos] != '-') || s[pos + 3] != ':' ||
        !digits(s, pos + 1, 2, h) || !digits(s, pos + 4, 2, m) || h > 23 || m > 59) {
        return false;
    }
    out = chr::minutes(h * 60 + m) * (s[pos] == '-' ? -1 : 1);
    return true;
}

} // namespace

std::optional<TimePoint> parseRfc3339(std::string_view s) {
    int y = 0;
    int mo = 0;
    int d = 0;
    int h = 0;
    int mi = 0;
    int sec = 0;
    bool shape = digits(s, 0, 4, y) && s.size() > 19 && s[4] == '-' && digits(s, 5, 2, mo) &&
                 s[7] == '-' && digits(s, 8, 2, d) && (s[10] == 'T' || s[10] == 't') &&
                 digits(s, 11, 2, h) && s[13] == ':' && digits(s, 14, 2, mi) && s[16] == ':' &&
                 digits(s, 17, 2, sec);
    chr::year_month_day ymd{chr::year{y}, chr::month{unsigned(mo)}, chr::day{unsigned(d)}};
    // A leap second (:60) is taken; years outside 1900-2200 are not (nanosecond overflow).
    if (!shape || !ymd.ok() || y < 1900 || y > 2200 || h > 23 || mi > 59 || sec > 60) {
        return std::nullopt;
    }
    size_t pos = 19;
    chr::nanoseconds frac{};
    chr::minutes east{};
    if (!fraction(s, pos, frac) || !offset(s, pos, east)) {
        return std::nullopt;
    }
    chr::sys_time<chr::nanoseconds> t =
        chr::sys_days{ymd} + chr::hours(h) + chr::minutes(mi) + chr::seconds(sec) + frac - east;
    return chr::time_point_cast<TimePoint::duration>(t);
}

} // namespace certkeep
