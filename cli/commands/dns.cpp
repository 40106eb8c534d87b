// certkeep dns preflight -d NAME [provider options]: whether DNS-01 issuance for NAME would
// work, checked before ordering (lifecycle/dns_preflight.hpp). Exit 0 only when it would.
#include "cli/challenge_options.hpp"
#include "cli/command.hpp"
#include "cli/domain.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/wiring.hpp"
#include "lifecycle/challenge_spec.hpp"
#include "lifecycle/dns01_setup.hpp"
#include "lifecycle/dns_preflight.hpp"

#include <openssl/rand.h>
#include <ostream>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

void addPreflightOptions(po::options_description& d) {
    d.add_options()("domain,d", po::value<std::vector<std::string>>()->composing(),
                    "a name the certificate will carry (repeatable; *.NAME is checked as NAME)");
    addDnsOptions(d);
}

// "certkeep-preflight-" and 16 random hex digits: never a real challenge value.
std::string testValue() {
    unsigned char bytes[8] = {};
    (void)RAND_bytes(bytes, sizeof bytes);
    std::string out = "certkeep-preflight-";
    const char* hex = "0123456789abcdef";
    for (unsigned char b : bytes) {
        out += hex[b >> 4U];
        out += hex[b & 15U];
    }
    return out;
}

// The DNS settings given on the command line, checked as issue checks them.
Result<store::CertSettings> preflightSettings(const po::variables_map& vm) {
    auto layer = challengeLayerFrom(vm);
    if (!layer) {
        return layer.takeError();
    }
    if (!layer->dns) {
        return fail(ErrorKind::Usage, "dns preflight needs the provider: give --dns rfc2136|exec|"
                                      "pdns and its options, as for issue");
    }
    store::CertSettings s;
    applyChallengeLayer(s, *layer);
    if (auto spec = lifecycle::challengeSpecOf(s); !spec) {
        return spec.takeError();
    }
    return s;
}

int runPreflight(const Invocation& inv, Console& console) {
    std::vector<std::string> domains;
    if (inv.vm.count("domain") != 0U) {
        domains = inv.vm["domain"].as<std::vector<std::string>>();
    }
    auto ids = parseIdentifiers(domains);
    if (!ids) {
        return reportError(ids.error(), console);
    }
    auto settings = preflightSettings(inv.vm);
    if (!settings) {
        return reportError(settings.error(), console);
    }
    InterruptGuard::blockSignals(); // before c-ares or a provider starts a thread
    ShutdownGate gate;
    auto solver = lifecycle::makeDns01Solver(settings->dns, dnsSetup(gate, console));
    if (!solver) {
        return reportError(solver.error(), console);
    }
    std::vector<std::string> names;
    for (const auto& id : *ids) {
        if (id.type != "dns") {
            return reportError(
                makeError(ErrorKind::Usage, id.value + " is an IP address: DNS-01 validates names"),
                console);
        }
        names.push_back(id.value);
    }
    std::string value = testValue();
    auto& dnsSolver = **solver;
    // Ctrl-C or SIGTERM during the wait still removes the test record.
    InterruptGuard guard(gate, [&dnsSolver, &value, &names] {
        for (const auto& n : names) {
            auto target = dnsSolver.locate(n.rfind("*.", 0) == 0 ? n.substr(2) : n);
            if (target) {
                (void)dnsSolver.provider().cleanup({target->name, value, target->zone.zone});
            }
        }
    });
    auto report = lifecycle::dnsPreflight(dnsSolver, names, value, systemClock());
    for (const auto& line : report.findings) {
        console.out << line << "\n";
    }
    for (const auto& line : report.problems) {
        console.out << "problem: " << line << "\n";
    }
    if (!report.problems.empty()) {
        console.out << "preflight: " << report.problems.size() << " problem"
                    << (report.problems.size() == 1 ? "" : "s") << ": DNS-01 issuance would fail\n";
        return finishOutput(console, kFailed, "");
    }
    console.out << "preflight: DNS-01 issuance through " << settings->dns.provider
                << " would work\n";
    return finishOutput(console, kOk, "");
}

} // namespace

CommandDef dnsPreflightCommand() {
    return {{"dns", "preflight"},
            "dns preflight -d NAME [--dns PROVIDER ...]",
            "check before ordering that DNS-01 would work: CNAMEs, zone, a test write, every "
            "authoritative server",
            addPreflightOptions,
            runPreflight};
}

} // namespace certkeep::cli
