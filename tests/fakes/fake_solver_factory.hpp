#pragma once
// Test fake for lifecycle::SolverFactory: hands out solvers that forward to one FakeSolver the
// test owns (so it can inspect every phase after the flow destroyed its solver), and records
// the webroot directories it was asked for.

#include "fakes/fake_solver.hpp"
#include "lifecycle/services.hpp"

#include <string>
#include <vector>

namespace certkeep::fakes {

// Forwards every call to a FakeSolver that outlives it.
class ForwardingSolver : public challenges::Solver {
  public:
    explicit ForwardingSolver(FakeSolver& target) : target_(target) {}
    [[nodiscard]] std::string type() const override { return target_.type(); }
    Status present(const challenges::ChallengeTask& task) override { return target_.present(task); }
    Status waitReady(std::chrono::steady_clock::time_point deadline) override {
        return target_.waitReady(deadline);
    }
    Status cleanup(const challenges::ChallengeTask& task) override { return target_.cleanup(task); }
    void withdrawAll() override { target_.withdrawAll(); }
    challenges::FetchNotifier* fetchNotifier() override { return target_.fetchNotifier(); }

  private:
    FakeSolver& target_;
};

class FakeSolverFactory : public lifecycle::SolverFactory {
  public:
    Result<challenges::SolverPtr> http01(const lifecycle::ChallengeSpec& spec) override {
        ++http01Calls;
        if (failHttp01) {
            return fail(*failHttp01);
        }
        lastSpec = spec;
        return challenges::SolverPtr(std::make_unique<ForwardingSolver>(solver));
    }
    Result<challenges::SolverPtr> webroot(const std::string& dir) override {
        webrootsAsked.push_back(dir);
        return challenges::SolverPtr(std::make_unique<ForwardingSolver>(leftovers));
    }

    Result<challenges::SolverPtr> tlsAlpn01(const lifecycle::ChallengeSpec& spec) override {
        ++tlsAlpn01Calls;
        lastSpec = spec;
        return challenges::SolverPtr(std::make_unique<ForwardingSolver>(solver));
    }
    Result<challenges::SolverPtr> dns01(const lifecycle::ChallengeSpec& spec) override {
        ++dns01Calls;
        lastSpec = spec;
        return challenges::SolverPtr(std::make_unique<ForwardingSolver>(solver));
    }

    FakeSolver solver;    // the certificate's solver
    FakeSolver leftovers; // the solver webroot() hands out (removal of a killed run's tokens)
    int http01Calls = 0;
    int tlsAlpn01Calls = 0;
    int dns01Calls = 0;
    std::optional<Error> failHttp01;
    lifecycle::ChallengeSpec lastSpec;
    std::vector<std::string> webrootsAsked;
};

} // namespace certkeep::fakes
