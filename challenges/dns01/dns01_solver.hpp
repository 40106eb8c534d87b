#pragma once
// DNS-01 (RFC 8555 §8.4): the TXT value base64url(SHA-256(key authorization)) written through a
// DnsProvider at _acme-challenge.<identifier>, or at the end of its CNAME chain (delegation to a
// challenge zone), then waited for on every authoritative server before the CA is asked.

#include "challenges/dns/propagation.hpp"
#include "challenges/dns01/provider.hpp"
#include "challenges/solver.hpp"
#include "common/clock.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::challenges::dns01 {

// RFC 8555 §8.4: base64url(SHA-256(keyAuthorization)), 43 characters.
std::string txtValueFor(const std::string& keyAuthorization);

// Where a name's challenge record goes.
struct DnsTarget {
    std::vector<std::string> chain; // "_acme-challenge.<id>", then each CNAME target
    std::string name;               // chain.back(): where the TXT value is written
    dns::ZoneInfo zone;             // zone.zone "" when it could not be found (exec only)
};

struct Dns01Options {
    DnsProviderPtr provider;
    dns::ResolverPtr resolver;                   // the lookups (c-ares in production)
    std::optional<dns::ServerAddress> dnsServer; // --dns-resolver; nullopt = the system's
    dns::PropagationOptions propagation;
    std::chrono::milliseconds timeout{std::chrono::minutes(2)}; // propagation deadline
    // The provider needs the zone (rfc2136 and pdns do; exec gets it when it is known).
    bool zoneRequired = true;
    Clock* clock = nullptr; // nullptr = the system clock
};

class Dns01Solver : public Solver {
  public:
    explicit Dns01Solver(Dns01Options options);

    [[nodiscard]] std::string type() const override { return "dns-01"; }
    // Finds where the record goes (CNAMEs followed, zone from the SOA) and adds the value
    // there. Error naming the name and the cause; nothing is left published on error.
    Status present(const ChallengeTask& task) override;
    // Waits until every value is visible (per the propagation mode) or the earlier of
    // `deadline` and the configured timeout; Timeout error naming the lagging servers.
    Status waitReady(std::chrono::steady_clock::time_point deadline) override;
    // Removes the task's value (only ours; other values at the name stay).
    Status cleanup(const ChallengeTask& task) override;
    // Removes every value still published; best effort, for the signal path.
    void withdrawAll() override;

    // Where the challenge record for `identifier` ("example.com" for both example.com and
    // *.example.com) would be written; for `certkeep dns preflight`.
    Result<DnsTarget> locate(const std::string& identifier);
    // The provider and lookups, for preflight's own test record.
    DnsProvider& provider() { return *options_.provider; }
    dns::LookupContext lookups();
    [[nodiscard]] const Dns01Options& options() const { return options_; }

  private:
    struct Published {
        std::string token;
        TxtRecord record;
        dns::ZoneInfo zone;
    };
    Result<DnsTarget> locateCached(const std::string& identifier);

    Dns01Options options_;
    Clock& clock_;
    std::mutex mutex_; // published_ and targets_: withdrawAll runs on the signal path
    std::vector<Published> published_;
    std::map<std::string, DnsTarget> targets_; // by identifier
};

} // namespace certkeep::challenges::dns01
