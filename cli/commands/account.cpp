// certkeep account register | show [--json] | rollover | update | deactivate --yes.
#include "lifecycle/account.hpp"

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/wiring.hpp"
#include "common/url.hpp"
#include "lifecycle/account_ops.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

using Printer =
    std::function<int(Console&, const Invocation&, const Wiring&, lifecycle::AccountSession&)>;

// Wires the real parts, opens the account as `mode` says, then prints with `print`.
int runAccount(const Invocation& inv, Console& console, lifecycle::AccountMode mode,
               const Printer& print) {
    auto spec = accountSpecFrom(inv.global);
    if (!spec) {
        return reportError(spec.error(), console);
    }
    auto wiring = wire(inv.global, console);
    if (!wiring) {
        return reportError(wiring.error(), console);
    }
    // A key rollover a killed run left in flight is settled before the key is used.
    if (auto st = lifecycle::settleStagedKey(*(*wiring)->services, *spec); !st) {
        return reportError(st.error(), console);
    }
    auto session = lifecycle::openAccount(*(*wiring)->services, *spec, mode);
    if (!session) {
        return reportError(session.error(), console);
    }
    return print(console, inv, **wiring, *session);
}

int printRegistered(Console& console, const Invocation& inv, const Wiring& w,
                    lifecycle::AccountSession& session) {
    const char* what = "Account already registered: ";
    switch (session.origin) {
    case lifecycle::AccountOrigin::Registered:
        what = "Registered account ";
        break;
    case lifecycle::AccountOrigin::Reregistered:
        what = "The CA had forgotten the account; registered the stored key again: ";
        break;
    case lifecycle::AccountOrigin::Found:
        what = "Found the account of the stored key at the CA: ";
        break;
    case lifecycle::AccountOrigin::Stored:
        break;
    }
    console.out << what << session.account.url << "\n"
                << "  server  " << displayUrl(inv.global.server) << "\n"
                << "  stored  " << w.stateDir << "\n";
    return finishOutput(console, kOk, "the account is stored in " + w.stateDir);
}

// `account show --json`: one object, for scripts.
void printShownJson(Console& console, const Invocation& inv, const acme::Account& account,
                    const lifecycle::AccountSession& session) {
    nlohmann::json doc{{"url", session.account.url},        {"status", account.status},
                       {"contact", account.contact},        {"thumbprint", session.thumbprint},
                       {"key_type", session.signer->alg()}, {"server", inv.global.server}};
    console.out << doc.dump(2) << "\n";
}

int printShown(Console& console, const Invocation& inv, const Wiring& w,
               lifecycle::AccountSession& session) {
    auto account = session.client->fetchAccount();
    if (!account) {
        return reportError(account.error(), console);
    }
    if (inv.vm["json"].as<bool>()) {
        printShownJson(console, inv, *account, session);
        return finishOutput(console, kOk, "nothing was changed");
    }
    console.out << "Account " << session.account.url << "\n"
                << "  server      " << displayUrl(inv.global.server) << "\n"
                << "  status      " << account->status << "\n"
                << "  contact     ";
    for (std::size_t i = 0; i < account->contact.size(); ++i) {
        console.out << (i > 0 ? ", " : "") << account->contact[i];
    }
    console.out << (account->contact.empty() ? "(none)" : "") << "\n"
                << "  key         " << session.signer->alg() << ", thumbprint "
                << session.thumbprint << "\n"
                << "  stored      " << w.stateDir << "\n";
    return finishOutput(console, kOk, "nothing was changed");
}

using Operation = std::function<int(const Invocation&, Console&, lifecycle::Services&,
                                    const lifecycle::AccountSpec&)>;

// Wires the real parts and runs one account operation with them.
int runOperation(const Invocation& inv, Console& console, const Operation& operation) {
    auto spec = accountSpecFrom(inv.global);
    if (!spec) {
        return reportError(spec.error(), console);
    }
    auto wiring = wire(inv.global, console);
    if (!wiring) {
        return reportError(wiring.error(), console);
    }
    return operation(inv, console, *(*wiring)->services, *spec);
}

int runRollover(const Invocation& inv, Console& console, lifecycle::Services& services,
                const lifecycle::AccountSpec& spec) {
    std::optional<acme::JwsAlg> alg;
    if (inv.global.accountKeyTypeGiven) {
        alg = spec.keyAlg;
    }
    auto out = lifecycle::rolloverAccountKey(services, spec, alg);
    if (!out) {
        return reportError(out.error(), console);
    }
    console.out << "Rolled over the key of account " << out->accountUrl << "\n"
                << "  server      " << displayUrl(inv.global.server) << "\n"
                << "  old key     thumbprint " << out->oldThumbprint << "\n"
                << "  new key     " << out->newAlg << ", thumbprint " << out->newThumbprint << "\n";
    return finishOutput(console, kOk, "the new account key is stored and in use");
}

int runUpdate(const Invocation& inv, Console& console, lifecycle::Services& services,
              const lifecycle::AccountSpec& spec) {
    if (inv.global.email.empty()) {
        return reportError(makeError(ErrorKind::Usage, "account update needs --email ADDRESS "
                                                       "(the new contact of the account)"),
                           console);
    }
    auto account = lifecycle::updateAccountContact(services, spec, {inv.global.email});
    if (!account) {
        return reportError(account.error(), console);
    }
    console.out << "Updated account " << account->url << "\n"
                << "  contact     mailto:" << inv.global.email << "\n";
    return finishOutput(console, kOk, "the account was updated");
}

int runDeactivate(const Invocation& inv, Console& console, lifecycle::Services& services,
                  const lifecycle::AccountSpec& spec) {
    if (!inv.vm["yes"].as<bool>()) {
        return reportError(makeError(ErrorKind::Usage,
                                     "deactivating the account is irreversible: the CA refuses "
                                     "every later request of it (its certificates stay valid); "
                                     "add --yes to confirm"),
                           console);
    }
    auto account = lifecycle::deactivateAccount(services, spec);
    if (!account) {
        return reportError(account.error(), console);
    }
    console.out << "Deactivated account " << account->url << "\n"
                << "  server      " << displayUrl(inv.global.server) << "\n"
                << "  certificates issued to it stay valid until they expire or are revoked\n";
    return finishOutput(console, kOk, "the account was deactivated");
}

} // namespace

CommandDef accountRegisterCommand() {
    return {{"account", "register"},
            "account register",
            "create the ACME account, or check that the CA still knows it",
            {},
            [](const Invocation& inv, Console& console) {
                return runAccount(inv, console, lifecycle::AccountMode::Register, printRegistered);
            }};
}

CommandDef accountShowCommand() {
    return {{"account", "show"},
            "account show [--json]",
            "show the stored account and its status at the CA",
            [](po::options_description& d) {
                d.add_options()("json", po::bool_switch(), "print one JSON object");
            },
            [](const Invocation& inv, Console& console) {
                return runAccount(inv, console, lifecycle::AccountMode::Existing, printShown);
            }};
}

CommandDef accountRolloverCommand() {
    return {{"account", "rollover"},
            "account rollover",
            "replace the account key (RFC 8555 7.3.5); --account-key-type picks the new type",
            {},
            [](const Invocation& inv, Console& console) {
                return runOperation(inv, console, runRollover);
            }};
}

CommandDef accountUpdateCommand() {
    return {{"account", "update"},
            "account update --email ADDRESS",
            "change the account's contact address at the CA",
            {},
            [](const Invocation& inv, Console& console) {
                return runOperation(inv, console, runUpdate);
            }};
}

CommandDef accountDeactivateCommand() {
    return {{"account", "deactivate"},
            "account deactivate --yes",
            "deactivate the account at the CA, for good",
            [](po::options_description& d) {
                d.add_options()("yes", po::bool_switch(), "confirm the deactivation");
            },
            [](const Invocation& inv, Console& console) {
                return runOperation(inv, console, runDeactivate);
            }};
}

} // namespace certkeep::cli
