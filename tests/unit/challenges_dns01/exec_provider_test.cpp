// The exec provider's contract with its program (lego exec / acme.sh dnsapi), through a fake
// ProgramRunner that records what it was asked to run.
#include "challenges/dns01/exec_provider.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using namespace certkeep::challenges::dns01;
using namespace std::chrono_literals;

namespace {

struct FakeRunner {
    std::vector<ProgramRun> runs;
    Result<ProgramOutcome> next = ProgramOutcome{};

    ProgramRunner runner() {
        return [this](const ProgramRun& run) -> Result<ProgramOutcome> {
            runs.push_back(run);
            return next;
        };
    }
};

const TxtRecord record{"_acme-challenge.example.test",
                       "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0", "example.test"};

ExecOptions options() {
    ExecOptions o;
    o.program = "/usr/local/bin/dns-hook";
    o.timeout = 30s;
    return o;
}

} // namespace

TEST_CASE("present runs PROG present FQDN VALUE with the record in the environment",
          "[dns01][exec]") {
    FakeRunner fake;
    ExecProvider provider(options(), fake.runner());

    auto st = provider.present(record);

    REQUIRE(st.ok());
    REQUIRE(fake.runs.size() == 1);
    const ProgramRun& run = fake.runs[0];
    CHECK(run.path == "/usr/local/bin/dns-hook");
    CHECK(run.argv == std::vector<std::string>{"/usr/local/bin/dns-hook", "present", record.fqdn,
                                               record.value});
    CHECK(run.env == std::vector<std::string>{"CERTKEEP_DNS_FQDN=" + record.fqdn,
                                              "CERTKEEP_DNS_VALUE=" + record.value,
                                              "CERTKEEP_DNS_ZONE=example.test"});
    CHECK(run.timeout == 30s);
}

TEST_CASE("cleanup runs PROG cleanup FQDN VALUE", "[dns01][exec]") {
    FakeRunner fake;
    ExecProvider provider(options(), fake.runner());

    auto st = provider.cleanup(record);

    REQUIRE(st.ok());
    REQUIRE(fake.runs.size() == 1);
    CHECK(fake.runs[0].argv == std::vector<std::string>{"/usr/local/bin/dns-hook", "cleanup",
                                                        record.fqdn, record.value});
}

TEST_CASE("CERTKEEP_DNS_ZONE is left out when the zone is not known", "[dns01][exec]") {
    FakeRunner fake;
    ExecProvider provider(options(), fake.runner());
    TxtRecord noZone = record;
    noZone.zone.clear();

    REQUIRE(provider.present(noZone).ok());

    REQUIRE(fake.runs.size() == 1);
    for (const auto& entry : fake.runs[0].env) {
        CHECK(entry.rfind("CERTKEEP_DNS_ZONE=", 0) != 0);
    }
    CHECK(fake.runs[0].env.size() == 2);
}

TEST_CASE("a non-zero exit names the program, action, name, exit code and last output lines",
          "[dns01][exec]") {
    FakeRunner fake;
    fake.next = ProgramOutcome{3, false,
                               "starting\nlooking up the zone\n\n  \nzone not found\r\n"
                               "giving up\n\n"};
    ExecProvider provider(options(), fake.runner());

    auto st = provider.present(record);

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message ==
          "dns exec: /usr/local/bin/dns-hook present _acme-challenge.example.test failed "
          "(exit 3): looking up the zone / zone not found / giving up");
}

TEST_CASE("a program that printed nothing says so", "[dns01][exec]") {
    FakeRunner fake;
    fake.next = ProgramOutcome{1, false, ""};
    ExecProvider provider(options(), fake.runner());

    auto st = provider.cleanup(record);

    REQUIRE_FALSE(st.ok());
    CHECK_THAT(
        st.error().message,
        Catch::Contains("cleanup _acme-challenge.example.test failed (exit 1): (no output)"));
}

TEST_CASE("a program stopped at the timeout is an error naming the timeout", "[dns01][exec]") {
    FakeRunner fake;
    fake.next = ProgramOutcome{-1, true, "waiting for the API\n"};
    ExecProvider provider(options(), fake.runner());

    auto st = provider.present(record);

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Timeout);
    CHECK_THAT(st.error().message, Catch::Contains("/usr/local/bin/dns-hook present") &&
                                       Catch::Contains("timed out after 30s") &&
                                       Catch::Contains("waiting for the API"));
}

TEST_CASE("a program killed by a signal says so", "[dns01][exec]") {
    FakeRunner fake;
    fake.next = ProgramOutcome{-1, false, ""};
    ExecProvider provider(options(), fake.runner());

    auto st = provider.present(record);

    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.error().message, Catch::Contains("killed by a signal"));
}

TEST_CASE("a program that cannot start is an error naming it", "[dns01][exec]") {
    FakeRunner fake;
    fake.next = makeError(ErrorKind::Config, "/usr/local/bin/dns-hook is not executable");
    ExecProvider provider(options(), fake.runner());

    auto st = provider.present(record);

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Config);
    CHECK_THAT(st.error().message, Catch::StartsWith("dns exec: /usr/local/bin/dns-hook present") &&
                                       Catch::Contains("is not executable"));
}

TEST_CASE("control characters and very long lines of the output stay out of the message",
          "[dns01][exec]") {
    FakeRunner fake;
    fake.next = ProgramOutcome{2, false, "\x1b[31mred\x1b[0m\n" + std::string(5000, 'x') + "\n"};
    ExecProvider provider(options(), fake.runner());

    auto st = provider.present(record);

    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find('\x1b') == std::string::npos);
    CHECK(st.error().message.size() < 600);
}
