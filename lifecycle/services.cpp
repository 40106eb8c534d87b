#include "lifecycle/services.hpp"

#include "challenges/http01_standalone.hpp"
#include "challenges/http01_webroot.hpp"
#include "challenges/tls_alpn01.hpp"

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

Result<challenges::SolverPtr> DefaultSolverFactory::tlsAlpn01(const ChallengeSpec& spec) {
    auto addr =
        challenges::parseListenAddress(spec.tlsAlpnListen.empty() ? ":443" : spec.tlsAlpnListen);
    if (!addr) {
        return addr.takeError();
    }
    auto responder = challenges::TlsAlpn01Responder::start(*addr);
    if (!responder) {
        return responder.takeError();
    }
    return challenges::SolverPtr(std::move(*responder));
}

Result<challenges::SolverPtr> DefaultSolverFactory::dns01(const ChallengeSpec& spec) {
    auto solver = makeDns01Solver(spec.dns, dns_);
    if (!solver) {
        return solver.takeError();
    }
    return challenges::SolverPtr(std::move(*solver));
}

Result<challenges::SolverPtr> makeSolver(SolverFactory& factory, const ChallengeSpec& spec) {
    if (spec.type == "dns-01") {
        return factory.dns01(spec);
    }
    if (spec.type == "tls-alpn-01") {
        return factory.tlsAlpn01(spec);
    }
    return factory.http01(spec);
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
