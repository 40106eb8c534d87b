// The DNS-01 solver: provider writes, CNAME delegation, propagation checks.
#include "challenges/dns01/dns01_solver.hpp"

#include "common/base64url.hpp"

#include <algorithm>
#include <iterator>
#include <openssl/evp.h>

namespace certkeep::challenges::dns01 {

std::string txtValueFor(const std::string& keyAuthorization) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(keyAuthorization.data(), keyAuthorization.size(), digest, &size, EVP_sha256(),
                   nullptr) != 1) {
        return {};
    }
    return base64urlEncode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

Dns01Solver::Dns01Solver(Dns01Options options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : systemClock()) {}

dns::LookupContext Dns01Solver::lookups() {
    return dns::LookupContext{*options_.resolver, options_.dnsServer,
                              options_.propagation.queryTimeout};
}

Result<DnsTarget> Dns01Solver::locate(const std::string& identifier) {
    DnsTarget target;
    auto ctx = lookups();
    auto chain = dns::followCnames(ctx, "_acme-challenge." + identifier);
    if (!chain) {
        if (options_.zoneRequired) {
            return fail(
                std::move(chain).error().context("looking up _acme-challenge." + identifier));
        }
        target.chain = {"_acme-challenge." + identifier}; // exec: the program knows its DNS
    } else {
        target.chain = std::move(*chain);
    }
    target.name = target.chain.back();
    auto zone = dns::findZone(ctx, target.name);
    if (zone) {
        target.zone = std::move(*zone);
    } else if (options_.zoneRequired ||
               options_.propagation.mode == dns::PropagationMode::Authoritative) {
        return fail(std::move(zone).error().context("finding the zone of " + target.name));
    }
    return target;
}

Result<DnsTarget> Dns01Solver::locateCached(const std::string& identifier) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = targets_.find(identifier); it != targets_.end()) {
            return it->second;
        }
    }
    auto target = locate(identifier);
    if (target) {
        std::lock_guard lock(mutex_);
        targets_[identifier] = *target;
    }
    return target;
}

Status Dns01Solver::present(const ChallengeTask& task) {
    if (!isValidToken(task.token)) {
        return fail(ErrorKind::Protocol,
                    "the CA sent an invalid challenge token for " + task.identifier);
    }
    auto target = locateCached(task.identifier);
    if (!target) {
        return target.takeError();
    }
    TxtRecord record{target->name, txtValueFor(task.keyAuthorization), target->zone.zone};
    if (auto st = options_.provider->present(record); !st) {
        (void)options_.provider->cleanup(record); // a half-done write must not stay behind
        return st;
    }
    std::lock_guard lock(mutex_);
    published_.push_back({task.token, std::move(record), target->zone});
    return {};
}

Status Dns01Solver::waitReady(std::chrono::steady_clock::time_point deadline) {
    std::vector<dns::Expectation> expected;
    {
        std::lock_guard lock(mutex_);
        for (const auto& p : published_) {
            auto it =
                std::find_if(expected.begin(), expected.end(),
                             [&](const dns::Expectation& e) { return e.name == p.record.fqdn; });
            if (it == expected.end()) {
                expected.push_back({p.record.fqdn, {}, p.zone});
                it = std::prev(expected.end());
            }
            it->values.push_back(p.record.value);
        }
    }
    auto own = clock_.now() + options_.timeout;
    auto ctx = lookups();
    return dns::waitForPropagation(ctx, expected, options_.propagation, clock_,
                                   std::min(deadline, own));
}

Status Dns01Solver::cleanup(const ChallengeTask& task) {
    std::optional<Published> entry;
    {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(published_.begin(), published_.end(),
                               [&](const Published& p) { return p.token == task.token; });
        if (it == published_.end()) {
            return {};
        }
        entry = std::move(*it);
        published_.erase(it);
    }
    if (auto st = options_.provider->cleanup(entry->record); !st) {
        return fail(
            std::move(st).error().context("removing the TXT record at " + entry->record.fqdn));
    }
    return {};
}

void Dns01Solver::withdrawAll() {
    std::vector<Published> all;
    {
        std::lock_guard lock(mutex_);
        all.swap(published_);
    }
    for (const auto& p : all) {
        (void)options_.provider->cleanup(p.record);
    }
}

} // namespace certkeep::challenges::dns01
