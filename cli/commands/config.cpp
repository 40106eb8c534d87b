// certkeep config check: every problem of the config file with its line and column.
#include "cli/config/config.hpp"

#include "cli/command.hpp"
#include "cli/config/report.hpp"

namespace certkeep::cli {

CommandDef configCheckCommand() {
    return {{"config", "check"},
            "config check",
            "check the config file (--config FILE): every problem, with its line",
            {},
            [](const Invocation& inv, Console& console) {
                const std::string& given = inv.global.config;
                return config::runConfigCheck(given.empty() ? config::kDefaultConfigPath : given,
                                              console);
            }};
}

} // namespace certkeep::cli
