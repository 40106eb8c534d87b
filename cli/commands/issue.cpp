// certkeep issue: one certificate from the command line, through lifecycle::issueCertificate.
#include "cli/commands/issue.hpp"

#include "cli/challenge_options.hpp"
#include "cli/command.hpp"
#include "cli/domain.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/managed.hpp"
#include "cli/wiring.hpp"
#include "lifecycle/challenge_spec.hpp"
#include "lifecycle/issuance.hpp"
#include "lifecycle/renewal.hpp"
#include "lifecycle/schedule.hpp"
#include "lifecycle/version_meta.hpp"
#include "store/store.hpp"

#include <ostream>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

void addIssueOptions(po::options_description& d) {
    d.add_options()("domain,d", po::value<std::vector<std::string>>()->composing(),
                    "a DNS name or IP address for the certificate (repeatable)")(
        "name", po::value<std::vector<std::string>>()->composing(),
        "certificate name in the store (default: derived from the first domain)")(
        "key-type", po::value<std::string>(),
        "ec-p256 (default) | ec-p384 | rsa2048 | rsa3072 | rsa4096")(
        "preferred-chain", po::value<std::string>(),
        "prefer the chain whose top certificate is issued by this CN")(
        "profile", po::value<std::string>(), "ACME profile to ask for, when the CA offers them")(
        "replace-names", po::bool_switch(),
        "allow an existing certificate NAME to change its set of names")(
        "verify", po::value<std::string>(),
        "after deploy, check that HOST:PORT serves the new certificate")(
        "renew-before", po::value<std::string>(),
        "renew when this share of the lifetime (1/3, 0.5, 33%) or this time (30d) is left")(
        "reuse-key", po::bool_switch(), "keep the private key across renewals")(
        "keep-versions", po::value<int>(), "old versions kept after a renewal (default 10)")(
        "key-group", po::value<std::string>(), "group allowed to read the private key")(
        "key-mode", po::value<std::string>(), "mode of the private key file (default 0600)");
    addChallengeOptions(d);
    addHookOptions(d);
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
    auto layer = challengeLayerFrom(vm);
    if (!layer) {
        return layer.takeError();
    }
    store::CertSettings challengeSettings;
    applyChallengeLayer(challengeSettings, *layer);
    auto challenge = lifecycle::challengeSpecOf(challengeSettings);
    if (!challenge) {
        return challenge.takeError();
    }
    spec.challenge = std::move(*challenge);
    if (auto st = lifecycle::checkWildcards(spec.identifiers, spec.challenge); !st) {
        return st.takeError();
    }
    std::string name;
    if (vm.count("name") != 0U) {
        const auto& names = vm["name"].as<std::vector<std::string>>();
        if (names.size() != 1 || names.front().empty()) {
            return fail(ErrorKind::Usage, "issue takes one non-empty --name");
        }
        name = names.front();
    }
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

// What issue keeps with the certificate for later renewals: its spec, plus the renewal and
// deploy settings given now or, when not given, kept from the stored settings.
Result<store::CertSettings> issueSettings(const po::variables_map& vm,
                                          const lifecycle::AccountSpec& account,
                                          const lifecycle::CertificateSpec& spec,
                                          const Overrides& overrides, store::Store& store) {
    store::CertSettings s = lifecycle::settingsOf(account, spec);
    auto stored = store.loadSettings(spec.name);
    if (!stored) {
        return stored.takeError();
    }
    if (*stored) {
        const store::CertSettings& old = **stored;
        s.hooks = old.hooks;
        s.renewBefore = old.renewBefore;
        s.reuseKey = old.reuseKey;
        s.keepVersions = old.keepVersions;
        s.keyAccess = old.keyAccess;
        s.verify = old.verify;
        s.warn = old.warn;
        s.crit = old.crit;
    }
    for (const auto& [event, list] : overrides.hooks) {
        s.hooks[event] = list;
    }
    if (overrides.verify) {
        s.verify = *overrides.verify;
    }
    if (vm.count("renew-before") != 0U) {
        s.renewBefore = stringOption(vm, "renew-before");
        if (auto p = lifecycle::parseRenewBefore(s.renewBefore); !p) {
            return fail(ErrorKind::Usage, "--renew-before: " + p.error().message);
        }
    }
    if (vm["reuse-key"].as<bool>()) {
        s.reuseKey = true;
    }
    if (vm.count("keep-versions") != 0U) {
        s.keepVersions = vm["keep-versions"].as<int>();
        if (s.keepVersions < 1) {
            return fail(ErrorKind::Usage, "--keep-versions must be 1 or more");
        }
    }
    if (vm.count("key-group") != 0U) {
        s.keyAccess.group = stringOption(vm, "key-group");
    }
    if (vm.count("key-mode") != 0U) {
        std::string mode = stringOption(vm, "key-mode");
        char* end = nullptr;
        unsigned long bits = std::strtoul(mode.c_str(), &end, 8);
        if (mode.empty() || *end != '\0' || (bits & ~0640UL) != 0) {
            return fail(ErrorKind::Usage, "--key-mode " + mode +
                                              ": give an octal mode within 0640 (a private key "
                                              "is never readable by others or executable)");
        }
        s.keyAccess.mode = static_cast<unsigned>(bits);
    }
    return s;
}

int runIssue(const Invocation& inv, Console& console) {
    auto spec = issueSpec(inv.vm);
    if (!spec) {
        return reportError(spec.error(), console);
    }
    auto config = configInUse(inv.global);
    if (!config) {
        reportError(config.error(), console);
        return kUsage;
    }
    GlobalOptions global = withConfigDefaults(inv.global, *config ? &**config : nullptr);
    auto account = accountSpecFrom(global);
    if (!account) {
        return reportError(account.error(), console);
    }
    auto overrides = overridesFrom(inv.vm, global);
    if (!overrides) {
        return reportError(overrides.error(), console);
    }
    InterruptGuard::blockSignals(); // before the responder starts its threads
    auto wiring = wire(global, console);
    if (!wiring) {
        return reportError(wiring.error(), console);
    }
    Wiring& w = **wiring;
    auto settings = issueSettings(inv.vm, *account, *spec, *overrides, *w.store);
    if (!settings) {
        return reportError(settings.error(), console);
    }
    auto managed = managedFrom(spec->name, *settings, global, nullptr);
    if (!managed) {
        return reportError(managed.error(), console);
    }
    managed->account = *account;
    managed->spec = *spec;
    InterruptGuard interrupts(w.gate, [&w] { w.active.withdrawAll(); });
    lifecycle::IssueOptions options;
    options.settings = *settings;
    auto issued = lifecycle::issueCertificate(*w.services, *account, *spec, options);
    if (!issued) {
        return reportError(issued.error(), console);
    }
    printIssued(console, *issued, w.services->clock.wallNow());
    lifecycle::RenewOptions deployOptions;
    deployOptions.hookOptions.dropEnv = secretEnvironment();
    deployOptions.hookOptions.output = [&console](const std::string& line) {
        console.out << line << "\n" << std::flush;
    };
    int code = kOk;
    if (auto st = lifecycle::deployIssued(*w.services, *managed, *issued, deployOptions); !st) {
        console.err << "certkeep: error: " << spec->name
                    << ": deploy failed: " << st.error().message
                    << " (the certificate is stored; the next renew retries the deploy)\n";
        code = kFailed;
    }
    return finishOutput(console, code, "the certificate was stored in " + issued->liveLocation);
}

} // namespace

CommandDef issueCommand() {
    return {{"issue"},
            "issue -d DOMAIN [-d DOMAIN ...]",
            "get a certificate (HTTP-01, or --dns for DNS-01, --tls-alpn-listen for TLS-ALPN-01)",
            addIssueOptions,
            runIssue};
}

} // namespace certkeep::cli
