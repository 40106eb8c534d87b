// dns-persist-01 records checked on every authoritative server, read-only.
#include "lifecycle/persist_check.hpp"

#include "acme/client.hpp"
#include "challenges/dns/unreachable.hpp"
#include "challenges/dns01/persist_record.hpp"
#include "common/rfc3339.hpp"
#include "common/url.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

namespace certkeep::lifecycle {

namespace dns = challenges::dns;
namespace dns01 = challenges::dns01;
using std::chrono::system_clock;

namespace {

constexpr auto kWarnBefore = std::chrono::hours(24 * 30); // persistUntil warning: 30 days

// " (policy=wildcard, persistUntil 2026-05-01T00:00:00Z)" for an authorizing record.
std::string describeRecord(const dns01::PersistRecord& record) {
    std::vector<std::string> parts;
    if (record.wildcard) {
        parts.emplace_back("policy=wildcard");
    }
    if (record.persistUntil) {
        parts.push_back("persistUntil " + formatRfc3339(*record.persistUntil));
    }
    std::string out;
    for (const auto& p : parts) {
        out += (out.empty() ? " (" : ", ") + p;
    }
    return out.empty() ? out : out + ")";
}

// Judges one server's answer: what it holds and whether it authorizes the query.
void judgeAnswer(const dns::Answer& answer, const PersistQuery& query, system_clock::time_point now,
                 PersistServerResult& row) {
    row.reached = true;
    if (answer.rcode != 0 && answer.rcode != 3) {
        row.detail = "answers rcode " + std::to_string(answer.rcode);
        return;
    }
    if (answer.txt.empty()) {
        row.detail = answer.rcode == 3 ? "no TXT record (NXDOMAIN)" : "no TXT record";
        return;
    }
    auto found = dns01::findAuthorizingRecord(answer.txt, query.issuerDomains, query.accountUri,
                                              query.wildcard, now);
    if (found) {
        row.authorizes = true;
        row.forIssuer = true;
        row.persistUntil = found->persistUntil;
        row.detail = "authorizes" + describeRecord(*found);
        return;
    }
    row.forIssuer = found.error().kind != ErrorKind::NotFound;
    row.detail = found.error().message;
    // A value that would authorize but for its persistUntil: keep the time for the warning.
    auto timeless = dns01::findAuthorizingRecord(answer.txt, query.issuerDomains, query.accountUri,
                                                 query.wildcard, system_clock::time_point::min());
    if (timeless && timeless->persistUntil) {
        row.persistUntil = timeless->persistUntil;
    }
}

// One row per address of every nameserver (one for a nameserver without an address).
std::vector<PersistServerResult> plannedRows(const dns::ZoneInfo& zone,
                                             std::vector<dns::ServerAddress>& addresses) {
    std::vector<PersistServerResult> rows;
    for (const auto& ns : zone.nameservers) {
        if (ns.addresses.empty()) {
            rows.push_back({ns.name, "", false, false, false, "has no address", std::nullopt});
        }
        for (const auto& addr : ns.addresses) {
            rows.push_back(
                {ns.name, dns::formatServerAddress(addr), false, false, false, "", std::nullopt});
            addresses.push_back(addr);
        }
    }
    return rows;
}

// Asks every address at once and judges each answer.
void askServers(dns::LookupContext& ctx, const dns::ZoneInfo& zone, const std::string& name,
                const PersistQuery& query, system_clock::time_point now, PersistReport& report) {
    std::vector<dns::ServerAddress> addresses;
    report.servers = plannedRows(zone, addresses);
    std::vector<dns::Question> questions;
    questions.reserve(addresses.size());
    for (const auto& addr : addresses) {
        questions.push_back({addr, name, dns::RecordType::TXT, false}); // RD off: authoritative
    }
    auto answers = questions.empty() ? std::vector<Result<dns::Answer>>()
                                     : ctx.dns.ask(questions, ctx.timeout);
    std::size_t next = 0;
    for (auto& row : report.servers) {
        if (row.address.empty()) {
            continue;
        }
        const std::size_t i = next++;
        if (i >= answers.size()) {
            row.detail = "no result";
        } else if (!answers[i]) {
            row.detail = dns::unreachableReason(answers[i].error(), row.address);
        } else {
            judgeAnswer(*answers[i], query, now, row);
        }
    }
}

// True when every server answered on some address and every answer authorizes.
bool everywhere(const std::vector<PersistServerResult>& rows) {
    std::map<std::string, bool> answered;
    for (const auto& row : rows) {
        if (row.reached && !row.authorizes) {
            return false;
        }
        answered[row.server] = answered[row.server] || row.reached;
    }
    return !answered.empty() && std::all_of(answered.begin(), answered.end(),
                                            [](const auto& entry) { return entry.second; });
}

// persistUntil within 30 days of `now`, or passed: the earliest one any server shows.
std::string expiryWarning(const std::vector<PersistServerResult>& rows,
                          system_clock::time_point now) {
    std::optional<system_clock::time_point> earliest;
    for (const auto& row : rows) {
        if (row.persistUntil && (!earliest || *row.persistUntil < *earliest)) {
            earliest = row.persistUntil;
        }
    }
    if (!earliest || *earliest - now > kWarnBefore) {
        return {};
    }
    const std::string when = formatRfc3339(*earliest);
    if (*earliest < now) {
        return "persistUntil " + when +
               " has passed: the record no longer authorizes new validations; publish a new "
               "one (certkeep dns persist-record)";
    }
    const auto hours = std::chrono::duration_cast<std::chrono::hours>(*earliest - now).count();
    const auto days = (hours + 12) / 24; // rounded: "10d" from persist-record reads 10 days
    return "persistUntil " + when + " is " +
           (days == 0 ? std::string("less than a day") : std::to_string(days) + " day(s)") +
           " away: publish a record with a later persistUntil before then (certkeep dns "
           "persist-record --persist-until)";
}

// Signs nothing: the directory GET it serves is unsigned (RFC 8555 §7.1.1).
class NoSigner : public acme::Signer {
  public:
    [[nodiscard]] std::string alg() const override { return "ES256"; }
    [[nodiscard]] nlohmann::json jwk() const override { return nlohmann::json::object(); }
    [[nodiscard]] Result<std::string> sign(std::string_view /*input*/) const override {
        return fail(ErrorKind::Internal, "nothing is signed when reading the directory");
    }
};

// The directory's first caaIdentities entry (one GET).
Result<std::string> issuerFromDirectory(Services& services, const std::string& directoryUrl) {
    NoSigner signer;
    acme::ClientOptions options = services.client;
    options.clock = &services.clock;
    options.log = services.log;
    acme::Client client(services.transport, signer, options);
    if (auto st = client.loadDirectory(directoryUrl); !st) {
        return st.takeError();
    }
    const auto& identities = client.directory().caaIdentities;
    if (identities.empty() || identities.front().empty()) {
        return fail(ErrorKind::Usage, "the CA at " + displayUrl(directoryUrl) +
                                          " names no issuer domain (no caaIdentities in its "
                                          "directory); give --issuer-domain DOMAIN");
    }
    return identities.front();
}

} // namespace

Result<PersistReport> checkPersistRecord(dns::LookupContext& ctx, const PersistQuery& query,
                                         system_clock::time_point now) {
    PersistQuery q = query;
    if (q.name.rfind("*.", 0) == 0) {
        q.wildcard = true;
    }
    PersistReport report;
    auto chain = dns::followCnames(ctx, dns01::persistRecordName(q.name));
    if (!chain) {
        return chain.takeError();
    }
    report.chain = std::move(*chain);
    auto zone = dns::findZone(ctx, report.chain.back());
    if (!zone) {
        return zone.takeError();
    }
    report.zone = zone->zone;
    askServers(ctx, *zone, report.chain.back(), q, now, report);
    report.authorized = everywhere(report.servers);
    report.warning = expiryWarning(report.servers, now);
    return report;
}

Result<bool> persistVerdict(const PersistReport& report) {
    if (report.authorized) {
        return true;
    }
    bool anyReached = false;
    bool anyForIssuer = false;
    std::string failing;
    for (const auto& row : report.servers) {
        anyReached = anyReached || row.reached;
        anyForIssuer = anyForIssuer || row.forIssuer;
        if (!row.authorizes) {
            failing += (failing.empty() ? "" : "; ") + row.server +
                       (row.address.empty() ? "" : " (" + row.address + ")") + ": " + row.detail;
        }
    }
    const std::string name = report.chain.empty() ? std::string("the record") : report.chain[0];
    if (!anyReached) {
        return fail(ErrorKind::Network, "no authoritative server of " + report.zone +
                                            " answered for " + name + ": " + failing);
    }
    if (!anyForIssuer) {
        return false; // no record for this CA anywhere
    }
    return fail(ErrorKind::Validation,
                name + " does not authorize on every authoritative server: " + failing);
}

Result<bool> persistAuthorized(dns::LookupContext& ctx, const PersistQuery& query,
                               system_clock::time_point now) {
    const std::string name = dns01::persistRecordName(query.name);
    auto results = ctx.dns.ask({{ctx.resolver, name, dns::RecordType::TXT, true}}, ctx.timeout);
    if (results.empty()) {
        return fail(ErrorKind::Internal, "the resolver returned no result");
    }
    if (!results.front()) {
        return results.front().takeError().error.context("looking up " + name);
    }
    auto seen = dns01::findAuthorizingRecord(results.front()->txt, query.issuerDomains,
                                             query.accountUri, query.wildcard, now);
    if (!seen && seen.error().kind == ErrorKind::NotFound) {
        return false; // no record for this CA: nothing more to ask
    }
    if (!seen && seen.error().kind == ErrorKind::Protocol) {
        return seen.takeError(); // the CA named no usable issuer domain
    }
    auto report = checkPersistRecord(ctx, query, now);
    if (!report) {
        return report.takeError();
    }
    return persistVerdict(*report);
}

PersistChecker::PersistChecker(std::optional<dns::ServerAddress> resolver, Clock& clock,
                               std::chrono::milliseconds timeout)
    : resolverAddress_(std::move(resolver)), clock_(clock), timeout_(timeout) {}

Result<std::shared_ptr<PersistChecker>> PersistChecker::forResolver(const std::string& resolver,
                                                                    Clock& clock) {
    std::optional<dns::ServerAddress> address;
    if (!resolver.empty()) {
        auto parsed = dns::parseServerAddress(resolver);
        if (!parsed) {
            return std::move(parsed).error().context("--dns-resolver");
        }
        address = *parsed;
    }
    return std::make_shared<PersistChecker>(address, clock);
}

Result<dns::Resolver*> PersistChecker::resolver() {
    std::lock_guard lock(mutex_);
    if (!dns_) {
        auto made = dns::makeCaresResolver();
        if (!made) {
            return made.takeError();
        }
        dns_ = std::move(*made);
    }
    return dns_.get();
}

Result<PersistReport> PersistChecker::check(const PersistQuery& query) {
    auto dns = resolver();
    if (!dns) {
        return dns.takeError();
    }
    dns::LookupContext ctx{**dns, resolverAddress_, timeout_};
    return checkPersistRecord(ctx, query, clock_.wallNow());
}

Result<bool> PersistChecker::authorized(const PersistQuery& query) {
    auto dns = resolver();
    if (!dns) {
        return dns.takeError();
    }
    dns::LookupContext ctx{**dns, resolverAddress_, timeout_};
    return persistAuthorized(ctx, query, clock_.wallNow());
}

PersistAuthorized persistAuthorizedBy(std::shared_ptr<PersistChecker> checker) {
    return [checker = std::move(checker)](const std::string& name, bool wildcard,
                                          const std::vector<std::string>& issuerDomains,
                                          const std::string& accountUri) {
        return checker->authorized({name, wildcard, issuerDomains, accountUri});
    };
}

Result<PersistIdentity> persistIdentity(Services& services, const std::string& directoryUrl,
                                        const std::string& issuerDomain) {
    auto stored = services.store.loadAccount(directoryUrl);
    if (!stored) {
        return stored.takeError();
    }
    if (!*stored || (*stored)->url.empty()) {
        return fail(ErrorKind::NotFound, "no account for " + displayUrl(directoryUrl) +
                                             " in the store: run certkeep account register "
                                             "first (the record names the account's URL)");
    }
    PersistIdentity identity{(*stored)->url, issuerDomain};
    if (identity.issuerDomain.empty()) {
        auto issuer = issuerFromDirectory(services, directoryUrl);
        if (!issuer) {
            return issuer.takeError();
        }
        identity.issuerDomain = std::move(*issuer);
    }
    return identity;
}

} // namespace certkeep::lifecycle
