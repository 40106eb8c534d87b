#include "cli/managed_run.hpp"

namespace certkeep::cli {

namespace {

Unexpected asUsage(Error e) {
    if (e.kind == ErrorKind::Config) {
        e.kind = ErrorKind::Usage;
    }
    return fail(std::move(e));
}

} // namespace

Result<ManagedRun> startManagedRun(const GlobalOptions& commandLine, Console& console,
                                   const Overrides& overrides,
                                   const std::vector<std::string>& names) {
    ManagedRun run;
    auto config = configInUse(commandLine);
    if (!config) {
        Error e = config.error();
        e.kind = ErrorKind::Usage;
        return fail(std::move(e));
    }
    run.config = std::move(*config);
    const config::ConfigFile* cfg = run.config ? &*run.config : nullptr;
    run.global = withConfigDefaults(commandLine, cfg);
    auto wiring = wire(run.global, console);
    if (!wiring) {
        return wiring.takeError();
    }
    run.wiring = std::move(*wiring);
    auto set = managedCertificates(*run.wiring->store, cfg, run.global, overrides, names);
    if (!set) {
        return asUsage(set.error());
    }
    run.set = std::move(*set);
    return run;
}

} // namespace certkeep::cli
