// certkeep status [--json] [--name NAME ...]: where every certificate stands (expiry, next
// renewal and why, the last attempt, failures, pending deploys), read from the store without
// contacting the CA. Exit 0, or 2/3 when the config or the store cannot be read.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/managed_run.hpp"
#include "cli/status_source.hpp"
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
    auto run = startManagedRun(inv.global, console, {}, names);
    if (!run) {
        return reportError(run.error(), console);
    }
    if (!names.empty()) {
        run->set.unmanaged.clear(); // --name narrows the list to the names given
    }
    auto statuses = collectStatus(*run->wiring->services, run->set);
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
