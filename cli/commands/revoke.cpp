// certkeep revoke --name NAME [--reason R] [--use-cert-key] [--cert-version N]
#include "lifecycle/revoke.hpp"

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/wiring.hpp"
#include "common/url.hpp"
#include "store/store.hpp"

#include <ostream>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

void addRevokeOptions(po::options_description& d) {
    // "name" is declared as by issue and renew: options of all commands share one parser.
    d.add_options()("name", po::value<std::vector<std::string>>()->composing(),
                    "certificate name in the store")(
        "reason", po::value<std::string>(),
        "RFC 5280 reason: unspecified, keyCompromise, superseded, cessationOfOperation, "
        "affiliationChanged, privilegeWithdrawn, ...")(
        "use-cert-key", po::bool_switch(),
        "sign the revocation with the certificate's key instead of the account key")(
        "cert-version", po::value<int>(), "revoke this stored version instead of the live one");
}

Result<lifecycle::RevokeRequest> revokeRequest(const po::variables_map& vm) {
    lifecycle::RevokeRequest request;
    auto names = vm.count("name") != 0U ? vm["name"].as<std::vector<std::string>>()
                                        : std::vector<std::string>{};
    if (names.size() != 1 || !store::isValidCertName(names.front())) {
        return fail(ErrorKind::Usage, "revoke needs exactly one valid --name NAME (see "
                                      "certkeep status for the names)");
    }
    request.name = names.front();
    if (std::string reason = stringOption(vm, "reason"); !reason.empty()) {
        auto code = lifecycle::parseRevocationReason(reason);
        if (!code) {
            return code.takeError();
        }
        request.reason = *code;
    }
    request.useCertificateKey = vm["use-cert-key"].as<bool>();
    if (vm.count("cert-version") != 0U) {
        int version = vm["cert-version"].as<int>();
        if (version < 1) {
            return fail(ErrorKind::Usage, "--cert-version must be 1 or more");
        }
        request.version = version;
    }
    return request;
}

// The global options with the certificate's own server and CA bundle when the command line
// gives none: a certificate is revoked at the CA that issued it.
Result<GlobalOptions> globalFor(const Invocation& inv, const std::string& name, Wiring& w) {
    GlobalOptions global = inv.global;
    auto settings = w.store->loadSettings(name);
    if (!settings) {
        return settings.takeError();
    }
    if (!global.serverGiven && *settings && !(*settings)->server.empty()) {
        global.server = (*settings)->server;
        if (global.caBundle.empty()) {
            global.caBundle = (*settings)->caBundle;
        }
    }
    return global;
}

void printRevoked(Console& console, const lifecycle::RevokeOutcome& out,
                  const lifecycle::RevokeRequest& request, const std::string& server) {
    console.out << "Revoked certificate \"" << out.name << "\" (version " << out.version
                << ", serial " << out.serialHex << ")\n"
                << "  signed by   "
                << (out.byCertificateKey ? "the certificate key" : "the account key") << "\n"
                << "  reason      "
                << (request.reason ? lifecycle::revocationReasonName(*request.reason)
                                   : std::string("none given (unspecified)"))
                << "\n"
                << "  server      " << displayUrl(server) << "\n";
    if (out.live) {
        console.out << "  the next `certkeep renew` replaces it\n";
    }
}

int runRevoke(const Invocation& inv, Console& console) {
    auto request = revokeRequest(inv.vm);
    if (!request) {
        return reportError(request.error(), console);
    }
    auto first = wire(inv.global, console);
    if (!first) {
        return reportError(first.error(), console);
    }
    auto global = globalFor(inv, request->name, **first);
    if (!global) {
        return reportError(global.error(), console);
    }
    auto spec = accountSpecFrom(*global);
    auto wiring = global->server == inv.global.server && global->caBundle == inv.global.caBundle
                      ? std::move(first)
                      : wire(*global, console);
    if (!spec || !wiring) {
        return reportError(!spec ? spec.error() : wiring.error(), console);
    }
    auto out = lifecycle::revokeCertificate(*(*wiring)->services, *spec, *request);
    if (!out) {
        return reportError(out.error(), console);
    }
    printRevoked(console, *out, *request, global->server);
    return finishOutput(console, kOk, "the certificate was revoked");
}

} // namespace

CommandDef revokeCommand() {
    return {{"revoke"},
            "revoke --name NAME [--reason R]",
            "revoke a certificate at the CA that issued it",
            addRevokeOptions,
            runRevoke};
}

} // namespace certkeep::cli
