// Health and the coarse time left that every renderer shows.
#include "report/model.hpp"
#include "report_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep::report;
using namespace certkeep::report::testing;

TEST_CASE("humanDuration shows the two largest units", "[report]") {
    CHECK(humanDuration(chr::days(45)) == "45d");
    CHECK(humanDuration(chr::days(45) + chr::hours(3) + chr::minutes(59)) == "45d3h");
    CHECK(humanDuration(chr::days(3) + chr::hours(4) + chr::seconds(59)) == "3d4h");
    CHECK(humanDuration(chr::hours(5) + chr::minutes(12) + chr::seconds(7)) == "5h12m");
    CHECK(humanDuration(chr::minutes(12) + chr::seconds(30)) == "12m30s");
    CHECK(humanDuration(chr::seconds(40)) == "40s");
    CHECK(humanDuration(chr::seconds(0)) == "0s");
}

TEST_CASE("humanDuration says how long ago a certificate expired", "[report]") {
    CHECK(humanDuration(-(chr::days(2) + chr::hours(3))) == "expired 2d3h ago");
    CHECK(humanDuration(chr::seconds(-1)) == "expired 1s ago");
    CHECK(humanDuration(chr::seconds(std::numeric_limits<long long>::min())).rfind("expired ", 0) ==
          0);
}

TEST_CASE("healthOf compares the time left with the thresholds", "[report]") {
    CHECK(healthOf(issued("a.test", chr::days(60)), kNow) == Health::Ok);
    CHECK(healthOf(issued("a.test", chr::days(30) + chr::seconds(1)), kNow) == Health::Ok);
    CHECK(healthOf(issued("a.test", chr::days(30)), kNow) == Health::Warning);
    CHECK(healthOf(issued("a.test", chr::days(10) + chr::seconds(1)), kNow) == Health::Warning);
    CHECK(healthOf(issued("a.test", chr::days(10)), kNow) == Health::Critical);
    CHECK(healthOf(issued("a.test", -chr::days(1)), kNow) == Health::Critical);
    CHECK(healthOf(neverIssued("b.test"), kNow) == Health::Unknown);
}

TEST_CASE("healthOf counts an intermediate that expires before the leaf", "[report]") {
    auto c = issued("a.test", chr::days(60));
    c.chainNotAfter = kNow + chr::days(5);
    c.chainEarliest = "Old Intermediate";
    CHECK(healthOf(c, kNow) == Health::Critical);
}

TEST_CASE("healthName gives the stable names", "[report]") {
    CHECK(healthName(Health::Ok) == "ok");
    CHECK(healthName(Health::Warning) == "warning");
    CHECK(healthName(Health::Critical) == "critical");
    CHECK(healthName(Health::Unknown) == "unknown");
}
