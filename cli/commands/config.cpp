// certkeep config check: every problem of the config file with its line and column.
#include "cli/config/config.hpp"

#include "cli/command.hpp"
#include "cli/config/report.hpp"

namespace certkeep::cli {

CommandDef configCheckCommand() {
    return {{"config", "check"},
            "config check [FILE]",
            "check the config file (FILE, --config or the default): every problem, with its line",
            {},
            [](const Invocation& inv, Console& console) {
                std::string given = inv.operands.empty() ? inv.global.config : inv.operands.front();
                return config::runConfigCheck(given.empty() ? config::kDefaultConfigPath : given,
                                              console);
            },
            1};
}

} // namespace certkeep::cli
