#include "cli/config/report.hpp"

#include "cli/exit_codes.hpp"
#include "cli/options.hpp"

#include <ostream>
#include <set>

namespace certkeep::cli::config {

std::string summaryLine(const ConfigFile& config) {
    const auto& certs = config.certificates;
    std::string line = config.path + ": OK: ";
    if (certs.empty()) {
        return line + "no certificates declared";
    }
    std::set<std::string> servers;
    std::string names;
    for (const auto& cert : certs) {
        names += (names.empty() ? "" : ", ") + cert.name;
        servers.insert(effective(config, cert).server.value_or(resolveServer("letsencrypt")));
    }
    return line + std::to_string(certs.size()) +
           (certs.size() == 1 ? " certificate (" : " certificates (") + names + ") on " +
           std::to_string(servers.size()) + (servers.size() == 1 ? " server" : " servers");
}

int runConfigCheck(const std::string& path, Console& console) {
    ConfigFile config;
    std::vector<Problem> problems = checkConfig(path, config);
    for (const auto& problem : problems) {
        console.err << formatProblem(path, problem) << "\n";
    }
    if (!problems.empty()) {
        return kUsage;
    }
    console.out << summaryLine(config) << "\n";
    return finishOutput(console, kOk, "the config was checked");
}

} // namespace certkeep::cli::config
