#include "lifecycle/renewal.hpp"

#include "lifecycle/alert.hpp"
#include "lifecycle/deploy.hpp"
#include "lifecycle/renewal_plan.hpp"
#include "lifecycle/renewal_state.hpp"
#include "lifecycle/shared_solvers.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

namespace certkeep::lifecycle {

namespace {

constexpr int kDefaultKeepVersions = 10;
constexpr std::chrono::seconds kUnknownLifetime{90 * 86400}; // never issued: no lifetime yet

// Everything one run shares between its workers.
struct Run {
    Services& base;
    const RenewOptions& options;
    SharedSolverFactory solvers;
    DirectoryCache directories; // for ARI
    std::mutex outputMutex;
    Logger note;
    Logger log;
};

Logger serialised(std::mutex& mutex, const Logger& inner) {
    if (!inner) {
        return {};
    }
    return [&mutex, inner](const std::string& line) {
        std::lock_guard lock(mutex);
        inner(line);
    };
}

// What one worker thread works with: per CA bundle a transport of its own (libcurl handles
// are per thread, and a private CA has its own trust) and an ARI client.
class Worker {
  public:
    Worker(Run& run, bool concurrent) : run_(run), concurrent_(concurrent) {}

    struct Context {
        acme::TransportPtr transport;
        std::unique_ptr<Services> services;
        std::unique_ptr<AriSource> ari;
    };

    // The services for certificates whose CA is trusted through `caBundle`.
    Result<Context*> forBundle(const std::string& caBundle) {
        const Services& b = run_.base;
        std::string key = b.newTransport ? caBundle : "";
        auto it = contexts_.find(key);
        if (it != contexts_.end()) {
            return &it->second;
        }
        Context c;
        acme::Transport* transport = &b.transport;
        if (b.newTransport && (concurrent_ || !caBundle.empty())) {
            auto own = b.newTransport(caBundle);
            if (!own) {
                return own.takeError();
            }
            c.transport = std::move(*own);
            transport = c.transport.get();
        }
        c.services = std::make_unique<Services>(
            Services{b.store, *transport, b.clock, b.gate, run_.solvers, b.active, run_.log,
                     run_.note, b.stepHook, b.client, b.flow, b.hooks, b.probe, b.random,
                     b.newTransport, nullptr, b.persistAuthorized});
        c.services->flow.lockTimeout = run_.options.lockWait;
        c.ari = std::make_unique<AriSource>(*transport, run_.directories);
        return &contexts_.emplace(key, std::move(c)).first->second;
    }

  private:
    Run& run_;
    bool concurrent_;
    std::map<std::string, Context> contexts_;
};

// Runs fn(i, worker) for i in [0, n) on up to `parallel` threads (in this thread when 1).
template <typename Fn> void forEach(Run& run, std::size_t n, int parallel, Fn fn) {
    std::size_t threads = std::min<std::size_t>(std::max(parallel, 1), n);
    if (threads <= 1) {
        Worker w(run, false);
        for (std::size_t i = 0; i < n; ++i) {
            fn(i, w);
        }
        return;
    }
    std::vector<std::unique_ptr<Worker>> workers;
    for (std::size_t t = 0; t < threads; ++t) {
        workers.push_back(std::make_unique<Worker>(run, true));
    }
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> pool;
    pool.reserve(workers.size());
    for (auto& w : workers) {
        pool.emplace_back([&next, n, &fn, worker = w.get()] {
            for (std::size_t i = next++; i < n; i = next++) {
                fn(i, *worker);
            }
        });
    }
    for (auto& t : pool) {
        t.join();
    }
}

void failReport(CertificateReport& r, const Error& e) {
    r.result = RenewResult::Failed;
    r.error = e;
    r.message = e.message;
}

std::string kindName(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Validation:
        return "validation";
    case ErrorKind::RateLimited:
        return "rate-limited";
    case ErrorKind::Network:
    case ErrorKind::Tls:
        return "network";
    case ErrorKind::Acme:
    case ErrorKind::Protocol:
        return "ca";
    case ErrorKind::Timeout:
        return "timeout";
    case ErrorKind::Usage:
    case ErrorKind::Config:
        return "config";
    default:
        return "local";
    }
}

std::chrono::seconds lifetimeOf(const Plan& plan) {
    if (!plan.live) {
        return kUnknownLifetime;
    }
    return std::chrono::duration_cast<std::chrono::seconds>(plan.live->notAfter -
                                                            plan.live->notBefore);
}

void recordFailure(Services& services, const ManagedCertificate& cert, const Plan& plan,
                   const Error& error) {
    auto now = services.clock.wallNow();
    std::optional<std::chrono::seconds> retryAfter;
    if (error.problem && error.problem->retryAfterSeconds) {
        retryAfter = std::chrono::seconds(*error.problem->retryAfterSeconds);
    }
    // A local conflict (the port or lock held by another process) happens before any request
    // to the CA: it is reported, but starts no backoff, so the run that holds the port still
    // renews the certificate.
    bool local = error.kind == ErrorKind::Local;
    auto st = updateRenewalState(services, cert.spec.name, [&](store::RenewalState& s) {
        s.lastAttempt = now;
        s.lastResult = "failure";
        if (local) {
            s.lastError = error.message;
            s.lastErrorKind = kindName(error.kind);
            return;
        }
        s.consecutiveFailures += 1;
        s.nextAttempt =
            nextAttemptAfterFailure(now, s.consecutiveFailures, lifetimeOf(plan), retryAfter);
        s.lastError = error.message;
        s.lastErrorKind = kindName(error.kind);
    });
    if (!st && services.note) {
        services.note("warning: " + cert.spec.name +
                      ": the failure was not recorded: " + st.error().message);
    }
}

void recordSuccess(Services& services, const ManagedCertificate& cert, const IssueOutcome& out) {
    auto now = services.clock.wallNow();
    auto st = updateRenewalState(services, cert.spec.name, [&](store::RenewalState& s) {
        s.lastAttempt = now;
        s.lastResult = "success";
        s.lastSuccess = now;
        s.consecutiveFailures = 0;
        s.nextAttempt.reset();
        s.lastError.clear();
        s.lastErrorKind.clear();
        // The ARI record described the replaced certificate: its ID must not become the next
        // order's `replaces`, nor its window the new certificate's.
        s.ariCertId.clear();
        s.ariWindowStart.reset();
        s.ariWindowEnd.reset();
        s.ariChosen.reset();
        s.ariRetryAfter.reset();
        s.revokedAt.reset();
        s.revokedVersion = 0;
        s.revokedReason.clear();
        s.deployPending = true; // until the deploy hooks ran for this version
        s.deployError.clear();
    });
    if (!st && services.note) {
        services.note("warning: " + cert.spec.name + " (version " + std::to_string(out.version) +
                      "): its renewal state was not recorded: " + st.error().message);
    }
}

// keep-versions: old versions beyond the newest N go, with their private keys.
void pruneVersions(Services& services, const ManagedCertificate& cert, int live) {
    int keep = cert.settings.keepVersions > 0 ? cert.settings.keepVersions : kDefaultKeepVersions;
    auto versions = services.store.listVersions(cert.spec.name);
    if (!versions) {
        return;
    }
    std::vector<int> old;
    for (int v : *versions) {
        if (v != live) {
            old.push_back(v);
        }
    }
    for (std::size_t i = 0; i + keep < old.size(); ++i) {
        ShutdownGate::Section section(services.gate);
        if (auto st = services.store.removeVersion(cert.spec.name, old[i]); !st && services.note) {
            services.note("warning: " + cert.spec.name + ": old version " + std::to_string(old[i]) +
                          " not removed: " + st.error().message);
        }
    }
}

IssueOptions issueOptionsFor(Services& services, const ManagedCertificate& cert, const Plan& plan,
                             const RenewOptions& options) {
    IssueOptions io;
    io.dryRun = options.dryRun;
    io.settings = cert.settings;
    if (plan.live && !plan.state.ariCertId.empty()) {
        io.replaces = plan.state.ariCertId; // the live certificate's ARI ID (RFC 9773 §5)
    }
    if (cert.settings.reuseKey && plan.live && !plan.changed) {
        auto live = services.store.loadLive(cert.spec.name);
        if (live && *live) {
            io.reuseKeyPem = (*live)->keyPem;
        }
    }
    // Re-checked with the lock held: another run may have renewed it meanwhile.
    io.stillNeeded = [&services, &cert, &options]() -> Result<bool> {
        if (options.dryRun) {
            return true; // stores nothing, and an ARI window it used was not kept to re-read
        }
        auto again = planCertificate(services, nullptr, cert, options.force);
        if (!again) {
            return again.takeError();
        }
        return options.force || (again->decision.renew && !again->decision.backoffSkip);
    };
    return io;
}

void renewOne(Services& services, const ManagedCertificate& cert, const Plan& plan,
              const RenewOptions& options, CertificateReport& report) {
    CertificateSpec spec = cert.spec;
    spec.replaceNames = true; // the configured or stored settings are the authority here
    auto io = issueOptionsFor(services, cert, plan, options);
    auto out = issueCertificate(services, cert.account, spec, io);
    if (!out) {
        report.result = RenewResult::Failed;
        report.error = out.error();
        report.message = out.error().message;
        if (!options.dryRun) {
            recordFailure(services, cert, plan, out.error());
        }
        return;
    }
    if (out->busy) {
        report.result = RenewResult::Busy;
        report.message = out->busyReason + "; left to the run that holds it";
        return;
    }
    if (out->notNeeded) {
        report.result = RenewResult::NotDue;
        report.message = "renewed by another run meanwhile";
        return;
    }
    if (out->dryRun) {
        report.result = RenewResult::DryRun;
        report.message = "dry run: every challenge validated; nothing was issued";
        return;
    }
    report.result = RenewResult::Renewed;
    report.message = "renewed (version " + std::to_string(out->version) + ")";
    recordSuccess(services, cert, *out);
    pruneVersions(services, cert, out->version);
    report.issued = std::make_shared<const IssueOutcome>(std::move(*out));
}

std::vector<const ManagedCertificate*> byName(const std::vector<ManagedCertificate>& certs) {
    std::vector<const ManagedCertificate*> sorted;
    sorted.reserve(certs.size());
    for (const auto& c : certs) {
        sorted.push_back(&c);
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* a, const auto* b) { return a->spec.name < b->spec.name; });
    return sorted;
}

// Runs the pre or post hooks: global ones and those of the certificates concerned, each once.
Status runRunHooks(Services& services, const std::string& event,
                   const std::vector<const ManagedCertificate*>& concerned,
                   const RenewOptions& options, const hooks::HookEvent& ev) {
    if (services.hooks == nullptr) {
        return {};
    }
    std::vector<hooks::HookList> lists;
    if (auto it = options.globalHooks.find(event); it != options.globalHooks.end()) {
        lists.push_back(it->second);
    }
    for (const auto* c : concerned) {
        if (auto it = c->hooks.find(event); it != c->hooks.end()) {
            lists.push_back(it->second);
        }
    }
    return hooks::runHooks(*services.hooks, hooks::unionOf(lists), ev, options.hookOptions);
}

// Deploy hooks one at a time, in name order: fresh versions and deploys a past run left pending.
void deployAll(Services& services, const std::vector<const ManagedCertificate*>& certs,
               const std::vector<Plan>& plans, std::vector<CertificateReport>& reports,
               const RenewOptions& options) {
    for (std::size_t i = 0; i < certs.size(); ++i) {
        CertificateReport& r = reports[i];
        std::optional<DeployedVersion> version;
        if (r.issued) {
            version = DeployedVersion{r.issued->version, r.issued->leafPem, r.issued->info};
        } else if (plans[i].state.deployPending && plans[i].liveVersion > 0 && !options.dryRun) {
            auto live = liveVersion(services, certs[i]->spec.name);
            if (!live) {
                r.deployError = live.error();
                continue;
            }
            version = *live;
        }
        if (!version) {
            continue;
        }
        if (auto st = deploy(services, *certs[i], *version, options); !st) {
            r.deployError = st.error();
        } else {
            r.deployed = true;
        }
    }
}

void failureHooks(Services& services, const std::vector<const ManagedCertificate*>& certs,
                  std::vector<CertificateReport>& reports, const RenewOptions& options) {
    for (std::size_t i = 0; i < certs.size(); ++i) {
        if (reports[i].result != RenewResult::Failed || !reports[i].error) {
            continue;
        }
        auto ev = certificateEvent(services, *certs[i], hooks::kFailure, {});
        ev.error = reports[i].error->message;
        if (auto st = runCertificateHooks(services, *certs[i], ev, options); !st && services.note) {
            services.note("warning: " + certs[i]->spec.name + ": " + st.error().message);
        }
    }
}

// certkeep_renewals_total{name,result}: the attempts of this run.
void countRenewals(Services& services, const RenewReport& report) {
    if (services.counters == nullptr) {
        return;
    }
    for (const auto& r : report.certificates) {
        const char* result = r.result == RenewResult::Renewed  ? "success"
                             : r.result == RenewResult::DryRun ? "dry-run"
                             : r.result == RenewResult::Failed ? "failure"
                                                               : nullptr;
        if (result != nullptr) {
            services.counters->add("certkeep_renewals_total",
                                   {{"name", r.name}, {"result", result}});
        }
    }
}

hooks::HookEvent preEvent() {
    hooks::HookEvent ev;
    ev.event = hooks::kPre;
    return ev;
}

} // namespace

bool RenewReport::anyFailed() const {
    if (preHookError || postHookError) {
        return true;
    }
    return std::any_of(certificates.begin(), certificates.end(), [](const auto& c) {
        return c.result == RenewResult::Failed || c.deployError.has_value();
    });
}

int RenewReport::count(RenewResult result) const {
    return static_cast<int>(std::count_if(certificates.begin(), certificates.end(),
                                          [result](const auto& c) { return c.result == result; }));
}

RenewReport renewCertificates(Services& services,
                              const std::vector<ManagedCertificate>& certificates,
                              const RenewOptions& options) {
    Run run{services,
            options,
            SharedSolverFactory(services.solvers),
            DirectoryCache(services.client),
            {},
            {},
            {}};
    // Without a transport per worker everything goes through services.transport, one at a time.
    int parallel = services.newTransport ? options.parallel : 1;
    run.note = serialised(run.outputMutex, services.note);
    run.log = serialised(run.outputMutex, services.log);
    auto certs = byName(certificates);
    RenewReport report;
    report.certificates.resize(certs.size());
    std::vector<Plan> plans(certs.size());

    // 1. Plan every certificate (store reads; ARI windows when stale).
    forEach(run, certs.size(), parallel, [&](std::size_t i, Worker& w) {
        auto& r = report.certificates[i];
        r.name = certs[i]->spec.name;
        auto ctx = w.forBundle(certs[i]->settings.caBundle);
        if (!ctx) {
            failReport(r, ctx.error());
            return;
        }
        auto plan = planCertificate(*(*ctx)->services, (*ctx)->ari.get(), *certs[i], options.force,
                                    options.dryRun);
        if (!plan) {
            failReport(r, plan.error());
            return;
        }
        plans[i] = std::move(*plan);
        r.decision = plans[i].decision;
        r.result = plans[i].decision.backoffSkip ? RenewResult::BackingOff : RenewResult::NotDue;
        r.message = plans[i].decision.why;
    });
    std::vector<std::size_t> due;
    std::vector<const ManagedCertificate*> dueCerts;
    for (std::size_t i = 0; i < certs.size(); ++i) {
        if (!report.certificates[i].error && plans[i].decision.renew &&
            !plans[i].decision.backoffSkip) {
            due.push_back(i);
            dueCerts.push_back(certs[i]);
        }
    }

    // 2. pre hooks, once, only when something is due; a failure stops the run before any order.
    if (!due.empty()) {
        if (auto st = runRunHooks(services, hooks::kPre, dueCerts, options, preEvent()); !st) {
            report.preHookError = st.error();
            for (auto i : due) {
                report.certificates[i].result = RenewResult::Failed;
                report.certificates[i].message = "not renewed: " + st.error().message;
            }
            alertUnrenewed(services, certs, plans, report.certificates, options);
            countRenewals(services, report);
            return report;
        }
    }

    // 3. Renew the due ones, at most `parallel` at a time.
    forEach(run, due.size(), parallel, [&](std::size_t k, Worker& w) {
        std::size_t i = due[k];
        auto ctx = w.forBundle(certs[i]->settings.caBundle);
        if (!ctx) {
            failReport(report.certificates[i], ctx.error());
            return;
        }
        renewOne(*(*ctx)->services, *certs[i], plans[i], options, report.certificates[i]);
    });

    // 4. Deploy (one at a time, name order), failure hooks, then post hooks.
    deployAll(services, certs, plans, report.certificates, options);
    failureHooks(services, certs, report.certificates, options);
    alertUnrenewed(services, certs, plans, report.certificates, options);
    countRenewals(services, report);
    hooks::HookEvent post;
    post.event = hooks::kPost;
    for (std::size_t i = 0; i < certs.size(); ++i) {
        const auto& r = report.certificates[i];
        if (r.result == RenewResult::Renewed) {
            post.renewed.push_back(r.name);
        } else if (r.result == RenewResult::Failed) {
            post.failed.push_back(r.name);
        }
    }
    if (!post.renewed.empty() || !post.failed.empty() || report.count(RenewResult::DryRun) > 0) {
        if (auto pst = runRunHooks(services, hooks::kPost, dueCerts, options, post); !pst) {
            report.postHookError = pst.error();
        }
    }
    for (std::size_t i = 0; i < certs.size(); ++i) {
        report.certificates[i].plan = std::make_shared<const Plan>(std::move(plans[i]));
    }
    return report;
}

Status deployIssued(Services& services, const ManagedCertificate& cert, const IssueOutcome& issued,
                    const RenewOptions& options) {
    recordSuccess(services, cert, issued);
    pruneVersions(services, cert, issued.version);
    return deploy(services, cert, DeployedVersion{issued.version, issued.leafPem, issued.info},
                  options);
}

} // namespace certkeep::lifecycle
