// certkeep check: expiry alerting as a Nagios/Icinga plugin. Checks the managed certificates,
// PEM files (--file) and TLS endpoints (--endpoint); the whole chain counts. Exit 0 OK,
// 1 WARNING, 2 CRITICAL, 3 UNKNOWN, also for a bad command line: it speaks only Nagios codes.
#include "report/check.hpp"

#include "acme/crypto/csr.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/managed_run.hpp"
#include "cli/status_source.hpp"
#include "cli/wiring.hpp"
#include "common/duration.hpp"
#include "common/parallel.hpp"
#include "lifecycle/schedule.hpp"
#include "lifecycle/tls_probe.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

constexpr int kUnknown = kNagiosUnknown;
constexpr std::uintmax_t kMaxPemFile = 1 << 20;

void addCheckOptions(po::options_description& d) {
    d.add_options()("warn", po::value<std::string>(),
                    "WARNING below this time left: a duration (14d, 12h) or a share of the "
                    "lifetime (20%); default: each certificate's warn setting, else 20% (14d for "
                    "--file and --endpoint)")(
        "crit", po::value<std::string>(),
        "CRITICAL below this time left (default: the crit setting, else 10%; 7d for --file and "
        "--endpoint)")("file", po::value<std::vector<std::string>>()->composing(),
                       "check the certificates of this PEM file (repeatable)")(
        "endpoint", po::value<std::vector<std::string>>()->composing(),
        "check what HOST:PORT presents over TLS, SNI = HOST (repeatable)")(
        "name", po::value<std::vector<std::string>>()->composing(),
        "check this managed certificate (repeatable; default: all of them unless --file or "
        "--endpoint is given)")("timeout", po::value<std::string>(),
                                "give up on an endpoint after DURATION (default 10s)");
}

struct Thresholds {
    std::optional<lifecycle::Threshold> warn, crit; // from the command line
};

using std::chrono::seconds;

seconds lifetimeOf(const report::ChainCertificate& leaf) {
    return std::chrono::duration_cast<seconds>(leaf.notAfter - leaf.notBefore);
}

// The option's threshold for a leaf of `lifetime`, else `fallback` (a duration or a share).
seconds resolve(const std::optional<lifecycle::Threshold>& given, const char* fallback,
                seconds lifetime) {
    if (given) {
        return lifecycle::thresholdFor(*given, lifetime);
    }
    return lifecycle::thresholdFor(*lifecycle::parseThreshold(fallback), lifetime);
}

// PEM text -> the chain as presented; `problem` set when nothing usable is in it.
void chainFromPem(const std::string& pem, report::CheckTarget& t) {
    auto pems = acme::splitPemChain(pem);
    if (!pems) {
        t.problem = "no certificate could be read: " + pems.error().message;
        return;
    }
    for (const auto& one : *pems) {
        auto info = acme::inspectCertPem(one);
        if (!info) {
            t.problem = "a certificate does not parse: " + info.error().message;
            t.chain.clear();
            return;
        }
        t.chain.push_back({info->subjectCn.empty() ? "(no CN)" : info->subjectCn, info->notBefore,
                           info->notAfter});
    }
}

void withDefaults(report::CheckTarget& t, const Thresholds& th) {
    if (t.chain.empty()) {
        return;
    }
    auto lifetime = lifetimeOf(t.chain.front());
    t.warnBefore = resolve(th.warn, "14d", lifetime);
    t.critBefore = std::min(resolve(th.crit, "7d", lifetime), t.warnBefore);
}

report::CheckTarget fileTarget(const std::string& path, const Thresholds& th) {
    report::CheckTarget t;
    t.label = path;
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec || !std::filesystem::is_regular_file(path, ec)) {
        t.problem = "cannot read it: " + (ec ? ec.message() : std::string("not a regular file"));
        return t;
    }
    if (size > kMaxPemFile) {
        t.problem = "larger than 1 MiB: not a PEM certificate file";
        return t;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
        t.problem = "cannot read it";
        return t;
    }
    chainFromPem(text.str(), t);
    withDefaults(t, th);
    return t;
}

report::CheckTarget endpointTarget(const std::string& hostPort, const Thresholds& th,
                                   std::chrono::milliseconds timeout) {
    report::CheckTarget t;
    t.label = hostPort;
    auto hp = lifecycle::parseHostPort(hostPort);
    if (!hp) {
        t.problem = hp.error().message;
        return t;
    }
    lifecycle::OpenSslTlsProbe probe;
    auto chain = probe.fetchChain(hp->first, hp->second, hp->first, timeout);
    if (!chain) {
        t.problem = chain.error().message;
        return t;
    }
    std::string pem;
    for (const auto& one : chain->chainPem) {
        pem += one;
    }
    chainFromPem(pem, t);
    withDefaults(t, th);
    return t;
}

// A managed certificate: leaf, and the chain certificate that expires first when it does
// before the leaf; its own warn/crit settings unless the command line gives them.
report::CheckTarget managedTarget(const report::CertificateStatus& s, const Thresholds& th) {
    report::CheckTarget t;
    t.label = s.name;
    if (!s.issued) {
        t.problem =
            s.lastError.empty() ? "declared but never issued (run certkeep renew)" : s.lastError;
        return t;
    }
    t.chain.push_back({s.name, s.notBefore, s.notAfter});
    if (s.chainNotAfter < s.notAfter) {
        t.chain.push_back({s.chainEarliest.empty() ? "(intermediate)" : s.chainEarliest,
                           s.notBefore, s.chainNotAfter});
    }
    auto lifetime = lifetimeOf(t.chain.front());
    t.warnBefore = th.warn ? lifecycle::thresholdFor(*th.warn, lifetime) : s.warnBefore;
    t.critBefore = th.crit ? lifecycle::thresholdFor(*th.crit, lifetime) : s.critBefore;
    t.critBefore = std::min(t.critBefore, t.warnBefore); // a WARNING band, possibly empty
    return t;
}

std::vector<std::string> listOption(const po::variables_map& vm, const char* key) {
    return vm.count(key) != 0U ? vm[key].as<std::vector<std::string>>()
                               : std::vector<std::string>{};
}

// Managed targets; an error message when the store or config cannot be read.
Result<std::vector<report::CheckTarget>> managedTargets(const Invocation& inv, Console& console,
                                                        const std::vector<std::string>& names,
                                                        const Thresholds& th) {
    auto run = startManagedRun(inv.global, console, {}, names);
    if (!run) {
        return run.takeError();
    }
    run->set.unmanaged.clear(); // only what certkeep looks after
    std::vector<report::CheckTarget> out;
    for (const auto& s : collectStatus(*run->wiring->services, run->set)) {
        out.push_back(managedTarget(s, th));
    }
    return out;
}

Result<Thresholds> thresholdsFrom(const po::variables_map& vm) {
    Thresholds th;
    for (const char* key : {"warn", "crit"}) {
        if (vm.count(key) == 0U) {
            continue;
        }
        auto t = lifecycle::parseThreshold(stringOption(vm, key));
        if (!t) {
            return fail(ErrorKind::Usage, std::string("--") + key + ": " + t.error().message);
        }
        (std::string(key) == "warn" ? th.warn : th.crit) = *t;
    }
    if (th.warn && th.crit && th.warn->percent == th.crit->percent &&
        (th.warn->percent ? th.crit->fraction > th.warn->fraction
                          : th.crit->duration > th.warn->duration)) {
        return fail(ErrorKind::Usage, "--crit is larger than --warn: CRITICAL must come later");
    }
    return th;
}

int unknown(Console& console, const std::string& message) {
    console.out << "CERTKEEP UNKNOWN - " << message << "\n";
    return finishOutput(console, kUnknown, "nothing was changed"); // 3 either way
}

int runCheck(const Invocation& inv, Console& console) {
    auto th = thresholdsFrom(inv.vm);
    if (!th) {
        return unknown(console, th.error().message);
    }
    std::chrono::seconds timeout{10};
    if (inv.vm.count("timeout") != 0U) {
        auto d = parseDuration(stringOption(inv.vm, "timeout"));
        if (!d || d->count() <= 0) {
            return unknown(console, "--timeout: give a duration such as 10s");
        }
        timeout = *d;
    }
    auto files = listOption(inv.vm, "file");
    auto endpoints = listOption(inv.vm, "endpoint");
    for (const auto& e : endpoints) { // a malformed address is a bad argument, not a target
        if (auto hp = lifecycle::parseHostPort(e); !hp) {
            return unknown(console, "--endpoint " + e + ": " + hp.error().message);
        }
    }
    auto names = listOption(inv.vm, "name");
    std::vector<report::CheckTarget> targets;
    if ((files.empty() && endpoints.empty()) || !names.empty()) {
        auto managed = managedTargets(inv, console, names, *th);
        if (!managed) {
            return unknown(console, managed.error().message);
        }
        targets = std::move(*managed);
    }
    for (const auto& f : files) {
        targets.push_back(fileTarget(f, *th));
    }
    std::size_t base = targets.size();
    targets.resize(base + endpoints.size());
    parallelFor(endpoints.size(), 8, [&](std::size_t i) {
        targets[base + i] = endpointTarget(endpoints[i], *th, timeout);
    });
    auto outcome = report::evaluateCheck(targets, systemClock().wallNow());
    console.out << outcome.output;
    // Standard output that cannot be written is 3 (kLocal), UNKNOWN to Nagios as well.
    return finishOutput(console, outcome.exitCode, "nothing was changed");
}

} // namespace

CommandDef checkCommand() {
    CommandDef def{{"check"},
                   "check [--warn T] [--crit T] [--file PEM ...] [--endpoint HOST:PORT ...]",
                   "expiry check for Nagios/Icinga (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)",
                   addCheckOptions,
                   runCheck};
    def.usageExit = kNagiosUnknown;
    return def;
}

} // namespace certkeep::cli
