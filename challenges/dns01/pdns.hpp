#pragma once
// PowerDNS Authoritative's HTTP API (/api/v1/servers/{id}/zones/{zone}): reads the TXT RRset at
// the name and PATCHes it back with our value added or removed, keeping every other record.

#include "challenges/dns01/provider.hpp"

#include <chrono>
#include <mutex>
#include <string>

namespace certkeep::challenges::dns01 {

struct PdnsOptions {
    std::string url;    // "http://127.0.0.1:8081" (the API base; http allowed: it is
                        // usually on loopback; https verified against caBundle)
    std::string apiKey; // X-API-Key; from a file or the environment, never logged
    std::string serverId = "localhost";
    std::string caBundle; // "" = system store, for https URLs
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
    uint32_t ttl = 60;
};

// Reads the API key from a file (first line, trimmed), refusing one other users may write.
Result<std::string> loadApiKeyFile(const std::string& path);

// Needs record.zone. Error naming the URL's host and the API's message ("pdns: 127.0.0.1:8081
// answered 401 Unauthorized: check --pdns-api-key-file").
class PdnsProvider : public DnsProvider {
  public:
    explicit PdnsProvider(PdnsOptions options);
    [[nodiscard]] std::string name() const override { return "pdns"; }
    Status present(const TxtRecord& record) override;
    Status cleanup(const TxtRecord& record) override;

  private:
    Status change(const TxtRecord& record, bool add);
    PdnsOptions options_;
    std::mutex mutex_; // one read-modify-write of the zone at a time
};

} // namespace certkeep::challenges::dns01
