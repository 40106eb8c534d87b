#include "cli/wiring.hpp"

#include "acme/curl_transport.hpp"
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
    static const std::vector<std::string> names{"CERTKEEP_EAB_HMAC_KEY"};
    return names;
}

Wiring::~Wiring() {
    auto counted = counters.take();
    if (!counted.empty() && store) {
        (void)store->updateMetrics(counted, {});
    }
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
