// certkeep dns persist-record | persist-check: the dns-persist-01 TXT record
// (draft-ietf-acme-dns-persist-01) an operator publishes once for the stored account, and a
// read-only check that every authoritative server serves it (lifecycle/persist_check.hpp).
#include "challenges/dns01/persist_record.hpp"
#include "cli/command.hpp"
#include "cli/domain.hpp"
#include "cli/exit_codes.hpp"
#include "cli/wiring.hpp"
#include "common/duration.hpp"
#include "common/rfc3339.hpp"
#include "lifecycle/persist_check.hpp"

#include <map>
#include <ostream>

namespace certkeep::cli {

namespace po = boost::program_options;
namespace dns01 = challenges::dns01;
using std::chrono::system_clock;

namespace {

void addNameOptions(po::options_description& d) {
    d.add_options()("domain,d", po::value<std::vector<std::string>>()->composing(),
                    "a name (repeatable; *.NAME asks for policy=wildcard)")(
        "issuer-domain", po::value<std::string>(),
        "the CA's issuer domain name (default: the first caaIdentities entry of its directory)");
}

void addRecordOptions(po::options_description& d) {
    addNameOptions(d);
    d.add_options()("wildcard", po::bool_switch(),
                    "policy=wildcard for every name: the record also authorizes *.NAME")(
        "persist-until", po::value<std::string>(),
        "the record stops authorizing new validations then: a date (2027-01-31, RFC 3339) or "
        "a duration from now (90d)");
}

void addCheckOptions(po::options_description& d) {
    addNameOptions(d);
    d.add_options()("dns-resolver", po::value<std::string>(),
                    "ADDR:PORT of the resolver for the SOA, NS and CNAME lookups (default: the "
                    "system's)");
}

// The -d names, checked; IP addresses refused (dns-persist-01 validates names).
Result<std::vector<std::string>> namesFrom(const po::variables_map& vm) {
    std::vector<std::string> given;
    if (vm.count("domain") != 0U) {
        given = vm["domain"].as<std::vector<std::string>>();
    }
    auto ids = parseIdentifiers(given);
    if (!ids) {
        return ids.takeError();
    }
    std::vector<std::string> names;
    for (const auto& id : *ids) {
        if (id.type != "dns") {
            return fail(ErrorKind::Usage,
                        id.value + " is an IP address: dns-persist-01 validates names");
        }
        names.push_back(id.value);
    }
    return names;
}

// --persist-until: an RFC 3339 date-time, a date (midnight UTC) or a duration from `now`;
// Usage error when it does not parse or is not in the future.
Result<std::optional<system_clock::time_point>> persistUntilFrom(const po::variables_map& vm,
                                                                 system_clock::time_point now) {
    const std::string text = stringOption(vm, "persist-until");
    if (text.empty()) {
        return std::optional<system_clock::time_point>();
    }
    auto at = parseRfc3339(text);
    if (!at) {
        at = parseRfc3339(text + "T00:00:00Z");
    }
    if (!at) {
        auto duration = parseDuration(text);
        if (!duration) {
            return fail(ErrorKind::Usage, "--persist-until " + text +
                                              " is neither a date (2027-01-31, RFC 3339) nor a "
                                              "duration (90d)");
        }
        at = now + *duration;
    }
    if (*at <= now) {
        return fail(ErrorKind::Usage, "--persist-until " + text + " is not in the future");
    }
    return std::optional<system_clock::time_point>(
        std::chrono::time_point_cast<std::chrono::seconds>(*at));
}

// The account URL from the store and the issuer domain (given, or from the directory).
Result<lifecycle::PersistIdentity> identityFor(const Invocation& inv, Wiring& wiring) {
    return lifecycle::persistIdentity(*wiring.services, inv.global.server,
                                      stringOption(inv.vm, "issuer-domain"));
}

int runRecord(const Invocation& inv, Console& console) {
    auto names = namesFrom(inv.vm);
    if (!names) {
        return reportError(names.error(), console);
    }
    auto until = persistUntilFrom(inv.vm, system_clock::now());
    if (!until) {
        return reportError(until.error(), console);
    }
    auto wiring = wire(inv.global, console);
    if (!wiring) {
        return reportError(wiring.error(), console);
    }
    auto identity = identityFor(inv, **wiring);
    if (!identity) {
        return reportError(identity.error(), console);
    }
    // One record per name: example.com and *.example.com share it (policy=wildcard).
    std::map<std::string, bool> records;
    std::vector<std::string> order;
    for (const auto& name : *names) {
        std::string base = name.rfind("*.", 0) == 0 ? name.substr(2) : name;
        if (records.count(base) == 0U) {
            order.push_back(base);
        }
        records[base] = records[base] || base != name || inv.vm["wildcard"].as<bool>();
    }
    console.out << "; dns-persist-01 (" << dns01::kPersistDraft << ") for account "
                << identity->accountUri << ", issuer " << identity->issuerDomain << "\n";
    for (const auto& base : order) {
        dns01::PersistRecord record{identity->issuerDomain, identity->accountUri, records[base],
                                    *until};
        if (auto st = dns01::validatePersistRecord(record); !st) {
            return reportError(st.error(), console);
        }
        console.out << dns01::persistZoneEntry(base, dns01::formatPersistRecord(record)) << "\n";
    }
    return finishOutput(console, kOk, "nothing was changed");
}

// Prints one name's report; true when it authorizes everywhere.
bool printReport(Console& console, const std::string& name,
                 const lifecycle::PersistReport& report) {
    std::string where = report.chain.front();
    for (std::size_t i = 1; i < report.chain.size(); ++i) {
        where += " -> " + report.chain[i] + " (CNAME)";
    }
    console.out << name << ": " << where << ", zone " << report.zone << "\n";
    for (const auto& row : report.servers) {
        console.out << "  " << row.server << (row.address.empty() ? "" : " (" + row.address + ")")
                    << ": " << (row.reached ? "" : "unreachable: ") << row.detail << "\n";
    }
    if (!report.warning.empty()) {
        console.out << "warning: " << name << ": " << report.warning << "\n";
    }
    console.out << name << ": "
                << (report.authorized ? "the record authorizes on every authoritative server"
                                      : "the record does not authorize on every authoritative "
                                        "server")
                << "\n";
    return report.authorized;
}

int runCheck(const Invocation& inv, Console& console) {
    auto names = namesFrom(inv.vm);
    if (!names) {
        return reportError(names.error(), console);
    }
    auto checker =
        lifecycle::PersistChecker::forResolver(stringOption(inv.vm, "dns-resolver"), systemClock());
    if (!checker) {
        return reportError(checker.error(), console);
    }
    auto wiring = wire(inv.global, console);
    if (!wiring) {
        return reportError(wiring.error(), console);
    }
    auto identity = identityFor(inv, **wiring);
    if (!identity) {
        return reportError(identity.error(), console);
    }
    bool all = true;
    for (const auto& name : *names) {
        auto report = (*checker)->check(
            {name, name.rfind("*.", 0) == 0, {identity->issuerDomain}, identity->accountUri});
        if (!report) {
            console.out << name << ": " << report.error().message << "\n";
            all = false;
            continue;
        }
        all = printReport(console, name, *report) && all;
    }
    return finishOutput(console, all ? kOk : kFailed, "nothing was changed");
}

} // namespace

CommandDef dnsPersistRecordCommand() {
    return {{"dns", "persist-record"},
            "dns persist-record -d NAME [--wildcard] [--persist-until DATE|DURATION] "
            "[--issuer-domain D]",
            "print the dns-persist-01 TXT record that lets the stored account validate NAME "
            "with no DNS change at issuance",
            addRecordOptions,
            runRecord};
}

CommandDef dnsPersistCheckCommand() {
    return {{"dns", "persist-check"},
            "dns persist-check -d NAME [--issuer-domain D] [--dns-resolver ADDR:PORT]",
            "check read-only that every authoritative server serves the dns-persist-01 record",
            addCheckOptions,
            runCheck};
}

} // namespace certkeep::cli
