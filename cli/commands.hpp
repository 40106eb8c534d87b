#pragma once
// The commands. Each returns an exit code (cli/exit_codes.hpp) and prints its own output.

#include "cli/options.hpp"
#include "common/result.hpp"

#include <functional>
#include <iosfwd>
#include <string>

namespace certkeep::cli {

struct Console {
    std::ostream& out;
    std::ostream& err;
    int verbose = 0;
};

int runIssue(const Invocation& inv, Console& console);
int runAccountRegister(const Invocation& inv, Console& console);
int runAccountShow(const Invocation& inv, Console& console);

// Prints "certkeep: error: <message>" and returns the exit code for the error.
int reportError(const Error& error, Console& console);

// A logger that prints protocol steps to stderr with -v, nothing otherwise.
std::function<void(const std::string&)> verboseLogger(Console& console);

// Entry point used by main(): parses, dispatches, never throws.
int run(int argc, const char* const* argv, Console& console);

} // namespace certkeep::cli
