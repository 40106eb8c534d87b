#include "cli/command.hpp"

namespace certkeep::cli {

const std::vector<CommandDef>& commandRegistry() {
    static const std::vector<CommandDef> commands{
        issueCommand(),
        renewCommand(),
        removeCommand(),
        accountRegisterCommand(),
        accountShowCommand(),
        accountRolloverCommand(),
        accountUpdateCommand(),
        accountDeactivateCommand(),
        revokeCommand(),
        configCheckCommand(),
        statusCommand(),
        checkCommand(),
        serveCommand(),
        dnsPreflightCommand(),
        dnsPersistRecordCommand(),
        dnsPersistCheckCommand(),
    };
    return commands;
}

} // namespace certkeep::cli
