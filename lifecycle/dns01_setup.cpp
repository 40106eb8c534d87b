// The DNS-01 solver from settings: provider, secrets, lookups, propagation.
#include "lifecycle/dns01_setup.hpp"

#include "challenges/dns01/exec_provider.hpp"
#include "challenges/dns01/pdns.hpp"
#include "challenges/dns01/rfc2136.hpp"
#include "common/duration.hpp"
#include "hooks/process.hpp"

#include <unistd.h>

extern char** environ; // NOLINT: POSIX

namespace certkeep::lifecycle {

namespace dns = challenges::dns;
namespace dns01 = challenges::dns01;

namespace {

// CERTKEEP_TSIG_KEY: "[ALG:]NAME:SECRET" (nsupdate -y) or the text of a key file.
Result<dns01::TsigKey> tsigFromEnvironment(const std::string& text) {
    if (text.find('{') != std::string::npos) {
        return dns01::parseTsigKey(text, "CERTKEEP_TSIG_KEY");
    }
    dns01::TsigKey key;
    auto last = text.rfind(':');
    if (last == std::string::npos || last + 1 == text.size()) {
        return fail(ErrorKind::Config, "CERTKEEP_TSIG_KEY must be [ALGORITHM:]NAME:SECRET "
                                       "(as nsupdate -y takes it) or a key file's text");
    }
    key.secret = text.substr(last + 1);
    std::string head = text.substr(0, last);
    auto first = head.find(':');
    key.algorithm = first == std::string::npos ? "hmac-sha256" : head.substr(0, first);
    key.name = first == std::string::npos ? head : head.substr(first + 1);
    std::string probe = "key \"" + key.name + "\" { algorithm " + key.algorithm + "; secret \"" +
                        key.secret + "\"; };";
    return dns01::parseTsigKey(probe, "CERTKEEP_TSIG_KEY"); // the same checks as a file
}

Result<dns01::DnsProviderPtr> makeRfc2136(const store::DnsSettings& dns,
                                          const DnsSecrets& secrets) {
    dns01::Rfc2136Options o;
    auto server = dns::parseServerAddress(dns.server);
    if (!server) {
        return server.takeError();
    }
    o.server = *server;
    if (!dns.tsigKeyFile.empty()) {
        auto key = dns01::loadTsigKeyFile(dns.tsigKeyFile);
        if (!key) {
            return key.takeError();
        }
        o.key = std::move(*key);
    } else if (!secrets.tsigKey.empty()) {
        auto key = tsigFromEnvironment(secrets.tsigKey);
        if (!key) {
            return key.takeError();
        }
        o.key = std::move(*key);
    } else {
        return fail(ErrorKind::Usage, "dns-01 through rfc2136 needs a TSIG key: give "
                                      "--tsig-key-file FILE (config: tsig-key-file; the file "
                                      "tsig-keygen writes) or set CERTKEEP_TSIG_KEY");
    }
    return dns01::DnsProviderPtr(std::make_unique<dns01::Rfc2136Provider>(std::move(o)));
}

// This process's environment without CERTKEEP_* (secrets among them): the provider program
// gets only its own CERTKEEP_DNS_* variables.
std::vector<std::string> inheritedEnvironment() {
    std::vector<std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string_view entry(*e);
        if (entry.rfind("CERTKEEP_", 0) != 0) {
            env.emplace_back(entry);
        }
    }
    return env;
}

// Runs a provider program through hooks/ (posix_spawn, own process group, timeout).
Result<dns01::ProgramOutcome> runProgram(const dns01::ProgramRun& run) {
    constexpr std::size_t kMaxOutput = std::size_t{64} * 1024;
    hooks::ProcessSpec spec;
    spec.path = run.path;
    spec.argv = run.argv;
    spec.env = inheritedEnvironment();
    spec.env.insert(spec.env.end(), run.env.begin(), run.env.end());
    spec.timeout = run.timeout;
    dns01::ProgramOutcome out;
    spec.output = [&out](std::string_view piece) {
        if (out.output.size() < kMaxOutput) {
            out.output.append(piece.substr(0, kMaxOutput - out.output.size()));
        }
    };
    auto end = hooks::runProcess(spec);
    if (!end) {
        return end.takeError();
    }
    out.timedOut = end->timedOut;
    out.exitCode = end->signal != 0 || end->timedOut ? -1 : end->exitStatus;
    return out;
}

Result<dns01::DnsProviderPtr> makeProvider(const store::DnsSettings& dns,
                                           const DnsSecrets& secrets) {
    if (dns.provider == "rfc2136") {
        return makeRfc2136(dns, secrets);
    }
    if (dns.provider == "exec") {
        dns01::ExecOptions o;
        o.program = dns.exec;
        return dns01::DnsProviderPtr(std::make_unique<dns01::ExecProvider>(o, runProgram));
    }
    dns01::PdnsOptions o;
    o.url = dns.pdnsUrl;
    o.serverId = dns.pdnsServerId.empty() ? "localhost" : dns.pdnsServerId;
    if (!dns.pdnsApiKeyFile.empty()) {
        auto key = dns01::loadApiKeyFile(dns.pdnsApiKeyFile);
        if (!key) {
            return key.takeError();
        }
        o.apiKey = std::move(*key);
    } else if (!secrets.pdnsApiKey.empty()) {
        o.apiKey = secrets.pdnsApiKey;
    } else {
        return fail(ErrorKind::Usage, "dns-01 through pdns needs the API key: give "
                                      "--pdns-api-key-file FILE (config: pdns-api-key-file) or "
                                      "set CERTKEEP_PDNS_API_KEY");
    }
    return dns01::DnsProviderPtr(std::make_unique<dns01::PdnsProvider>(std::move(o)));
}

} // namespace

Result<std::unique_ptr<dns01::Dns01Solver>> makeDns01Solver(const store::DnsSettings& dns,
                                                            const Dns01Setup& setup) {
    auto provider = makeProvider(dns, setup.secrets);
    if (!provider) {
        return provider.takeError();
    }
    auto resolver = dns::makeCaresResolver();
    if (!resolver) {
        return resolver.takeError();
    }
    dns01::Dns01Options o;
    o.provider = std::move(*provider);
    o.resolver = std::move(*resolver);
    o.zoneRequired = dns.provider != "exec";
    if (!dns.resolver.empty()) {
        auto addr = dns::parseServerAddress(dns.resolver);
        if (!addr) {
            return addr.takeError();
        }
        o.dnsServer = *addr;
    }
    auto mode =
        dns::parsePropagationMode(dns.propagation.empty() ? "authoritative" : dns.propagation);
    if (!mode) {
        return mode.takeError();
    }
    o.propagation.mode = *mode;
    o.propagation.note = setup.note;
    o.propagation.cancelled = setup.cancelled;
    if (!dns.timeout.empty()) {
        auto d = parseDuration(dns.timeout);
        if (!d) {
            return d.takeError();
        }
        o.timeout = *d;
    }
    o.clock = setup.clock;
    return std::make_unique<dns01::Dns01Solver>(std::move(o));
}

} // namespace certkeep::lifecycle
