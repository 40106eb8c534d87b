#pragma once
// The fakes wired into lifecycle::Services for `certkeep renew` tests (renewal_test.cpp,
// renewal_ari_test.cpp, renewal_hooks_test.cpp): the fake ACME server behind one transport per
// worker (serialised, as the fake server is single-threaded), an in-memory store, a fake clock,
// a fake solver factory, hook runner, TLS probe and randomness.
//
// The fake CA issues certificates valid from an hour ago for 90 days of real time, while the
// flow reads the fake clock: tests place the fake clock inside the live certificate's lifetime
// with atShare() before each run.

#include "fakes/fake_clock.hpp"
#include "fakes/fake_hook_runner.hpp"
#include "fakes/fake_random.hpp"
#include "fakes/fake_solver_factory.hpp"
#include "fakes/fake_store.hpp"
#include "fakes/fake_tls_probe.hpp"
#include "fakes/fake_transport.hpp"
#include "lifecycle/issuance.hpp"
#include "lifecycle/renewal.hpp"
#include "lifecycle/version_meta.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace renewal_test {

using namespace certkeep;

// One worker's transport: every request goes to the shared fake server, one at a time.
class SerialisedTransport : public acme::Transport {
  public:
    SerialisedTransport(acme::Transport& inner, std::mutex& mutex) : inner_(inner), mutex_(mutex) {}
    Result<acme::HttpResponse> send(const acme::HttpRequest& request) override {
        std::lock_guard lock(mutex_);
        return inner_.send(request);
    }

  private:
    acme::Transport& inner_;
    std::mutex& mutex_;
};

struct Harness {
    fakes::FakeAcmeServer server;
    fakes::FakeStore store;
    fakes::FakeClock clock;
    ShutdownGate gate;
    fakes::FakeSolverFactory solvers;
    lifecycle::ActiveSolvers active;
    fakes::FakeHookRunner hooks;
    fakes::FakeRandom random;
    fakes::FakeTlsProbe probe;
    std::mutex serverMutex;
    std::mutex notesMutex;
    std::vector<std::string> notes;
    int transportsMade = 0; // newTransport() calls (under serverMutex)
    lifecycle::Services services{store, server, clock, gate,    solvers, active,  {}, {},
                                 {},    {},     {},    nullptr, nullptr, nullptr, {}};
    lifecycle::AccountSpec account;
    lifecycle::RenewOptions options;

    Harness() {
        account.server = {server.directoryUrl(), ""};
        account.agreeTos = true;
        account.email = "ops@example.com";
        services.note = [this](const std::string& line) {
            std::lock_guard lock(notesMutex);
            notes.push_back(line);
        };
        services.hooks = &hooks;
        services.random = &random;
        services.probe = &probe;
        services.newTransport = [this](const std::string&) -> Result<acme::TransportPtr> {
            std::lock_guard lock(serverMutex);
            ++transportsMade;
            return acme::TransportPtr(std::make_unique<SerialisedTransport>(server, serverMutex));
        };
        options.hookOptions.timeout = std::chrono::seconds(5);
    }
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    // A managed certificate for `dns` with the settings `certkeep issue` would store.
    [[nodiscard]] lifecycle::ManagedCertificate managed(const std::string& name,
                                                        const std::vector<std::string>& dns) const {
        lifecycle::ManagedCertificate m;
        m.account = account;
        m.spec.name = name;
        for (const auto& d : dns) {
            m.spec.identifiers.push_back({"dns", d});
        }
        m.spec.replaceNames = true;
        m.settings = lifecycle::settingsOf(account, m.spec);
        return m;
    }

    // `certkeep issue`: the first version, stored with its settings, no renewal state.
    void seed(const lifecycle::ManagedCertificate& cert) {
        lifecycle::IssueOptions io;
        io.settings = cert.settings;
        auto out = lifecycle::issueCertificate(services, cert.account, cert.spec, io);
        REQUIRE(out.ok());
    }

    lifecycle::RenewReport renew(const std::vector<lifecycle::ManagedCertificate>& certs) {
        return lifecycle::renewCertificates(services, certs, options);
    }

    [[nodiscard]] store::CertVersion live(const std::string& name) {
        auto v = store.loadLive(name);
        REQUIRE(v.ok());
        REQUIRE(v->has_value());
        return **v;
    }

    [[nodiscard]] acme::CertInfo liveInfo(const std::string& name) {
        auto info = acme::inspectCertPem(live(name).certPem);
        REQUIRE(info.ok());
        return *info;
    }

    // Puts the fake clock where `share` of the live certificate's lifetime has passed.
    void atShare(const std::string& name, double share) {
        auto info = liveInfo(name);
        auto lifetime = info.notAfter - info.notBefore;
        clock.setWall(info.notBefore +
                      std::chrono::duration_cast<std::chrono::seconds>(lifetime * share));
    }

    [[nodiscard]] store::RenewalState state(const std::string& name) {
        auto s = store.loadRenewalState(name);
        REQUIRE(s.ok());
        return *s;
    }

    [[nodiscard]] std::vector<int> versions(const std::string& name) {
        auto v = store.listVersions(name);
        REQUIRE(v.ok());
        return *v;
    }

    // Stores the live version again with `change` applied to its metadata (a new live version):
    // what another run, or an issuance by a CA that gives ARI cert IDs, would have left.
    int restoreLiveWithMeta(const std::string& name,
                            const std::function<void(nlohmann::json&)>& change) {
        store::CertVersion v = live(name);
        auto meta = nlohmann::json::parse(v.metaJson);
        change(meta);
        v.number = 0;
        v.metaJson = meta.dump();
        auto saved = store.saveCertificate(name, v);
        REQUIRE(saved.ok());
        return *saved;
    }

    [[nodiscard]] bool notesContain(const std::string& text) {
        std::lock_guard lock(notesMutex);
        return std::any_of(notes.begin(), notes.end(),
                           [&](const std::string& n) { return n.find(text) != std::string::npos; });
    }
};

// The report of certificate `name`.
inline const lifecycle::CertificateReport& reportOf(const lifecycle::RenewReport& report,
                                                    const std::string& name) {
    auto it = std::find_if(report.certificates.begin(), report.certificates.end(),
                           [&](const auto& c) { return c.name == name; });
    REQUIRE(it != report.certificates.end());
    return *it;
}

} // namespace renewal_test
