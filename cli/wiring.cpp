#include "cli/wiring.hpp"

#include "acme/curl_transport.hpp"
#include "lifecycle/persist_check.hpp"
#include "store/fs_store.hpp"

#include <csignal>
#include <cstdlib>

namespace certkeep::cli {

Result<lifecycle::AccountSpec> accountSpecFrom(const GlobalOptions& global) {
    lifecycle::AccountSpec spec;
    spec.server = {global.server, global.caBundle};
    spec.email = global.email;
    spec.agreeTos = global.agreeTos;
    spec.eabKid = global.eabKid;
    spec.eabHmacKey = global.eabHmacKey;
    auto alg = acme::parseJwsAlg(global.accountKeyType);
    if (!alg) {
        return alg.takeError();
    }
    spec.keyAlg = *alg;
    spec.emailGiven = !global.email.empty();
    spec.keyAlgGiven = global.accountKeyTypeGiven;
    return spec;
}

const std::vector<std::string>& secretEnvironment() {
    static const std::vector<std::string> names{"CERTKEEP_EAB_HMAC_KEY", "CERTKEEP_TSIG_KEY",
                                                "CERTKEEP_PDNS_API_KEY"};
    return names;
}

Wiring::~Wiring() {
    auto counted = counters.take();
    if (!counted.empty() && store) {
        (void)store->updateMetrics(counted, {});
    }
}

lifecycle::Dns01Setup dnsSetup(ShutdownGate& gate, Console& console) {
    lifecycle::Dns01Setup setup;
    if (const char* key = std::getenv("CERTKEEP_TSIG_KEY"); key != nullptr) {
        setup.secrets.tsigKey = key;
    }
    if (const char* key = std::getenv("CERTKEEP_PDNS_API_KEY"); key != nullptr) {
        setup.secrets.pdnsApiKey = key;
    }
    setup.note = noteLogger(console);
    setup.cancelled = [&gate] { return gate.stopping(); };
    return setup;
}

Result<WiringPtr> wire(const GlobalOptions& global, Console& console) {
    auto w = std::make_unique<Wiring>();
    if (!global.caBundle.empty()) {
        if (auto st = lifecycle::checkCaBundle(global.caBundle); !st) {
            return st.takeError();
        }
    }
    w->stateDir = global.stateDir.empty() ? store::defaultStateDir().string() : global.stateDir;
    w->store = std::make_unique<store::FsStore>(w->stateDir);
    auto transportFor = [](const std::string& caBundle) -> Result<acme::TransportPtr> {
        if (!caBundle.empty()) {
            if (auto st = lifecycle::checkCaBundle(caBundle); !st) {
                return st.takeError();
            }
        }
        acme::CurlOptions curl;
        curl.caBundle = caBundle;
        curl.userAgent = std::string("certkeep/") + CERTKEEP_VERSION;
        return acme::makeCurlTransport(curl);
    };
    auto transport = transportFor(global.caBundle);
    if (!transport) {
        return transport.takeError();
    }
    w->transport = std::move(*transport);
    w->solvers = lifecycle::DefaultSolverFactory(dnsSetup(w->gate, console));
    w->services = std::make_unique<lifecycle::Services>(lifecycle::Services{*w->store,
                                                                            *w->transport,
                                                                            systemClock(),
                                                                            w->gate,
                                                                            w->solvers,
                                                                            w->active,
                                                                            verboseLogger(console),
                                                                            noteLogger(console),
                                                                            {},
                                                                            {},
                                                                            {},
                                                                            &w->hookRunner,
                                                                            &w->probe,
                                                                            &w->random,
                                                                            transportFor,
                                                                            &w->counters});
    w->services->client.counters = &w->counters;
    // dns-persist-01: the record is checked on every authoritative server (c-ares, the system's
    // resolvers) when a CA offers the challenge; nothing is written.
    w->services->persistAuthorized = lifecycle::persistAuthorizedBy(
        std::make_shared<lifecycle::PersistChecker>(std::nullopt, systemClock()));
    // Crash tests: CERTKEEP_TEST_STOP_AT=STEP stops (SIGSTOP) the process at that step of a
    // flow, so a test can kill -9 it at an exact point. Stopping is all it can do.
    if (const char* stopAt = std::getenv("CERTKEEP_TEST_STOP_AT"); stopAt != nullptr) {
        w->services->stepHook = [step = std::string(stopAt)](const std::string& at) {
            if (at == step) {
                (void)::raise(SIGSTOP);
            }
        };
    }
    return w;
}

} // namespace certkeep::cli
