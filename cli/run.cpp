#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

#include <chrono>
#include <exception>
#include <ostream>

namespace certkeep::cli {

int reportError(const Error& error, Console& console) {
    console.err << "certkeep: error: " << error.message << "\n";
    return exitCodeFor(error.kind);
}

std::function<void(const std::string&)> verboseLogger(Console& console) {
    if (console.verbose == 0) {
        return {};
    }
    auto start = std::chrono::steady_clock::now();
    return [&console, start](const std::string& line) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
        console.err << "certkeep: [" << ms << " ms] " << line << "\n";
    };
}

int run(int argc, const char* const* argv, Console& console) {
    try {
        Invocation inv = parseCommandLine(argc, argv);
        console.verbose = inv.global.verbose;
        switch (inv.command) {
        case Command::Help:
            console.out << inv.helpText;
            return kOk;
        case Command::Version:
            console.out << "certkeep " << CERTKEEP_VERSION << "\n";
            return kOk;
        case Command::Issue:
            return runIssue(inv, console);
        case Command::AccountRegister:
            return runAccountRegister(inv, console);
        case Command::AccountShow:
            return runAccountShow(inv, console);
        }
    } catch (const UsageError& e) {
        console.err << "certkeep: error: " << e.what() << "\n";
        return kUsage;
    } catch (const std::exception& e) {
        console.err << "certkeep: internal error: " << e.what() << "\n";
        return kInternal;
    }
    return kInternal;
}

} // namespace certkeep::cli
