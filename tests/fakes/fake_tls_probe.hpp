#pragma once
// Test fake for lifecycle::TlsProbe: answers from a script (the last answer repeats) and
// records every call, so deploy verification is tested without a server.

#include "lifecycle/tls_probe.hpp"

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

namespace certkeep::fakes {

class FakeTlsProbe : public lifecycle::TlsProbe {
  public:
    struct Call {
        std::string host;
        int port = 0;
        std::string sni;
        std::chrono::milliseconds timeout{0};
    };

    // A probe whose every fetch presents `chainPem`.
    static lifecycle::ProbeResult serving(std::vector<std::string> chainPem) {
        return lifecycle::ProbeResult{std::move(chainPem)};
    }

    Result<lifecycle::ProbeResult> fetchChain(const std::string& host, int port,
                                              const std::string& sni,
                                              std::chrono::milliseconds timeout) override {
        std::lock_guard lock(mutex_);
        calls.push_back({host, port, sni, timeout});
        if (answers.empty()) {
            return fail(ErrorKind::Network, "connect to " + host + ": no answer scripted");
        }
        return answers[std::min(calls.size(), answers.size()) - 1];
    }

    std::vector<Result<lifecycle::ProbeResult>> answers; // one per call, the last repeats
    std::vector<Call> calls;

  private:
    std::mutex mutex_;
};

} // namespace certkeep::fakes
