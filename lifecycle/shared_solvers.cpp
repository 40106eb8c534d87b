#include "lifecycle/shared_solvers.hpp"

#include "challenges/listen_address.hpp"

namespace certkeep::lifecycle {

namespace {

// A handle on a shared responder: every call goes to it; tokens stay per task, so one
// renewal's cleanup never withdraws another's response.
class SharedHandle : public challenges::Solver {
  public:
    explicit SharedHandle(std::shared_ptr<challenges::Solver> shared)
        : shared_(std::move(shared)) {}
    [[nodiscard]] std::string type() const override { return shared_->type(); }
    Status present(const challenges::ChallengeTask& task) override {
        return shared_->present(task);
    }
    Status waitReady(std::chrono::steady_clock::time_point deadline) override {
        return shared_->waitReady(deadline);
    }
    Status cleanup(const challenges::ChallengeTask& task) override {
        return shared_->cleanup(task);
    }
    void withdrawAll() override { shared_->withdrawAll(); }
    challenges::FetchNotifier* fetchNotifier() override { return shared_->fetchNotifier(); }

  private:
    std::shared_ptr<challenges::Solver> shared_;
};

} // namespace

Result<challenges::SolverPtr>
SharedSolverFactory::shared(const std::string& key,
                            const std::function<Result<challenges::SolverPtr>()>& start) {
    std::lock_guard lock(mutex_);
    auto it = responders_.find(key);
    if (it == responders_.end()) {
        auto started = start();
        if (!started) {
            return started.takeError();
        }
        it = responders_.emplace(key, std::shared_ptr<challenges::Solver>(std::move(*started)))
                 .first;
    }
    return challenges::SolverPtr(std::make_unique<SharedHandle>(it->second));
}

Result<challenges::SolverPtr> SharedSolverFactory::http01(const ChallengeSpec& spec) {
    if (!spec.webroot.empty()) {
        return inner_.http01(spec);
    }
    auto addr = challenges::parseListenAddress(spec.httpListen.empty() ? ":80" : spec.httpListen);
    if (!addr) {
        return addr.takeError();
    }
    return shared("http|" + addr->host + "|" + std::to_string(addr->port),
                  [&] { return inner_.http01(spec); });
}

Result<challenges::SolverPtr> SharedSolverFactory::tlsAlpn01(const ChallengeSpec& spec) {
    auto addr =
        challenges::parseListenAddress(spec.tlsAlpnListen.empty() ? ":443" : spec.tlsAlpnListen);
    if (!addr) {
        return addr.takeError();
    }
    return shared("tls-alpn|" + addr->host + "|" + std::to_string(addr->port),
                  [&] { return inner_.tlsAlpn01(spec); });
}

Result<challenges::SolverPtr> SharedSolverFactory::dns01(const ChallengeSpec& spec) {
    return inner_.dns01(spec);
}

Result<challenges::SolverPtr> SharedSolverFactory::webroot(const std::string& dir) {
    return inner_.webroot(dir);
}

} // namespace certkeep::lifecycle
