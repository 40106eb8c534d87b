// certkeep serve: the daemon. Renews on its own schedule (at least every --interval, sooner when
// a renewal is planned earlier), serves /metrics and a status page on --metrics-listen,
// reloads the config on SIGHUP, stops on SIGTERM with exit 0.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/serve/daemon.hpp"
#include "cli/wiring.hpp"

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

void addServeOptions(po::options_description& d) {
    d.add_options()("metrics-listen", po::value<std::string>(),
                    "serve /metrics and the status page on ADDR:PORT (default 127.0.0.1:9469; "
                    ":PORT for every address)")(
        "metrics-allow", po::value<std::vector<std::string>>()->composing(),
        "only let clients from this address or network in (repeatable, e.g. 10.0.0.0/8)")(
        "interval", po::value<std::string>(), "check at least this often (default 5m)")(
        "metrics-file", po::value<std::string>(),
        "also write the metrics to this file after each check (node_exporter textfile)")(
        "parallel", po::value<int>(), "renew up to N certificates at once (default 4)")(
        "hook-timeout", po::value<std::string>(), "stop a hook after DURATION (default 5m)")(
        "verify-timeout", po::value<std::string>(),
        "keep checking --verify this long after deploy (default 30s)");
    addOverrideOptions(d);
    addHookOptions(d);
}

Result<ServeOptions> serveOptions(const Invocation& inv, Console& console) {
    const auto& vm = inv.vm;
    ServeOptions o;
    if (vm.count("metrics-listen") != 0U) {
        o.metricsListen = stringOption(vm, "metrics-listen");
    }
    if (vm.count("metrics-allow") != 0U) {
        for (const auto& text : vm["metrics-allow"].as<std::vector<std::string>>()) {
            auto net = parseAllowedNetwork(text);
            if (!net) {
                return net.takeError();
            }
            o.allowed.push_back(*net);
        }
    }
    if (vm.count("metrics-file") != 0U) {
        o.metricsFile = stringOption(vm, "metrics-file");
    }
    if (vm.count("parallel") != 0U) {
        o.renew.parallel = vm["parallel"].as<int>();
        if (o.renew.parallel < 1 || o.renew.parallel > 64) {
            return fail(ErrorKind::Usage, "--parallel " + std::to_string(o.renew.parallel) +
                                              ": give a number from 1 to 64");
        }
    }
    auto interval = durationOption(vm, "interval", std::chrono::minutes(5));
    auto hookTimeout = durationOption(vm, "hook-timeout", std::chrono::minutes(5));
    auto verifyTimeout = durationOption(vm, "verify-timeout", std::chrono::seconds(30));
    for (auto* r : {&interval, &hookTimeout, &verifyTimeout}) {
        if (!*r) {
            return r->takeError();
        }
    }
    if (interval->count() < 1) {
        return fail(ErrorKind::Usage, "--interval: give at least 1s");
    }
    o.interval = *interval;
    o.renew.hookOptions.timeout = *hookTimeout;
    o.renew.verifyPatience = *verifyTimeout;
    o.renew.hookOptions.dropEnv = secretEnvironment();
    o.renew.hookOptions.output = [&console](const std::string& line) {
        console.out << line << "\n" << std::flush;
    };
    auto overrides = overridesFrom(vm, inv.global);
    if (!overrides) {
        return overrides.takeError();
    }
    o.overrides = std::move(*overrides);
    return o;
}

int runServe(const Invocation& inv, Console& console) {
    auto options = serveOptions(inv, console);
    if (!options) {
        return reportError(options.error(), console);
    }
    return runDaemon(inv.global, *options, console);
}

} // namespace

CommandDef serveCommand() {
    return {{"serve"},
            "serve [--metrics-listen ADDR:PORT] [--interval 5m]",
            "run as a daemon: renew on schedule, serve /metrics and a status page",
            addServeOptions,
            runServe};
}

} // namespace certkeep::cli
