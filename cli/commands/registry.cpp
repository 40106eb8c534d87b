#include "cli/command.hpp"

namespace certkeep::cli {

const std::vector<CommandDef>& commandRegistry() {
    static const std::vector<CommandDef> commands{
        issueCommand(),
        accountRegisterCommand(),
        accountShowCommand(),
    };
    return commands;
}

} // namespace certkeep::cli
