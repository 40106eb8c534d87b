#pragma once
// Command-line parsing (Boost.Program_options). Global options may come before or after
// the command. Throws UsageError at start-up; main turns it into exit code 2.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace certkeep::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct GlobalOptions {
    std::string server; // directory URL, aliases resolved
    std::string caBundle;
    std::string stateDir; // "" = default
    std::string email;
    bool agreeTos = false;
    std::string eabKid;
    std::string eabHmacKey;     // also from $CERTKEEP_EAB_HMAC_KEY; never printed
    std::string accountKeyType; // es256 | es384 | rs256
    int verbose = 0;
};

struct IssueOptions {
    std::vector<std::string> domains;
    std::string name;
    std::string keyType = "ec-p256";
    std::string httpListen; // "" = default ":80" unless webroot
    std::string webroot;
    std::string preferredChain;
};

enum class Command { Help, Version, Issue, AccountRegister, AccountShow };

struct Invocation {
    Command command = Command::Help;
    GlobalOptions global;
    IssueOptions issue;
    std::string helpText;
};

// Parses argv; throws UsageError with a one-line message naming the problem.
Invocation parseCommandLine(int argc, const char* const* argv);

// Known server names -> directory URLs; anything else is returned unchanged.
std::string resolveServer(const std::string& nameOrUrl);

} // namespace certkeep::cli
