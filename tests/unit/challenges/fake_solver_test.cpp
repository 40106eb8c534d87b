// The FakeSolver used by the issuance tests keeps the Solver contract it stands in for.

#include "fakes/fake_solver.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace certkeep;
using namespace certkeep::challenges;
using namespace std::chrono_literals;

TEST_CASE("FakeSolver records the phases in order and can refuse them", "[challenges][fake]") {
    fakes::FakeSolver solver;
    solver.failPresentFor = {"b.example"};
    const ChallengeTask a{"a.example", true, "tokenA", "tokenA.t"};
    const ChallengeTask b{"b.example", false, "tokenB", "tokenB.t"};
    CHECK(solver.present(a).ok());
    CHECK_FALSE(solver.present(b).ok());
    auto deadline = std::chrono::steady_clock::now() + 1s;
    CHECK(solver.waitReady(deadline).ok());
    CHECK(solver.cleanup(a).ok());
    std::thread signalWatcher([&] { solver.withdrawAll(); });
    signalWatcher.join();

    CHECK(solver.presentAttempts == 2);
    REQUIRE(solver.presented.size() == 1);
    CHECK(solver.presented[0].token == "tokenA");
    CHECK(solver.lastDeadline == deadline);
    CHECK(solver.withdrawAllCalls == 1);
    CHECK(solver.calls == std::vector<std::string>{"present *.a.example", "present b.example",
                                                   "waitReady", "cleanup *.a.example",
                                                   "withdrawAll"});

    solver.waitReadyError = makeError(ErrorKind::Timeout, "not ready");
    auto st = solver.waitReady(deadline);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Timeout);
    CHECK(solver.waitReadyCalls == 2);
}

TEST_CASE("FakeSolver offers a fetch notifier only when asked", "[challenges][fake]") {
    fakes::FakeSolver solver;
    CHECK(solver.fetchNotifier() == nullptr);
    solver.offerFetchNotifier = true;
    solver.fetchArrives = false;
    REQUIRE(solver.fetchNotifier() != nullptr);
    CHECK_FALSE(solver.fetchNotifier()->awaitFetch("tokenA", 250ms));
    REQUIRE(solver.awaitedFetches.size() == 1);
    CHECK(solver.awaitedFetches[0].second == 250ms);

    fakes::FakeSolver other("dns-01");
    other = solver; // tests reassign a configured fake
    CHECK(other.type() == "http-01");
    CHECK(other.awaitedFetches.size() == 1);
}
