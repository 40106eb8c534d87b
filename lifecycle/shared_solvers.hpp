#pragma once
// Concurrent renewals share one HTTP-01 responder per listen address: the second renewal on
// ":80" must not fail with "address in use" while the first is validating. Each caller gets
// its own Solver handle; the responder lives as long as the factory.

#include "lifecycle/services.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace certkeep::lifecycle {

class SharedSolverFactory : public SolverFactory {
  public:
    explicit SharedSolverFactory(SolverFactory& inner) : inner_(inner) {}
    // Standalone: one responder per listen address, started on first use; webroot: as inner.
    Result<challenges::SolverPtr> http01(const ChallengeSpec& spec) override;
    Result<challenges::SolverPtr> webroot(const std::string& dir) override;
    // One TLS-ALPN-01 responder per address, as for HTTP-01.
    Result<challenges::SolverPtr> tlsAlpn01(const ChallengeSpec& spec) override;
    // A DNS-01 solver per certificate (providers add values; nothing to share).
    Result<challenges::SolverPtr> dns01(const ChallengeSpec& spec) override;

  private:
    // The responder for `key` ("http|host|port"), started by `start` on first use.
    Result<challenges::SolverPtr>
    shared(const std::string& key, const std::function<Result<challenges::SolverPtr>()>& start);
    SolverFactory& inner_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<challenges::Solver>> responders_;
};

} // namespace certkeep::lifecycle
