#include "cli/run.hpp"

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"

#include <exception>
#include <ostream>

namespace certkeep::cli {

int run(int argc, const char* const* argv, Console& console) {
    const CommandDef* command = nullptr; // known once the command line parsed
    try {
        Invocation inv = parseCommandLine(argc, argv);
        command = inv.command;
        console.verbose = inv.global.verbose;
        if (inv.help) {
            console.out << inv.helpText;
            return finishOutput(console, kOk, "nothing was done");
        }
        if (inv.version) {
            console.out << "certkeep " << CERTKEEP_VERSION << "\n";
            return finishOutput(console, kOk, "nothing was done");
        }
        return inv.command->run(inv, console);
    } catch (const UsageError& e) {
        console.err << "certkeep: error: " << e.what() << "\n";
        int code = command != nullptr ? command->usageExit : e.exitCode;
        if (code == kNagiosUnknown) { // a Nagios plugin's first line of stdout is its verdict
            console.out << "CERTKEEP UNKNOWN - " << e.what() << "\n" << std::flush;
        }
        return code;
    } catch (const std::exception& e) {
        console.err << "certkeep: internal error: " << e.what() << "\n";
        return kInternal;
    }
}

} // namespace certkeep::cli
