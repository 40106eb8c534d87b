#pragma once
// dns-persist-01 (draft-ietf-acme-dns-persist-01, see challenges/dns01/persist_record.hpp):
// whether the `_validation-persist.<name>` TXT record authorizes an account, read-only, on every
// address of every authoritative server of its zone (so the CA, whichever server it asks, sees
// it); the verdict issuance uses (Services::persistAuthorized); and what the operator's record
// must name (the stored account URL, the CA's issuer domain).

#include "challenges/dns/zone.hpp"
#include "common/clock.hpp"
#include "lifecycle/services.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::lifecycle {

// What to look for.
struct PersistQuery {
    std::string name;                       // "example.com"; "*.example.com" is read as wildcard
    bool wildcard = false;                  // the certificate name is "*.<name>"
    std::vector<std::string> issuerDomains; // the CA's issuer domain names (any of them will do)
    std::string accountUri;                 // the account URL the record must carry
};

// What one address of one authoritative server answers.
struct PersistServerResult {
    std::string server;      // "ns1.example.com"
    std::string address;     // "127.0.0.2:53"; "" when the server has no address
    bool reached = false;    // the address answered (any rcode)
    bool authorizes = false; // a value there authorizes the query
    bool forIssuer = false;  // a value there names one of the issuers (authorizing or not)
    std::string detail;      // "authorizes (policy=wildcard)", or why not ("no TXT record")
    std::optional<std::chrono::system_clock::time_point> persistUntil; // of the authorizing value
};

struct PersistReport {
    std::vector<std::string> chain;           // the record name, then the CNAME targets followed
    std::string zone;                         // the zone of the chain's last name
    std::vector<PersistServerResult> servers; // per address, servers sorted by name
    // Every server answered on at least one address, and every answer authorizes.
    bool authorized = false;
    // "" or a warning: persistUntil within 30 days, or already passed.
    std::string warning;
};

// Follows CNAMEs from `_validation-persist.<name>` and finds the zone through `ctx`'s resolver,
// then asks every address of every authoritative server for the TXT record (RD off, one batch)
// and judges each answer with findAuthorizingRecord at `now`. An address that cannot be reached
// is reported; it only spoils the verdict when no address of its server answers. NotFound or
// Network error when the zone or its servers cannot be found.
Result<PersistReport> checkPersistRecord(challenges::dns::LookupContext& ctx,
                                         const PersistQuery& query,
                                         std::chrono::system_clock::time_point now);

// The verdict issuance acts on: true when `report` authorizes everywhere; false when no server
// has a value for the issuers at all (no record: the usual case); otherwise a Validation error
// (Network when no server answered) naming each server that does not authorize and why.
Result<bool> persistVerdict(const PersistReport& report);

// checkPersistRecord through c-ares, for commands and for issuance. The resolver is made on
// first use and shared; thread-safe.
class PersistChecker {
  public:
    // `resolver` nullopt = the system's resolvers; `clock` (its wall time is "now") must
    // outlive the checker; `timeout` per lookup.
    PersistChecker(std::optional<challenges::dns::ServerAddress> resolver, Clock& clock,
                   std::chrono::milliseconds timeout = std::chrono::seconds(3));
    // The checker for `resolver` ("ADDR:PORT", "" = the system's resolvers); Usage error for
    // an address that does not parse.
    static Result<std::shared_ptr<PersistChecker>> forResolver(const std::string& resolver,
                                                               Clock& clock);
    // checkPersistRecord now; Local error when c-ares cannot start.
    Result<PersistReport> check(const PersistQuery& query);
    // persistAuthorized now; Local error when c-ares cannot start.
    Result<bool> authorized(const PersistQuery& query);

  private:
    Result<challenges::dns::Resolver*> resolver();

    std::optional<challenges::dns::ServerAddress> resolverAddress_;
    Clock& clock_;
    std::chrono::milliseconds timeout_;
    std::mutex mutex_;
    challenges::dns::ResolverPtr dns_;
};

// What issuance asks: one TXT query through the resolver first (RD on, CNAMEs followed), and
// false at once when no value there names one of the issuers (the usual case: no record, one
// query); otherwise persistVerdict of checkPersistRecord. Errors as persistVerdict's, and the
// resolver's Network error.
Result<bool> persistAuthorized(challenges::dns::LookupContext& ctx, const PersistQuery& query,
                               std::chrono::system_clock::time_point now);

// A Services::persistAuthorized: persistAuthorized through `checker`'s resolver (the function
// keeps the checker alive).
using PersistAuthorized = decltype(Services::persistAuthorized);
PersistAuthorized persistAuthorizedBy(std::shared_ptr<PersistChecker> checker);

// What a dns-persist-01 record for this client names.
struct PersistIdentity {
    std::string accountUri;   // the stored account URL
    std::string issuerDomain; // the CA's issuer domain name
};

// The stored account URL for `directoryUrl` (NotFound naming `certkeep account register` when
// none is stored: nothing is registered here) and the issuer domain: `issuerDomain` when not
// empty, else the directory's first meta.caaIdentities entry (one GET of the directory, RFC 8555
// §7.1.1), else a Usage error asking for --issuer-domain.
Result<PersistIdentity> persistIdentity(Services& services, const std::string& directoryUrl,
                                        const std::string& issuerDomain);

} // namespace certkeep::lifecycle
