// Exit codes are a documented, stable contract for scripts (README "Exit codes").
#include "cli/exit_codes.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using certkeep::cli::exitCodeFor;

TEST_CASE("exitCodeFor follows the documented table for every ErrorKind", "[cli][exit]") {
    auto [kind, code] = GENERATE(table<ErrorKind, int>({
        {ErrorKind::Usage, 2},
        {ErrorKind::Config, 3},
        {ErrorKind::Io, 3},
        {ErrorKind::Local, 3},
        {ErrorKind::NotFound, 3},
        {ErrorKind::Network, 4},
        {ErrorKind::Tls, 4},
        {ErrorKind::Acme, 5},
        {ErrorKind::Protocol, 5},
        {ErrorKind::Validation, 6},
        {ErrorKind::RateLimited, 7},
        {ErrorKind::Timeout, 8},
        {ErrorKind::Crypto, 70},
        {ErrorKind::Internal, 70},
    }));
    INFO("ErrorKind " << static_cast<int>(kind));
    CHECK(exitCodeFor(kind) == code);
}

TEST_CASE("the exit code constants keep their documented values", "[cli][exit]") {
    CHECK(cli::kOk == 0);
    CHECK(cli::kFailed == 1);
    CHECK(cli::kUsage == 2);
    CHECK(cli::kLocal == 3);
    CHECK(cli::kNetwork == 4);
    CHECK(cli::kCaError == 5);
    CHECK(cli::kValidation == 6);
    CHECK(cli::kRateLimited == 7);
    CHECK(cli::kTimeout == 8);
    CHECK(cli::kInternal == 70);
}

TEST_CASE("no error kind maps to success or to the reserved code 1", "[cli][exit]") {
    for (int k = static_cast<int>(ErrorKind::Usage); k <= static_cast<int>(ErrorKind::Internal);
         ++k) {
        int code = exitCodeFor(static_cast<ErrorKind>(k));
        INFO("ErrorKind " << k);
        CHECK(code != 0);
        CHECK(code != 1);
    }
}
