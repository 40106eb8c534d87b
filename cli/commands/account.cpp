// certkeep account register | show.
#include "lifecycle/account.hpp"

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/wiring.hpp"
#include "common/url.hpp"

#include <ostream>

namespace certkeep::cli {

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

int printShown(Console& console, const Invocation& inv, const Wiring& w,
               lifecycle::AccountSession& session) {
    auto account = session.client->fetchAccount();
    if (!account) {
        return reportError(account.error(), console);
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
            "account show",
            "show the stored account and its status at the CA",
            {},
            [](const Invocation& inv, Console& console) {
                return runAccount(inv, console, lifecycle::AccountMode::Existing, printShown);
            }};
}

} // namespace certkeep::cli
