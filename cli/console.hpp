#pragma once
// Where a command writes: stdout for results, stderr for errors, notes and -v steps.

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

// Prints "certkeep: error: <message>" and returns the exit code for the error.
int reportError(const Error& error, Console& console);
// A logger that prints protocol steps to stderr with -v, nothing otherwise.
std::function<void(const std::string&)> verboseLogger(Console& console);
// A logger for notes and warnings: "certkeep: <line>" on stderr, always.
std::function<void(const std::string&)> noteLogger(Console& console);
// Flushes stdout; when that fails (a full disk, a closed pipe) says so on stderr and returns
// the exit code for a local problem, else `code`. `done` says what already happened.
int finishOutput(Console& console, int code, const std::string& done);

} // namespace certkeep::cli
