// CNAME chains and zone discovery through the configured resolver: the zone is the owner of
// the SOA the resolver returns (RFC 2136 §4: updates go to the zone that holds the name), and
// its servers are the zone's NS records with their A and AAAA records.

#include "challenges/dns/zone.hpp"

#include "challenges/dns/dns_message.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <set>

namespace certkeep::challenges::dns {

namespace {

constexpr int maxCnameLinks = 8;

// The resolver as named in messages.
std::string resolverName(const LookupContext& ctx) {
    return ctx.resolver ? "resolver " + formatServerAddress(*ctx.resolver) : "system resolver";
}

Question resolverQuestion(const LookupContext& ctx, const std::string& name, RecordType type) {
    return Question{ctx.resolver, name, type, true};
}

// Asks one question of the resolver; an answer other than NOERROR or NXDOMAIN is a Network
// error naming the resolver, the question and the rcode.
Result<Answer> askResolver(LookupContext& ctx, const std::string& name, RecordType type) {
    auto results = ctx.dns.ask({resolverQuestion(ctx, name, type)}, ctx.timeout);
    if (results.empty()) {
        return fail(ErrorKind::Internal, "the resolver returned no result");
    }
    auto& result = results.front();
    if (!result) {
        return result.takeError();
    }
    if (result->rcode != 0 && result->rcode != 3) {
        return fail(ErrorKind::Network,
                    resolverName(ctx) + " answered " + rcodeName(result->rcode) + " for " +
                        recordTypeName(type) + " of " + name +
                        "; check the resolver (--dns-resolver) and the zone's servers");
    }
    return std::move(result);
}

// True when `zone` is `name` or one of its ancestors ("" is the root, an ancestor of all).
bool isAncestorOrSelf(const std::string& zone, const std::string& name) {
    if (zone.empty() || zone == name) {
        return true;
    }
    return name.size() > zone.size() &&
           name.compare(name.size() - zone.size(), zone.size(), zone) == 0 &&
           name[name.size() - zone.size() - 1] == '.';
}

// "a.b.c" -> "b.c"; "c" -> "".
std::string parentOf(const std::string& name) {
    auto dot = name.find('.');
    return dot == std::string::npos ? std::string() : name.substr(dot + 1);
}

// The SOA's owner for `name`, walking up one label at a time while the resolver names no
// zone (or names one that does not contain `name`, as after a CNAME).
Result<std::string> zoneOwner(LookupContext& ctx, const std::string& name) {
    for (std::string at = name; !at.empty(); at = parentOf(at)) {
        auto answer = askResolver(ctx, at, RecordType::SOA);
        if (!answer) {
            return answer.takeError().error.context("finding the zone of " + name);
        }
        // An SOA reached through a CNAME belongs to the target's zone, not to `at`.
        bool direct = answer->cnames.empty() || answer->cnames.front().first != at;
        if (!answer->soaOwner.empty() && direct && isAncestorOrSelf(answer->soaOwner, at)) {
            return answer->soaOwner;
        }
    }
    return fail(ErrorKind::NotFound, "no DNS zone found for " + name + ": " + resolverName(ctx) +
                                         " returns no SOA for it or any parent; check the name "
                                         "and --dns-resolver");
}

Unexpected cnameLoop(const std::string& owner, const std::string& target,
                     const std::string& start) {
    return fail(ErrorKind::NotFound, "CNAME loop at " + owner + " -> " + target +
                                         " while following " + start + "; fix the CNAME records");
}

// IPv4 before IPv6, then by text.
bool addressLess(const ServerAddress& a, const ServerAddress& b) {
    bool a6 = a.ip.find(':') != std::string::npos;
    bool b6 = b.ip.find(':') != std::string::npos;
    return a6 != b6 ? !a6 : a.ip < b.ip;
}

// Fills in each nameserver's A and AAAA addresses, all asked in one batch.
Status resolveNameservers(LookupContext& ctx, std::vector<Nameserver>& servers) {
    std::vector<Question> questions;
    for (const auto& ns : servers) {
        questions.push_back(resolverQuestion(ctx, ns.name, RecordType::A));
        questions.push_back(resolverQuestion(ctx, ns.name, RecordType::AAAA));
    }
    auto results = ctx.dns.ask(questions, ctx.timeout);
    for (std::size_t i = 0; i < questions.size() && i < results.size(); ++i) {
        if (!results[i]) {
            return results[i].takeError().error.context("looking up the address of " +
                                                        questions[i].name);
        }
        auto& ns = servers[i / 2];
        for (const auto& ip : results[i]->addresses) {
            ServerAddress addr{ip, 53}; // RFC 1035 §4.2: authoritative servers listen on 53
            if (std::find(ns.addresses.begin(), ns.addresses.end(), addr) == ns.addresses.end()) {
                ns.addresses.push_back(addr);
            }
        }
        std::sort(ns.addresses.begin(), ns.addresses.end(), addressLess);
    }
    return {};
}

} // namespace

Result<std::vector<std::string>> followCnames(LookupContext& ctx, const std::string& name) {
    std::vector<std::string> chain{normalizeName(name)};
    std::set<std::string> seen{chain.front()};
    for (;;) {
        auto answer = askResolver(ctx, chain.back(), RecordType::CNAME);
        if (!answer) {
            return answer.takeError().error.context("following the CNAMEs of " + chain.front());
        }
        if (answer->cnames.empty()) {
            return chain;
        }
        for (const auto& [owner, target] : answer->cnames) {
            if (!seen.insert(target).second) {
                return cnameLoop(owner, target, chain.front());
            }
            if (static_cast<int>(chain.size()) > maxCnameLinks) {
                return fail(ErrorKind::NotFound, "more than " + std::to_string(maxCnameLinks) +
                                                     " CNAMEs from " + chain.front() +
                                                     "; shorten the chain");
            }
            chain.push_back(target);
        }
    }
}

Result<ZoneInfo> findZone(LookupContext& ctx, const std::string& name) {
    ZoneInfo info;
    auto owner = zoneOwner(ctx, normalizeName(name));
    if (!owner) {
        return owner.takeError();
    }
    info.zone = *owner;
    auto results = ctx.dns.ask({resolverQuestion(ctx, info.zone, RecordType::SOA),
                                resolverQuestion(ctx, info.zone, RecordType::NS)},
                               ctx.timeout);
    for (auto& result : results) {
        if (!result) {
            return result.takeError().error.context("looking up zone " + info.zone);
        }
    }
    if (results.size() == 2 && !results[0]->targets.empty()) {
        info.primary = results[0]->targets.front();
    }
    std::set<std::string> names;
    if (results.size() == 2) {
        names.insert(results[1]->targets.begin(), results[1]->targets.end());
    }
    if (names.empty()) {
        return fail(ErrorKind::NotFound, "zone " + info.zone + " has no NS records at " +
                                             resolverName(ctx) + "; check the zone");
    }
    for (const auto& ns : names) { // std::set: sorted by name
        info.nameservers.push_back(Nameserver{ns, {}});
    }
    if (auto resolved = resolveNameservers(ctx, info.nameservers); !resolved) {
        return resolved.takeError();
    }
    return info;
}

} // namespace certkeep::challenges::dns
