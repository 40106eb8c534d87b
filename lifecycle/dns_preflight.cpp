// DNS-01 preflight: CNAME chain, zone, a test write and its propagation, per name.
#include "lifecycle/dns_preflight.hpp"

#include <algorithm>

namespace certkeep::lifecycle {

namespace dns = challenges::dns;
namespace dns01 = challenges::dns01;

namespace {

std::string describeServers(const dns::ZoneInfo& zone) {
    std::string out;
    for (const auto& ns : zone.nameservers) {
        out += out.empty() ? "" : ", ";
        out += ns.name + " (";
        for (std::size_t i = 0; i < ns.addresses.size(); ++i) {
            out += (i == 0 ? "" : " ") + dns::formatServerAddress(ns.addresses[i]);
        }
        out += ns.addresses.empty() ? "no address)" : ")";
    }
    return out;
}

// The chain and the zone, as findings; problems when something issuance needs is missing.
void describeTarget(const std::string& name, const dns01::DnsTarget& target,
                    const dns01::Dns01Options& options, PreflightReport& report) {
    std::string chain = target.chain.front();
    for (std::size_t i = 1; i < target.chain.size(); ++i) {
        chain += " -> " + target.chain[i] + " (CNAME)";
    }
    report.findings.push_back(name + ": the record goes at " + chain);
    if (target.zone.zone.empty()) {
        report.findings.push_back(name + ": zone unknown (no SOA answer); the " +
                                  options.provider->name() + " provider is on its own");
        return;
    }
    report.findings.push_back(name + ": zone " + target.zone.zone + ", served by " +
                              describeServers(target.zone));
    if (options.propagation.mode == dns::PropagationMode::Authoritative &&
        target.zone.nameservers.empty()) {
        report.problems.push_back(name + ": zone " + target.zone.zone +
                                  " lists no nameservers to check");
    }
}

// Writes the test value at the target, waits for it, removes it.
void testWrite(const std::string& name, const dns01::DnsTarget& target, dns01::Dns01Solver& solver,
               const std::string& value, Clock& clock, PreflightReport& report) {
    dns01::TxtRecord record{target.name, value, target.zone.zone};
    const auto& options = solver.options();
    std::string via = options.provider->name();
    if (auto st = solver.provider().present(record); !st) {
        report.problems.push_back(name + ": cannot write a test record at " + target.name +
                                  " through " + via + ": " + st.error().message);
        (void)solver.provider().cleanup(record);
        return;
    }
    auto started = clock.now();
    auto ctx = solver.lookups();
    dns::Expectation expected{target.name, {value}, target.zone};
    Status seen = dns::waitForPropagation(ctx, {expected}, options.propagation, clock,
                                          started + options.timeout);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - started);
    if (seen) {
        std::string where = options.propagation.mode == dns::PropagationMode::Off
                                ? "not checked (--dns-propagation off)"
                            : options.propagation.mode == dns::PropagationMode::Resolver
                                ? "seen by the resolver"
                                : "seen on every authoritative server";
        char secs[32];
        (void)std::snprintf(secs, sizeof secs, "%.1f", static_cast<double>(took.count()) / 1000);
        report.findings.push_back(name + ": test record written through " + via + ", " + where +
                                  " after " + secs + "s");
    } else {
        report.problems.push_back(name + ": " + seen.error().message);
    }
    if (auto st = solver.provider().cleanup(record); !st) {
        report.problems.push_back(name + ": the test record at " + target.name +
                                  " could not be removed: " + st.error().message);
    } else {
        report.findings.push_back(name + ": test record removed");
    }
}

} // namespace

PreflightReport dnsPreflight(dns01::Dns01Solver& solver, const std::vector<std::string>& names,
                             const std::string& testValue, Clock& clock) {
    PreflightReport report;
    std::vector<std::string> done;
    for (const auto& given : names) {
        std::string name = given.rfind("*.", 0) == 0 ? given.substr(2) : given;
        if (std::find(done.begin(), done.end(), name) != done.end()) {
            continue;
        }
        done.push_back(name);
        auto target = solver.locate(name);
        if (!target) {
            report.problems.push_back(name + ": " + target.error().message);
            continue;
        }
        describeTarget(name, *target, solver.options(), report);
        testWrite(name, *target, solver, testValue, clock, report);
    }
    return report;
}

} // namespace certkeep::lifecycle
