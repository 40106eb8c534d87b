// certkeep renew: renews every managed certificate that is due (from cron or a systemd timer),
// runs the hooks, verifies deploys. Exit 0 when nothing failed (nothing due is 0 too), 1 when
// a renewal, deploy or hook failed, 2 for usage or config errors, 3 when a local problem
// stopped the whole run.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/managed.hpp"
#include "cli/managed_run.hpp"
#include "cli/metrics_output.hpp"
#include "cli/renew_output.hpp"
#include "cli/status_source.hpp"
#include "cli/wiring.hpp"
#include "common/duration.hpp"
#include "lifecycle/renewal.hpp"

#include <ostream>
#include <thread>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

void addRenewOptions(po::options_description& d) {
    d.add_options()("name", po::value<std::vector<std::string>>()->composing(),
                    "renew only this certificate (repeatable)")(
        "force", po::bool_switch(), "renew even when not due (and despite a backoff)")(
        "dry-run", po::bool_switch(),
        "validate every due certificate's challenges, then deactivate them: nothing is issued")(
        "jitter", po::value<std::string>(),
        "sleep a random time up to DURATION first (e.g. 10m; fleets on one timer)")(
        "parallel", po::value<int>(), "renew up to N certificates at once (default 4)")(
        "hook-timeout", po::value<std::string>(), "stop a hook after DURATION (default 5m)")(
        "verify-timeout", po::value<std::string>(),
        "keep checking --verify this long after deploy (default 30s)")(
        "metrics-file", po::value<std::string>(),
        "write Prometheus metrics to this file (node_exporter textfile format, atomically)");
    addOverrideOptions(d);
    addHookOptions(d);
}

struct RenewArgs {
    std::vector<std::string> names;
    lifecycle::RenewOptions options;
    std::chrono::seconds jitter{0};
    std::string metricsFile;
};

Result<RenewArgs> renewArgs(const po::variables_map& vm) {
    RenewArgs a;
    if (vm.count("name") != 0U) {
        a.names = vm["name"].as<std::vector<std::string>>();
    }
    a.options.force = vm["force"].as<bool>();
    if (vm.count("metrics-file") != 0U) {
        a.metricsFile = stringOption(vm, "metrics-file");
        if (a.metricsFile.empty()) {
            return fail(ErrorKind::Usage, "--metrics-file is empty: give the file to write");
        }
    }
    a.options.dryRun = vm["dry-run"].as<bool>();
    if (vm.count("parallel") != 0U) {
        a.options.parallel = vm["parallel"].as<int>();
        if (a.options.parallel < 1 || a.options.parallel > 64) {
            return fail(ErrorKind::Usage, "--parallel " + std::to_string(a.options.parallel) +
                                              ": give a number from 1 to 64");
        }
    }
    auto jitter = durationOption(vm, "jitter", std::chrono::seconds(0));
    auto hookTimeout = durationOption(vm, "hook-timeout", std::chrono::minutes(5));
    auto verifyTimeout = durationOption(vm, "verify-timeout", std::chrono::seconds(30));
    for (auto* r : {&jitter, &hookTimeout, &verifyTimeout}) {
        if (!*r) {
            return r->takeError();
        }
    }
    a.jitter = *jitter;
    a.options.hookOptions.timeout = *hookTimeout;
    a.options.verifyPatience = *verifyTimeout;
    return a;
}

// Adds this run's counters to the store's totals and writes --metrics-file; a problem here is
// reported and makes the exit status 1 (the renewals themselves are stored).
int recordMetrics(Wiring& w, const ManagedSet& set, const lifecycle::RenewReport& report,
                  const std::string& metricsFile, Console& console) {
    auto record = persistRunMetrics(*w.store, w.counters, !report.preHookError, report.anyFailed(),
                                    systemClock().wallNow());
    if (!record) {
        console.err << "warning: " << record.error().message << "\n";
        return kFailed;
    }
    if (metricsFile.empty()) {
        return kOk;
    }
    auto text = renderMetrics(collectStatus(*w.services, set, report), *record);
    if (auto st = writeMetricsFile(metricsFile, text); !st) {
        console.err << "error: " << st.error().message << "\n";
        return kFailed;
    }
    return kOk;
}

int runRenew(const Invocation& inv, Console& console) {
    auto args = renewArgs(inv.vm);
    if (!args) {
        return reportError(args.error(), console);
    }
    auto overrides = overridesFrom(inv.vm, inv.global);
    if (!overrides) {
        return reportError(overrides.error(), console);
    }
    InterruptGuard::blockSignals(); // before any thread starts
    auto run = startManagedRun(inv.global, console, *overrides, args->names);
    if (!run) {
        return reportError(run.error(), console);
    }
    Wiring& w = *run->wiring;
    ManagedSet& set = run->set;
    applyHookOverrides(set, *overrides);
    args->options.globalHooks = set.globalHooks;
    args->options.hookOptions.dropEnv = secretEnvironment();
    args->options.hookOptions.counters = &w.counters;
    args->options.hookOptions.output = [&console](const std::string& line) {
        console.out << line << "\n" << std::flush;
    };
    InterruptGuard interrupts(w.gate, [&w] { w.active.withdrawAll(); });
    if (args->jitter.count() > 0) {
        std::this_thread::sleep_for(lifecycle::jitterDelay(args->jitter, w.random));
    }
    auto report = lifecycle::renewCertificates(*w.services, set.certificates, args->options);
    printRenewReport(console, set, report, args->options);
    int code = report.anyFailed() ? kFailed : kOk;
    // A dry run is no renew check: its requests are counted (by ~Wiring), nothing else.
    if (!args->options.dryRun) {
        code = std::max(code, recordMetrics(w, set, report, args->metricsFile, console));
    }
    return finishOutput(console, code, "the renewals were stored");
}

} // namespace

CommandDef renewCommand() {
    return {{"renew"},
            "renew [--name NAME ...] [--force]",
            "renew every managed certificate that is due, run hooks",
            addRenewOptions,
            runRenew};
}

} // namespace certkeep::cli
