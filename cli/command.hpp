#pragma once
// The command registry: each command lives in its own file under cli/commands/, declares its
// options and runs. Adding a command adds a file and one line in registry.cpp, nothing else.

#include "cli/console.hpp"
#include "cli/options.hpp"

#include <boost/program_options.hpp>
#include <functional>
#include <string>
#include <vector>

namespace certkeep::cli {

struct CommandDef {
    std::vector<std::string> words; // {"issue"}, {"account", "register"}
    std::string synopsis;           // "issue -d DOMAIN [-d DOMAIN ...]"
    std::string summary;            // one line for --help
    // Adds the command's own options (none by default).
    std::function<void(boost::program_options::options_description&)> addOptions;
    // Runs the command; returns the exit code (cli/exit_codes.hpp) and prints its own output.
    std::function<int(const Invocation&, Console&)> run;
    // Words after the command words it accepts as operands (`config check FILE`): 0 = none.
    std::size_t maxOperands = 0;
    // Exit code for a bad command line: 2, except `check` (Nagios UNKNOWN, 3).
    int usageExit = 2;
};

// Every command, in --help order.
const std::vector<CommandDef>& commandRegistry();

// Defined in cli/commands/*.cpp.
CommandDef issueCommand();
CommandDef renewCommand();
CommandDef removeCommand();
CommandDef accountRegisterCommand();
CommandDef accountShowCommand();
CommandDef accountRolloverCommand();
CommandDef accountUpdateCommand();
CommandDef accountDeactivateCommand();
CommandDef revokeCommand();
CommandDef configCheckCommand();
CommandDef statusCommand();
CommandDef checkCommand();
CommandDef serveCommand();
CommandDef dnsPreflightCommand();
CommandDef dnsPersistRecordCommand();
CommandDef dnsPersistCheckCommand();

} // namespace certkeep::cli
