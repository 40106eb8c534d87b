#pragma once
// The fakes a lifecycle flow runs on, wired into lifecycle::Services: the fake ACME server
// (also the transport), an in-memory store, a fake clock, a fake solver factory, and the
// operator notes collected for assertions. Test harnesses derive from it and add their specs.
// Not copyable: `services` refers to the members and the note logger captures `this`.

#include "fakes/fake_clock.hpp"
#include "fakes/fake_solver_factory.hpp"
#include "fakes/fake_store.hpp"
#include "fakes/fake_transport.hpp"
#include "lifecycle/services.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace certkeep::fakes {

struct LifecycleWorld {
    FakeAcmeServer server;
    FakeStore store;
    FakeClock clock;
    ShutdownGate gate;
    FakeSolverFactory solvers;
    lifecycle::ActiveSolvers active;
    std::vector<std::string> notes;
    lifecycle::Services services = servicesOver(server);

    LifecycleWorld() = default;
    LifecycleWorld(const LifecycleWorld&) = delete;
    LifecycleWorld& operator=(const LifecycleWorld&) = delete;

    // The same fakes with every ACME request sent through `transport` instead.
    lifecycle::Services servicesOver(acme::Transport& transport) {
        return lifecycle::Services{
            store,   transport, clock, gate,
            solvers, active,    {},    [this](const std::string& line) { notes.push_back(line); },
            {},      {},        {},    nullptr,
            nullptr, nullptr,   {}};
    }

    [[nodiscard]] bool notesContain(const std::string& text) const {
        return std::any_of(notes.begin(), notes.end(),
                           [&](const std::string& n) { return n.find(text) != std::string::npos; });
    }
};

} // namespace certkeep::fakes
