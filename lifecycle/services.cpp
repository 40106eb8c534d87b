#include "lifecycle/services.hpp"

#include "challenges/http01_standalone.hpp"
#include "challenges/http01_webroot.hpp"

#include <algorithm>

namespace certkeep::lifecycle {

Result<challenges::SolverPtr> DefaultSolverFactory::http01(const ChallengeSpec& spec) {
    if (!spec.webroot.empty()) {
        return webroot(spec.webroot);
    }
    auto addr = challenges::parseListenAddress(spec.httpListen.empty() ? ":80" : spec.httpListen);
    if (!addr) {
        return addr.takeError();
    }
    auto standalone = challenges::Http01Standalone::start(*addr);
    if (!standalone) {
        return standalone.takeError();
    }
    return challenges::SolverPtr(std::move(*standalone));
}

Result<challenges::SolverPtr> DefaultSolverFactory::webroot(const std::string& dir) {
    auto webroot = challenges::Http01Webroot::create(dir);
    if (!webroot) {
        return webroot.takeError();
    }
    if (auto st = (*webroot)->check(); !st) {
        return st.takeError();
    }
    return challenges::SolverPtr(std::move(*webroot));
}

void ActiveSolvers::add(challenges::Solver* solver) {
    std::lock_guard lock(mutex_);
    solvers_.push_back(solver);
}

void ActiveSolvers::remove(challenges::Solver* solver) {
    std::lock_guard lock(mutex_);
    solvers_.erase(std::remove(solvers_.begin(), solvers_.end(), solver), solvers_.end());
}

void ActiveSolvers::withdrawAll() {
    std::lock_guard lock(mutex_);
    for (auto* solver : solvers_) {
        solver->withdrawAll();
    }
}

} // namespace certkeep::lifecycle
