// certkeep issue: one certificate from the command line, through lifecycle::issueCertificate.
#include "cli/commands/issue.hpp"

#include "challenges/listen_address.hpp"
#include "cli/command.hpp"
#include "cli/domain.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/wiring.hpp"
#include "lifecycle/issuance.hpp"
#include "lifecycle/version_meta.hpp"
#include "store/store.hpp"

#include <ostream>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

void addIssueOptions(po::options_description& d) {
    d.add_options()("domain,d", po::value<std::vector<std::string>>()->composing(),
                    "a DNS name or IP address for the certificate (repeatable)")(
        "name", po::value<std::string>(),
        "certificate name in the store (default: derived from the first domain)")(
        "key-type", po::value<std::string>(),
        "ec-p256 (default) | ec-p384 | rsa2048 | rsa3072 | rsa4096")(
        "http-listen", po::value<std::string>(),
        "built-in HTTP-01 responder address (default :80, IPv6 and IPv4)")(
        "webroot", po::value<std::string>(),
        "write HTTP-01 responses under DIR/.well-known/acme-challenge/")(
        "preferred-chain", po::value<std::string>(),
        "prefer the chain whose top certificate is issued by this CN")(
        "profile", po::value<std::string>(), "ACME profile to ask for, when the CA offers them")(
        "replace-names", po::bool_switch(),
        "allow an existing certificate NAME to change its set of names");
}

// A valid store name from the first identifier: "*." dropped, ':' of IPv6 as '-', and names
// over 64 characters shortened with a hash so that two long names stay apart.
} // namespace

std::string deriveCertName(const acme::Identifier& first) {
    std::string name = first.value;
    if (name.rfind("*.", 0) == 0) {
        name = name.substr(2);
    }
    for (auto& c : name) {
        c = c == ':' ? '-' : c;
    }
    if (name.front() == '-') {
        name = "ip" + name;
    }
    if (name.size() > 64) {
        std::size_t h = std::hash<std::string>{}(first.value);
        char suffix[10];
        (void)std::snprintf(suffix, sizeof suffix, "-%08zx", h & 0xffffffffU);
        name = name.substr(0, 55) + suffix;
    }
    return name;
}

Result<lifecycle::CertificateSpec> issueSpec(const po::variables_map& vm) {
    lifecycle::CertificateSpec spec;
    std::vector<std::string> domains;
    if (vm.count("domain") != 0U) {
        domains = vm["domain"].as<std::vector<std::string>>();
    }
    auto ids = parseIdentifiers(domains);
    if (!ids) {
        return ids.takeError();
    }
    spec.identifiers = std::move(*ids);
    for (const auto& id : spec.identifiers) {
        if (id.value.rfind("*.", 0) == 0) {
            return fail(ErrorKind::Usage, "wildcard " + id.value +
                                              " cannot be validated with HTTP-01: wildcards need "
                                              "the dns-01 challenge");
        }
    }
    std::string name = stringOption(vm, "name");
    spec.name = name.empty() ? deriveCertName(spec.identifiers.front()) : name;
    if (!store::isValidCertName(spec.name)) {
        return fail(ErrorKind::Usage, "invalid certificate name \"" + spec.name +
                                          "\": use 1-64 letters, digits, '.', '_' or '-'" +
                                          (name.empty() ? "; give one with --name" : ""));
    }
    std::string keyType = stringOption(vm, "key-type");
    auto type = acme::parseKeyType(keyType.empty() ? "ec-p256" : keyType);
    if (!type) {
        return type.takeError();
    }
    spec.keyType = *type;
    spec.challenge.webroot = stringOption(vm, "webroot");
    spec.challenge.httpListen = stringOption(vm, "http-listen");
    if (!spec.challenge.httpListen.empty() && !spec.challenge.webroot.empty()) {
        return fail(ErrorKind::Usage, "--http-listen and --webroot exclude each other: choose one");
    }
    if (spec.challenge.webroot.empty()) {
        auto addr = challenges::parseListenAddress(
            spec.challenge.httpListen.empty() ? ":80" : spec.challenge.httpListen);
        if (!addr) {
            return addr.takeError();
        }
        if (addr->port == 0) {
            return fail(ErrorKind::Usage, "--http-listen " + spec.challenge.httpListen +
                                              ": port 0 is a random port the CA cannot know; "
                                              "give the port the CA connects to (80)");
        }
    }
    spec.preferredChain = stringOption(vm, "preferred-chain");
    spec.profile = stringOption(vm, "profile");
    spec.replaceNames = vm["replace-names"].as<bool>();
    return spec;
}

namespace {

void printIssued(Console& console, const lifecycle::IssueOutcome& out,
                 std::chrono::system_clock::time_point now) {
    auto left = std::chrono::duration_cast<std::chrono::hours>(out.info.notAfter - now);
    const std::string& live = out.liveLocation;
    console.out << (out.recovered ? "Recovered" : "Issued") << " certificate \"" << out.name
                << "\" (version " << out.version << ") for "
                << lifecycle::joinIdentifiers(out.identifiers) << "\n"
                << "  expires    " << lifecycle::isoTime(out.info.notAfter) << " (in "
                << left.count() / 24 << " days " << left.count() % 24 << " hours)\n"
                << "  issuer     " << out.info.issuerCn << "\n"
                << "  fullchain  " << live << "/fullchain.pem\n"
                << "  privkey    " << live << "/privkey.pem\n"
                << "  cert       " << live << "/cert.pem\n"
                << "  chain      " << live << "/chain.pem\n";
}

int runIssue(const Invocation& inv, Console& console) {
    auto spec = issueSpec(inv.vm);
    if (!spec) {
        return reportError(spec.error(), console);
    }
    auto account = accountSpecFrom(inv.global);
    if (!account) {
        return reportError(account.error(), console);
    }
    InterruptGuard::blockSignals(); // before the responder starts its threads
    auto wiring = wire(inv.global, console);
    if (!wiring) {
        return reportError(wiring.error(), console);
    }
    Wiring& w = **wiring;
    InterruptGuard interrupts(w.gate, [&w] { w.active.withdrawAll(); });
    auto issued = lifecycle::issueCertificate(*w.services, *account, *spec);
    if (!issued) {
        return reportError(issued.error(), console);
    }
    printIssued(console, *issued, w.services->clock.wallNow());
    return finishOutput(console, kOk, "the certificate was stored in " + issued->liveLocation);
}

} // namespace

CommandDef issueCommand() {
    return {{"issue"},
            "issue -d DOMAIN [-d DOMAIN ...]",
            "get a certificate (HTTP-01)",
            addIssueOptions,
            runIssue};
}

} // namespace certkeep::cli
