#pragma once
// Which certificates a run looks after, with what settings: the store's settings (what each
// was issued with), laid over by the config file's declarations, laid over by the options
// given on this command line. Options not given never override: no built-in default (such as
// --server letsencrypt) replaces what a certificate was issued with.

#include "cli/challenge_options.hpp"
#include "cli/config/config.hpp"
#include "cli/options.hpp"
#include "hooks/dispatch.hpp"
#include "lifecycle/renewal.hpp"
#include "store/store.hpp"

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::cli {

// Certificate options given on this command line (renew, issue); nullopt = not given.
struct Overrides {
    std::optional<std::string> server, caBundle, keyType, preferredChain, profile, verify;
    ChallengeLayer challenge;
    hooks::HookMap hooks; // --pre-hook PROG ... as {{PROG}}
};

// The renew/issue options that override settings; reads them from `vm` and the globals.
void addOverrideOptions(boost::program_options::options_description& d);
void addHookOptions(boost::program_options::options_description& d);
Result<Overrides> overridesFrom(const boost::program_options::variables_map& vm,
                                const GlobalOptions& global);

struct ManagedSet {
    std::vector<lifecycle::ManagedCertificate> certificates;
    std::vector<std::string> unmanaged; // stored, but not declared in the config in use
    std::vector<std::string> removed;   // stopped by `certkeep remove` (among `names`, if any)
    hooks::HookMap globalHooks;         // the config's top-level hooks
};

// The config in use: --config FILE (must exist), else the default file when it exists;
// nullopt when there is none.
Result<std::optional<config::ConfigFile>> configInUse(const GlobalOptions& global);

// Every certificate to look after (`names` narrows it; an unknown name is a Usage error).
Result<ManagedSet> managedCertificates(store::Store& store, const config::ConfigFile* config,
                                       const GlobalOptions& global, const Overrides& overrides,
                                       const std::vector<std::string>& names);

// A ManagedCertificate from complete settings (identifiers, key type, server, ...).
Result<lifecycle::ManagedCertificate> managedFrom(const std::string& name,
                                                  store::CertSettings settings,
                                                  const GlobalOptions& global,
                                                  const config::ConfigFile* config);

// Hooks given on the command line (renew, serve) replace those of the same event, global and
// per certificate, for this run.
void applyHookOverrides(ManagedSet& set, const Overrides& overrides);

// Applies the command line's overrides to stored or configured settings.
void applyOverrides(store::CertSettings& settings, const Overrides& overrides);

// The global options as the config file completes them: state-dir, email, agree-tos,
// account-key-type and the default server from the file when not given on the command line.
GlobalOptions withConfigDefaults(const GlobalOptions& global, const config::ConfigFile* config);

} // namespace certkeep::cli
