#pragma once
// The exec provider: runs `PROG present|cleanup FQDN VALUE` (lego's exec and acme.sh's dnsapi
// contract) with CERTKEEP_DNS_FQDN, CERTKEEP_DNS_VALUE and CERTKEEP_DNS_ZONE (when known) in
// its environment. The program is started by an injected runner (cli/ wires hooks/ process
// running: posix_spawn, an argument vector, its own process group, a timeout).

#include "challenges/dns01/provider.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace certkeep::challenges::dns01 {

struct ProgramRun {
    std::string path;              // the program
    std::vector<std::string> argv; // argv[0] = path
    std::vector<std::string> env;  // NAME=value entries to add to the inherited environment
    std::chrono::milliseconds timeout{};
};
struct ProgramOutcome {
    int exitCode = 0; // -1 when killed by a signal or the timeout
    bool timedOut = false;
    std::string output; // stdout and stderr interleaved (the runner may cap it)
};
// Runs one program to completion; an Error only when it could not be started.
using ProgramRunner = std::function<Result<ProgramOutcome>(const ProgramRun&)>;

struct ExecOptions {
    std::string program; // absolute path, checked by the caller
    std::chrono::milliseconds timeout{std::chrono::minutes(2)};
};

class ExecProvider : public DnsProvider {
  public:
    ExecProvider(ExecOptions options, ProgramRunner run);
    [[nodiscard]] std::string name() const override { return "exec"; }
    // Error when the program exits non-zero or times out, naming it, the action, the exit
    // code and the last lines of its output: "dns exec: /usr/local/bin/dns-hook present
    // _acme-challenge.example.com failed (exit 1): zone not found".
    Status present(const TxtRecord& record) override;
    Status cleanup(const TxtRecord& record) override;

  private:
    Status run(const std::string& action, const TxtRecord& record);
    ExecOptions options_;
    ProgramRunner run_;
};

} // namespace certkeep::challenges::dns01
