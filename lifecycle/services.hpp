#pragma once
// What a lifecycle flow runs on, injected by cli/ (real parts) or by tests (fakes).

#include "acme/client.hpp"
#include "acme/transport.hpp"
#include "challenges/solver.hpp"
#include "common/clock.hpp"
#include "common/counters.hpp"
#include "common/shutdown_gate.hpp"
#include "lifecycle/dns01_setup.hpp"
#include "lifecycle/spec.hpp"
#include "store/store.hpp"

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace certkeep::hooks {
class HookRunner;
}

namespace certkeep::lifecycle {

class TlsProbe;
class Random;

using Logger = std::function<void(const std::string&)>;

// Makes the solvers a certificate's challenge settings ask for.
class SolverFactory {
  public:
    virtual ~SolverFactory() = default;
    // The HTTP-01 solver for `spec` (standalone: listening when this returns; webroot:
    // checked writable). Config/Local/Usage error naming the address or directory.
    virtual Result<challenges::SolverPtr> http01(const ChallengeSpec& spec) = 0;
    // A webroot solver for `dir`, used to remove token files an interrupted run left there.
    virtual Result<challenges::SolverPtr> webroot(const std::string& dir) = 0;
    // The TLS-ALPN-01 responder for spec.tlsAlpnListen, listening when this returns.
    virtual Result<challenges::SolverPtr> tlsAlpn01(const ChallengeSpec& spec) = 0;
    // The DNS-01 solver for spec.dns (provider ready, secrets read). Config/Usage error naming
    // the key file or setting.
    virtual Result<challenges::SolverPtr> dns01(const ChallengeSpec& spec) = 0;
};

// The solver spec.type asks for, from `factory`.
Result<challenges::SolverPtr> makeSolver(SolverFactory& factory, const ChallengeSpec& spec);

// HTTP-01 standalone and webroot, TLS-ALPN-01 and DNS-01 from challenges/.
class DefaultSolverFactory : public SolverFactory {
  public:
    DefaultSolverFactory() = default;
    explicit DefaultSolverFactory(Dns01Setup dns) : dns_(std::move(dns)) {}
    Result<challenges::SolverPtr> http01(const ChallengeSpec& spec) override;
    Result<challenges::SolverPtr> webroot(const std::string& dir) override;
    Result<challenges::SolverPtr> tlsAlpn01(const ChallengeSpec& spec) override;
    Result<challenges::SolverPtr> dns01(const ChallengeSpec& spec) override;

  private:
    Dns01Setup dns_;
};

// Solvers with something published right now, for the signal path: withdrawAll() on each.
class ActiveSolvers {
  public:
    void add(challenges::Solver* solver);
    void remove(challenges::Solver* solver);
    void withdrawAll();

  private:
    std::mutex mutex_;
    std::vector<challenges::Solver*> solvers_;
};

// Timing knobs; tests shorten them.
struct FlowOptions {
    std::chrono::seconds lockTimeout{60};               // certificate lock
    std::chrono::seconds accountLockTimeout{120};       // account lock (registration is slow)
    std::chrono::seconds readyTimeout{120};             // solvers' waitReady
    std::chrono::milliseconds fetchNoticeTimeout{2000}; // standalone: wait for the CA's fetch
};

struct Services {
    store::Store& store;
    acme::Transport& transport;
    Clock& clock;
    ShutdownGate& gate;
    SolverFactory& solvers;
    ActiveSolvers& active;
    Logger log;  // -v protocol steps; may be empty
    Logger note; // one-line notes and warnings the operator always sees; may be empty
    // Called at named points of a flow so crash tests can stop the process exactly there:
    // "account-key-written" (a new account key is stored, newAccount not sent yet) and
    // "finalized" (the CA accepted the CSR, the certificate is not stored yet). May be empty.
    std::function<void(const std::string& step)> stepHook;
    acme::ClientOptions client{};
    FlowOptions flow{};
    hooks::HookRunner* hooks = nullptr; // runs deploy/pre/post/failure hooks; nullptr = none
    TlsProbe* probe = nullptr;          // deploy verification; nullptr = not available
    Random* random = nullptr;           // ARI window and jitter picks; nullptr = a default
    // A transport trusting `caBundle` ("" = the system store) for each concurrent renewal (a
    // libcurl handle is not shared between threads) and each certificate's own CA; empty =
    // everything goes through `transport`, one at a time.
    std::function<Result<acme::TransportPtr>(const std::string& caBundle)> newTransport;
    Counters* counters = nullptr; // renewals counted for metrics; nullptr = not counted
    std::function<Result<bool>(const std::string& name, bool wildcard,
                               const std::vector<std::string>& issuerDomains,
                               const std::string& accountUri)>
        persistAuthorized{}; // dns-persist-01: the record is in place on every authoritative
                             // server; empty = never use dns-persist-01
};

} // namespace certkeep::lifecycle
