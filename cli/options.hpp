#pragma once
// Command-line parsing (Boost.Program_options) over the command registry: global options,
// then the chosen command's own options. Global options may come before or after the command.
// Throws UsageError at start-up; run() turns it into its exit code (2, or the command's own:
// `check` speaks only Nagios codes).

#include "common/result.hpp"

#include <boost/program_options.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace certkeep::cli {

struct UsageError : std::runtime_error {
    explicit UsageError(const std::string& message, int code = 2)
        : std::runtime_error(message), exitCode(code) {}
    int exitCode; // the command's usage exit code when the command is known
};

struct GlobalOptions {
    std::string server;       // directory URL, aliases resolved, https only
    bool serverGiven = false; // --server was on the command line
    std::string caBundle;
    std::string stateDir; // "" = default
    std::string email;
    bool agreeTos = false;
    std::string eabKid;
    std::string eabHmacKey;     // from --eab-hmac-key, --eab-hmac-key-file or the environment
    std::string accountKeyType; // es256 | es384 | rs256
    bool accountKeyTypeGiven = false;
    int verbose = 0;
    std::string config;       // --config FILE; "" = /etc/certkeep/certkeep.toml when it exists
    bool configGiven = false; // --config was on the command line (then the file must exist)
};

struct CommandDef;

struct Invocation {
    const CommandDef* command = nullptr; // nullptr: --help or --version
    bool help = false;
    bool version = false;
    GlobalOptions global;
    boost::program_options::variables_map vm; // the command's own options
    std::vector<std::string> operands;        // words after the command words
    std::string helpText;
};

// Parses argv; throws UsageError with a one-line message naming the problem.
Invocation parseCommandLine(int argc, const char* const* argv);

// Known server names -> directory URLs; anything else is returned unchanged.
std::string resolveServer(const std::string& nameOrUrl);

// The value of a string option; an option given with an empty value is a UsageError, so that
// an unset shell variable ("--name $NAME") never silently falls back to a default.
std::string stringOption(const boost::program_options::variables_map& vm, const char* key);

// A duration option ("10m", "1h"), or `fallback` when not given; Usage error naming the option.
Result<std::chrono::seconds> durationOption(const boost::program_options::variables_map& vm,
                                            const char* key, std::chrono::seconds fallback);

} // namespace certkeep::cli
