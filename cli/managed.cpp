#include "cli/managed.hpp"

#include "cli/domain.hpp"
#include "cli/wiring.hpp"
#include "common/file_trust.hpp"
#include "common/parallel.hpp"
#include "lifecycle/challenge_spec.hpp"
#include "lifecycle/schedule.hpp"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <unistd.h>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

// "dns:example.com" -> {dns, example.com}; a bare value is parsed like -d.
Result<acme::Identifier> identifierFromKey(const std::string& key) {
    auto colon = key.find(':');
    std::string type = colon == std::string::npos ? "" : key.substr(0, colon);
    if (type == "dns" || type == "ip") {
        return acme::Identifier{type, key.substr(colon + 1)};
    }
    return parseIdentifier(key);
}

std::vector<std::string> identifierKeysOf(const std::vector<acme::Identifier>& ids) {
    std::vector<std::string> keys;
    keys.reserve(ids.size());
    for (const auto& id : ids) {
        keys.push_back(id.type + ":" + id.value);
    }
    return keys;
}

// The settings a stored certificate without a settings record was issued with, from its
// version metadata (certificates stored before settings were kept).
store::CertSettings settingsFromMeta(const std::string& metaJson) {
    store::CertSettings s;
    s.challenge = "http-01";
    auto doc = nlohmann::json::parse(metaJson, nullptr, false);
    if (!doc.is_object()) {
        return s;
    }
    if (auto it = doc.find("identifiers"); it != doc.end() && it->is_array()) {
        for (const auto& id : *it) {
            if (id.is_string()) {
                s.identifiers.push_back(id.get<std::string>());
            }
        }
    }
    s.server = doc.value("server", std::string());
    s.keyType = doc.value("key_type", std::string("ec-p256"));
    return s;
}

// Config values laid over settings: only what the file sets.
void applyConfig(store::CertSettings& s, const config::Settings& c) {
    auto set = [](std::string& field, const std::optional<std::string>& v) {
        if (v) {
            field = *v;
        }
    };
    set(s.server, c.server);
    set(s.caBundle, c.caBundle);
    set(s.eabKid, c.eabKid);
    set(s.eabHmacKeyFile, c.eabHmacKeyFile);
    set(s.keyType, c.keyType);
    applyChallengeLayer(s, config::challengeLayerOf(c));
    set(s.preferredChain, c.preferredChain);
    set(s.profile, c.profile);
    set(s.verify, c.verify);
    set(s.renewBefore, c.renewBefore);
    set(s.warn, c.warn);
    set(s.crit, c.crit);
    set(s.keyAccess.group, c.keyGroup);
    if (c.keyMode) {
        s.keyAccess.mode = static_cast<unsigned>(std::stoul(*c.keyMode, nullptr, 8));
    }
    if (c.reuseKey) {
        s.reuseKey = *c.reuseKey;
    }
    if (c.keepVersions) {
        s.keepVersions = *c.keepVersions;
    }
}

store::CertSettings defaultSettings(const GlobalOptions& global) {
    store::CertSettings s;
    s.challenge = "http-01";
    s.keyType = "ec-p256";
    s.server = global.server;
    s.caBundle = global.caBundle;
    return s;
}

Result<store::CertSettings> storedSettings(store::Store& store, const std::string& name) {
    auto settings = store.loadSettings(name);
    if (!settings) {
        return settings.takeError();
    }
    if (*settings) {
        return **settings;
    }
    auto meta = store.loadLiveMeta(name);
    if (!meta) {
        return meta.takeError();
    }
    if (!*meta) {
        return fail(ErrorKind::NotFound, "no certificate named " + name);
    }
    return settingsFromMeta((*meta)->second);
}

Result<store::CertSettings> configuredSettings(store::Store& store,
                                               const config::ConfigFile& config,
                                               const config::CertificateEntry& entry,
                                               const GlobalOptions& global) {
    auto stored = store.loadSettings(entry.name);
    if (!stored) {
        return stored.takeError();
    }
    store::CertSettings s = *stored ? **stored : defaultSettings(global);
    config::Settings eff = config::effective(config, entry);
    applyConfig(s, eff);
    s.identifiers = identifierKeysOf(entry.identifiers);
    s.hooks = entry.settings.hooks; // the top level's hooks are the run's global hooks
    s.managed = true;
    return s;
}

} // namespace

void addOverrideOptions(po::options_description& d) {
    d.add_options()("key-type", po::value<std::string>(),
                    "ec-p256 (default) | ec-p384 | rsa2048 | rsa3072 | rsa4096")(
        "preferred-chain", po::value<std::string>(),
        "prefer the chain whose top certificate is issued by this CN")(
        "profile", po::value<std::string>(), "ACME profile to ask for, when the CA offers them")(
        "verify", po::value<std::string>(),
        "after deploy, check that HOST:PORT serves the new certificate");
    addChallengeOptions(d);
}

void addHookOptions(po::options_description& d) {
    d.add_options()("pre-hook", po::value<std::vector<std::string>>()->composing(),
                    "program run once before the first renewal (when something is due)")(
        "deploy-hook", po::value<std::vector<std::string>>()->composing(),
        "program run after each certificate is stored (e.g. a script reloading nginx)")(
        "post-hook", po::value<std::vector<std::string>>()->composing(),
        "program run once at the end, when something was renewed or failed")(
        "failure-hook", po::value<std::vector<std::string>>()->composing(),
        "program run when a renewal failed")(
        "alert-hook", po::value<std::vector<std::string>>()->composing(),
        "program run (at most once a day) when a certificate within its warn threshold could "
        "not be renewed");
}

Result<Overrides> overridesFrom(const po::variables_map& vm, const GlobalOptions& global) {
    Overrides o;
    auto opt = [&vm](const char* key) -> std::optional<std::string> {
        if (vm.count(key) == 0U) {
            return std::nullopt;
        }
        return stringOption(vm, key);
    };
    if (global.serverGiven) {
        o.server = global.server;
    }
    if (!global.caBundle.empty()) {
        o.caBundle = global.caBundle;
    }
    o.keyType = opt("key-type");
    auto challenge = challengeLayerFrom(vm);
    if (!challenge) {
        return challenge.takeError();
    }
    o.challenge = std::move(*challenge);
    o.preferredChain = opt("preferred-chain");
    o.profile = opt("profile");
    o.verify = opt("verify");
    if (o.keyType) {
        auto type = acme::parseKeyType(*o.keyType);
        if (!type) {
            return type.takeError();
        }
        o.keyType = acme::keyTypeName(*type);
    }
    if (o.verify) {
        if (auto hp = lifecycle::parseHostPort(*o.verify); !hp) {
            return fail(ErrorKind::Usage, "--verify " + *o.verify + ": " + hp.error().message);
        }
    }
    for (const char* event : {"pre", "deploy", "post", "failure", "alert"}) {
        std::string key = std::string(event) + "-hook";
        if (vm.count(key) == 0U) {
            continue;
        }
        for (const auto& prog : vm[key].as<std::vector<std::string>>()) {
            std::string option = "--" + key;
            if (prog.empty()) {
                return fail(ErrorKind::Usage, option + " is empty: give the program's path");
            }
            if (prog.find('/') != std::string::npos && ::access(prog.c_str(), X_OK) != 0) {
                option.append(" ").append(prog).append(
                    ": not an executable file (a hook is a program path, not a shell command)");
                return fail(ErrorKind::Usage, option);
            }
            o.hooks[event].push_back({prog});
        }
    }
    return o;
}

void applyOverrides(store::CertSettings& s, const Overrides& o) {
    auto set = [](std::string& field, const std::optional<std::string>& v) {
        if (v) {
            field = *v;
        }
    };
    set(s.server, o.server);
    set(s.caBundle, o.caBundle);
    set(s.keyType, o.keyType);
    applyChallengeLayer(s, o.challenge);
    set(s.preferredChain, o.preferredChain);
    set(s.profile, o.profile);
    set(s.verify, o.verify);
}

Result<std::optional<config::ConfigFile>> configInUse(const GlobalOptions& global) {
    std::string path = global.configGiven ? global.config : config::kDefaultConfigPath;
    if (!global.configGiven && !std::filesystem::exists(path)) {
        return std::optional<config::ConfigFile>();
    }
    auto loaded = config::loadConfig(path);
    if (!loaded) {
        return loaded.takeError();
    }
    return std::optional<config::ConfigFile>(std::move(*loaded));
}

GlobalOptions withConfigDefaults(const GlobalOptions& global, const config::ConfigFile* config) {
    GlobalOptions g = global;
    if (config == nullptr) {
        return g;
    }
    if (g.stateDir.empty() && config->stateDir) {
        g.stateDir = *config->stateDir;
    }
    if (g.email.empty() && config->email) {
        g.email = *config->email;
    }
    if (!g.agreeTos && config->agreeTos) {
        g.agreeTos = *config->agreeTos;
    }
    if (!g.accountKeyTypeGiven && config->accountKeyType) {
        g.accountKeyType = *config->accountKeyType;
    }
    if (!g.serverGiven && config->defaults.server) {
        g.server = *config->defaults.server;
        if (g.caBundle.empty() && config->defaults.caBundle) {
            g.caBundle = *config->defaults.caBundle;
        }
    }
    return g;
}

namespace {

// managedFrom with the account spec of the globals already made (once per run, not per name).
Result<lifecycle::ManagedCertificate> managedWith(const std::string& name,
                                                  store::CertSettings settings,
                                                  const GlobalOptions& global,
                                                  const lifecycle::AccountSpec& base) {
    lifecycle::ManagedCertificate m;
    m.account = base;
    m.account.server = {settings.server, settings.caBundle};
    m.account.eabKid.clear();
    m.account.eabHmacKey.clear();
    if (!settings.eabKid.empty()) {
        auto key = readSecretFile(settings.eabHmacKeyFile, "eab-hmac-key-file", true);
        if (!key) {
            return fail(ErrorKind::Config, name + ": " + key.error().message);
        }
        m.account.eabKid = settings.eabKid;
        m.account.eabHmacKey = *key;
    } else if (!global.eabKid.empty() && settings.server == global.server) {
        m.account.eabKid = global.eabKid;
        m.account.eabHmacKey = global.eabHmacKey;
    }
    m.spec.name = name;
    for (const auto& key : settings.identifiers) {
        auto id = identifierFromKey(key);
        if (!id) {
            std::string message = name;
            message.append(": stored identifier \"").append(key).append("\" is invalid: ");
            return fail(ErrorKind::Config, message.append(id.error().message));
        }
        m.spec.identifiers.push_back(*id);
    }
    if (m.spec.identifiers.empty()) {
        return fail(ErrorKind::Config, name + ": no identifiers are stored or configured for it");
    }
    auto type = acme::parseKeyType(settings.keyType.empty() ? "ec-p256" : settings.keyType);
    if (!type) {
        return fail(ErrorKind::Config, name + ": " + type.error().message);
    }
    m.spec.keyType = *type;
    auto challenge = lifecycle::challengeSpecOf(settings);
    if (!challenge) {
        return fail(ErrorKind::Config, name + ": " + challenge.error().message);
    }
    m.spec.challenge = std::move(*challenge);
    if (auto st = lifecycle::checkWildcards(m.spec.identifiers, m.spec.challenge); !st) {
        return fail(ErrorKind::Config, name + ": " + st.error().message);
    }
    m.spec.preferredChain = settings.preferredChain;
    m.spec.profile = settings.profile;
    m.spec.replaceNames = true;
    auto policy = lifecycle::parseRenewBefore(settings.renewBefore);
    if (!policy) {
        return fail(ErrorKind::Config, name + ": renew-before: " + policy.error().message);
    }
    m.policy = *policy;
    settings.keyType = acme::keyTypeName(*type);
    m.hooks = settings.hooks;
    m.settings = std::move(settings);
    return m;
}

} // namespace

Result<lifecycle::ManagedCertificate> managedFrom(const std::string& name,
                                                  store::CertSettings settings,
                                                  const GlobalOptions& global,
                                                  const config::ConfigFile* /*config*/) {
    auto account = accountSpecFrom(global);
    if (!account) {
        return account.takeError();
    }
    return managedWith(name, std::move(settings), global, *account);
}

Result<ManagedSet> managedCertificates(store::Store& store, const config::ConfigFile* config,
                                       const GlobalOptions& global, const Overrides& overrides,
                                       const std::vector<std::string>& names) {
    ManagedSet set;
    auto stored = store.listCertificates();
    if (!stored) {
        return stored.takeError();
    }
    std::vector<std::pair<std::string, store::CertSettings>> chosen;
    chosen.reserve(config != nullptr ? config->certificates.size() : 0);
    std::set<std::string> declared;
    if (config != nullptr) {
        set.globalHooks = config->defaults.hooks;
        for (const auto& entry : config->certificates) {
            auto s = configuredSettings(store, *config, entry, global);
            if (!s) {
                return s.takeError();
            }
            declared.insert(entry.name);
            chosen.emplace_back(entry.name, std::move(*s));
        }
    }
    std::set<std::string> wanted(names.begin(), names.end());
    std::vector<std::string> toRead; // stored, not declared: their stored settings
    for (const auto& name : *stored) {
        if (declared.count(name) != 0U) {
            continue;
        }
        if (config != nullptr) {
            set.unmanaged.push_back(name);
        } else if (wanted.empty() || wanted.count(name) != 0U) {
            toRead.push_back(name);
        }
    }
    auto account = accountSpecFrom(global);
    if (!account) {
        return account.takeError();
    }
    for (auto& [name, settings] : chosen) { // declared in the config
        if (!wanted.empty() && wanted.count(name) == 0U) {
            continue;
        }
        applyOverrides(settings, overrides);
        auto m = managedWith(name, std::move(settings), global, *account);
        if (!m) {
            return m.takeError();
        }
        set.certificates.push_back(std::move(*m));
    }
    // Stored names: small reads and JSON parsing each, spread over the cores, each built in
    // its place (10,000 names are a few megabytes: no second copy).
    std::size_t base = set.certificates.size();
    set.certificates.resize(base + toRead.size());
    std::vector<std::optional<Error>> errors(toRead.size());
    std::vector<char> removed(toRead.size(), 0);
    parallelFor(toRead.size(), usefulThreads(4), [&](std::size_t i) {
        auto s = storedSettings(store, toRead[i]);
        if (!s) {
            errors[i] = s.error();
            return;
        }
        if (!s->managed) {
            removed[i] = 1;
            return;
        }
        applyOverrides(*s, overrides);
        auto m = managedWith(toRead[i], std::move(*s), global, *account);
        if (!m) {
            errors[i] = m.error();
            return;
        }
        set.certificates[base + i] = std::move(*m);
    });
    std::set<std::string> known;
    for (const auto& c : chosen) {
        known.insert(c.first);
    }
    std::size_t kept = base;
    for (std::size_t i = 0; i < toRead.size(); ++i) {
        if (errors[i]) {
            return fail(std::move(*errors[i]));
        }
        if (removed[i] != 0) {
            set.removed.push_back(toRead[i]);
            continue;
        }
        known.insert(toRead[i]);
        if (kept != base + i) {
            set.certificates[kept] = std::move(set.certificates[base + i]);
        }
        ++kept;
    }
    set.certificates.resize(kept);
    for (const auto& name : wanted) {
        if (known.count(name) == 0U) {
            std::string why =
                std::find(set.unmanaged.begin(), set.unmanaged.end(), name) != set.unmanaged.end()
                    ? " is stored but not declared in the config file"
                : std::find(set.removed.begin(), set.removed.end(), name) != set.removed.end()
                    ? " is no longer managed (certkeep remove)"
                    : " is neither stored nor declared in the config file";
            std::string message = "--name ";
            message.append(name).append(": certificate \"").append(name).append("\"").append(why);
            return fail(ErrorKind::Usage, message);
        }
    }
    return set;
}

void applyHookOverrides(ManagedSet& set, const Overrides& overrides) {
    for (const auto& [event, list] : overrides.hooks) {
        set.globalHooks[event] = list;
        for (auto& cert : set.certificates) {
            cert.hooks.erase(event);
        }
    }
}

} // namespace certkeep::cli
