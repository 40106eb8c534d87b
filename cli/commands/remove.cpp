// certkeep remove --name N [--delete]: stops managing a certificate. Without --delete its files
// stay where they are (a server may still use them) and `renew` no longer touches it; with
// --delete everything stored for it goes, private keys included.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/managed.hpp"
#include "cli/wiring.hpp"

#include <ostream>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

void addRemoveOptions(po::options_description& d) {
    d.add_options()("name", po::value<std::vector<std::string>>()->composing(),
                    "the certificate to stop managing")(
        "delete", po::bool_switch(),
        "also delete its stored versions, private keys, live files and state");
}

Status stopManaging(store::Store& store, const std::string& name) {
    auto settings = store.loadSettings(name);
    if (!settings) {
        return settings.takeError();
    }
    store::CertSettings s;
    if (*settings) {
        s = **settings;
    } else {
        auto meta = store.loadLiveMeta(name);
        if (!meta) {
            return meta.takeError();
        }
        if (!*meta) {
            return fail(ErrorKind::Usage, "no certificate named \"" + name + "\" is stored");
        }
    }
    s.managed = false;
    return store.saveSettings(name, s);
}

int runRemove(const Invocation& inv, Console& console) {
    std::vector<std::string> names;
    if (inv.vm.count("name") != 0U) {
        names = inv.vm["name"].as<std::vector<std::string>>();
    }
    if (names.size() != 1) {
        return reportError(makeError(ErrorKind::Usage, "remove needs exactly one --name NAME"),
                           console);
    }
    const std::string& name = names.front();
    bool del = inv.vm["delete"].as<bool>();
    auto config = configInUse(inv.global);
    if (!config) {
        reportError(config.error(), console);
        return kUsage;
    }
    GlobalOptions global = withConfigDefaults(inv.global, *config ? &**config : nullptr);
    auto wiring = wire(global, console);
    if (!wiring) {
        return reportError(wiring.error(), console);
    }
    store::Store& store = *(*wiring)->store;
    if (auto st = store::checkCertName(name); !st) {
        return reportError(st.error(), console);
    }
    auto lock = store.lockCertificate(name, std::chrono::seconds(60));
    if (!lock) {
        return reportError(lock.error(), console);
    }
    auto versions = store.listVersions(name);
    auto settings = store.loadSettings(name);
    if (!versions || !settings) {
        return reportError(!versions ? versions.error() : settings.error(), console);
    }
    if (versions->empty() && !*settings) {
        return reportError(
            makeError(ErrorKind::Usage, "no certificate named \"" + name + "\" is stored"),
            console);
    }
    Status st = del ? store.removeCertificate(name) : stopManaging(store, name);
    if (!st) {
        return reportError(st.error(), console);
    }
    bool declared = false;
    if (*config) {
        for (const auto& c : (*config)->certificates) {
            declared = declared || c.name == name;
        }
    }
    if (del) {
        console.out << "Deleted certificate \"" << name << "\": its versions, private keys, live "
                    << "files and state\n";
    } else {
        console.out << "Stopped managing certificate \"" << name << "\": renew leaves it alone; "
                    << "its files stay in " << store.liveLocation(name) << "\n";
    }
    if (declared) {
        console.err << "certkeep: warning: " << name << " is still declared in " << (*config)->path
                    << ": remove it there too, or the next renew issues it "
                    << "again\n";
    }
    return finishOutput(console, kOk, del ? "it was deleted" : "it is no longer managed");
}

} // namespace

CommandDef removeCommand() {
    return {{"remove"},
            "remove --name NAME [--delete]",
            "stop managing a certificate (and delete it with --delete)",
            addRemoveOptions,
            runRemove};
}

} // namespace certkeep::cli
