// certkeep status [--json] [--name NAME ...]: where every certificate stands (expiry, next
// renewal and why, the last attempt, failures, pending deploys), read from the store without
// contacting the CA. Exit 0, or 2/3 when the config or the store cannot be read.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/managed.hpp"
#include "cli/status_source.hpp"
#include "cli/wiring.hpp"
#include "report/status_text.hpp"

#include <ostream>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

void addStatusOptions(po::options_description& d) {
    d.add_options()("json", po::bool_switch(), "one JSON document (see the README for its keys)")(
        "name", po::value<std::vector<std::string>>()->composing(),
        "show only this certificate (repeatable)");
}

int runStatus(const Invocation& inv, Console& console) {
    std::vector<std::string> names;
    if (inv.vm.count("name") != 0U) {
        names = inv.vm["name"].as<std::vector<std::string>>();
    }
    auto config = configInUse(inv.global);
    if (!config) {
        reportError(config.error(), console);
        return kUsage;
    }
    const config::ConfigFile* cfg = *config ? &**config : nullptr;
    GlobalOptions global = withConfigDefaults(inv.global, cfg);
    auto wiring = wire(global, console);
    if (!wiring) {
        return reportError(wiring.error(), console);
    }
    Wiring& w = **wiring;
    auto set = managedCertificates(*w.store, cfg, global, {}, names);
    if (!set) {
        int code = reportError(set.error(), console);
        return set.error().kind == ErrorKind::Config ? kUsage : code;
    }
    if (!names.empty()) {
        set->unmanaged.clear(); // --name narrows the list to the names given
    }
    auto statuses = collectStatus(*w.services, *set);
    auto now = systemClock().wallNow();
    if (inv.vm["json"].as<bool>()) {
        console.out << report::statusJson(statuses, now);
    } else {
        console.out << report::statusTable(statuses, now);
    }
    return finishOutput(console, kOk, "nothing was changed");
}

} // namespace

CommandDef statusCommand() {
    return {{"status"},
            "status [--json] [--name NAME ...]",
            "show every certificate: expiry, next renewal and why, last result",
            addStatusOptions,
            runStatus};
}

} // namespace certkeep::cli
