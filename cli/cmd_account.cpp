#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/session.hpp"

#include <ostream>

namespace certkeep::cli {

int runAccountRegister(const Invocation& inv, Console& console) {
    auto session = openSession(inv.global, true, verboseLogger(console));
    if (!session) {
        return reportError(session.error(), console);
    }
    const Session& s = **session;
    console.out << (s.accountCreated ? "Registered account " : "Account already registered: ")
                << s.account.url << "\n"
                << "  server  " << inv.global.server << "\n"
                << "  stored  " << s.stateDir << "\n";
    return kOk;
}

int runAccountShow(const Invocation& inv, Console& console) {
    auto session = openSession(inv.global, false, verboseLogger(console));
    if (!session) {
        return reportError(session.error(), console);
    }
    Session& s = **session;
    auto account = s.client->fetchAccount();
    if (!account) {
        return reportError(account.error(), console);
    }
    console.out << "Account " << s.account.url << "\n"
                << "  server      " << inv.global.server << "\n"
                << "  status      " << account->status << "\n"
                << "  contact     ";
    for (std::size_t i = 0; i < account->contact.size(); ++i) {
        console.out << (i > 0 ? ", " : "") << account->contact[i];
    }
    console.out << (account->contact.empty() ? "(none)" : "") << "\n"
                << "  key         " << s.signer->alg() << ", thumbprint " << s.thumbprint << "\n"
                << "  stored      " << s.stateDir << "\n";
    return kOk;
}

} // namespace certkeep::cli
