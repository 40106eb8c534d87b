// RFC 3339 timestamps as the store writes and reads them.
#include "common/rfc3339.hpp"

#include <catch2/catch.hpp>

using certkeep::formatRfc3339;
using certkeep::parseRfc3339;
using certkeep::TimePoint;
namespace chr = std::chrono;

static TimePoint utc(int y, unsigned m, unsigned d, int h, int mi, int s) {
    return chr::sys_days{chr::year{y} / chr::month{m} / chr::day{d}} + chr::hours(h) +
           chr::minutes(mi) + chr::seconds(s);
}

TEST_CASE("formatRfc3339 writes UTC with a fraction only when there is one", "[time]") {
    CHECK(formatRfc3339(utc(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z");
    CHECK(formatRfc3339(utc(2026, 1, 2, 3, 4, 5) + chr::milliseconds(250)) ==
          "2026-01-02T03:04:05.25Z");
    CHECK(formatRfc3339(TimePoint{}) == "1970-01-01T00:00:00Z");
    CHECK(formatRfc3339(utc(1969, 12, 31, 23, 59, 59) + chr::milliseconds(500)) ==
          "1969-12-31T23:59:59.5Z");
}

TEST_CASE("parseRfc3339 reads what formatRfc3339 writes, and offsets", "[time]") {
    for (TimePoint t : {utc(2026, 1, 2, 3, 4, 5), TimePoint{}, utc(2024, 2, 29, 23, 59, 59),
                        utc(1999, 12, 31, 0, 0, 0) + chr::nanoseconds(1),
                        utc(1960, 6, 1, 12, 0, 0) + chr::microseconds(7)}) {
        INFO(formatRfc3339(t));
        auto back = parseRfc3339(formatRfc3339(t));
        REQUIRE(back.has_value());
        CHECK(*back == t);
    }
    CHECK(parseRfc3339("2026-01-02T05:04:05+02:00") == utc(2026, 1, 2, 3, 4, 5));
    CHECK(parseRfc3339("2026-01-01T23:04:05-04:00") == utc(2026, 1, 2, 3, 4, 5));
    CHECK(parseRfc3339("2026-01-02t03:04:05z") == utc(2026, 1, 2, 3, 4, 5));
    CHECK(parseRfc3339("2026-01-02T03:04:05.1234567891Z") ==
          utc(2026, 1, 2, 3, 4, 5) + chr::nanoseconds(123456789));
}

TEST_CASE("parseRfc3339 refuses anything else", "[time]") {
    for (const char* bad :
         {"", "2026-01-02", "2026-01-02T03:04:05", "2026-01-02 03:04:05Z", "2026-13-02T03:04:05Z",
          "2026-02-29T03:04:05Z", "2026-01-02T24:00:00Z", "2026-01-02T03:60:00Z",
          "2026-01-02T03:04:05.Z", "2026-01-02T03:04:05+0200", "2026-01-02T03:04:05Zjunk",
          "+026-01-02T03:04:05Z", "2026-01-02T03:04:05+02:00:00", "yesterday",
          "9999-01-02T04:00:00Z", "1899-12-31T23:59:59Z", "2026-01-02T04:00:61Z"}) {
        INFO(bad);
        CHECK_FALSE(parseRfc3339(bad).has_value());
    }
}
