#include "cli/serve/daemon.hpp"

#include "challenges/unique_fd.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/metrics_output.hpp"
#include "cli/renew_output.hpp"
#include "cli/serve/systemd_notify.hpp"
#include "cli/status_source.hpp"
#include "cli/wiring.hpp"
#include "lifecycle/version_meta.hpp"
#include "report/status_page.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <csignal>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <thread>
#include <unistd.h>

namespace certkeep::cli {

namespace {

using Clock = std::chrono::system_clock;

// What the HTTP side shows: rebuilt after every cycle, read by any number of requests.
struct Snapshot {
    std::vector<report::CertificateStatus> statuses;
    store::MetricsRecord metrics;
};

std::string hostName() {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0) {
        return "localhost";
    }
    return name.data();
}

class Daemon {
  public:
    Daemon(const GlobalOptions& global, ServeOptions options, Console& console)
        : commandLine_(global), options_(std::move(options)), console_(console) {}
    int run();

  private:
    Status loadConfig();
    void reloadConfig();
    Result<ManagedSet> managedSet();
    void cycle();
    void publish(const ManagedSet& set, const store::MetricsRecord& record,
                 const lifecycle::RenewReport& after = {});
    Clock::time_point nextWake(Clock::time_point now);
    HttpReply handle(const std::string& path);
    void watchSignals(int signalFd, int stopFd);
    void onStopSignal(int sig);
    void log(const std::string& line);

    const GlobalOptions& commandLine_;
    ServeOptions options_;
    Console& console_;
    std::optional<config::ConfigFile> config_;
    GlobalOptions global_;
    WiringPtr wiring_;
    std::string title_ = hostName();

    std::mutex mutex_; // guards the flags below
    std::condition_variable wake_;
    bool reload_ = false;
    bool stop_ = false;
    bool cycling_ = false;

    std::mutex snapshotMutex_;
    std::shared_ptr<const Snapshot> snapshot_ = std::make_shared<Snapshot>();
    std::mutex logMutex_;
};

void Daemon::log(const std::string& line) {
    std::lock_guard lock(logMutex_);
    console_.out << line << "\n" << std::flush;
}

Status Daemon::loadConfig() {
    auto config = configInUse(commandLine_);
    if (!config) {
        return fail(config.error());
    }
    config_ = std::move(*config);
    global_ = withConfigDefaults(commandLine_, config_ ? &*config_ : nullptr);
    return {};
}

// SIGHUP: the new config applies from the next cycle, which starts at once; a config that
// does not load leaves the running one in place.
void Daemon::reloadConfig() {
    std::string stateDir = global_.stateDir;
    if (auto st = loadConfig(); !st) {
        log("error: reloading the config failed, keeping the previous one: " + st.error().message);
        return;
    }
    std::size_t declared = config_ ? config_->certificates.size() : 0;
    log("reloaded the config: " + std::to_string(declared) + " certificates declared");
    if (global_.stateDir != stateDir) {
        log("warning: state-dir changed in the config: restart certkeep serve to use it");
        global_.stateDir = stateDir;
    }
}

Result<ManagedSet> Daemon::managedSet() {
    auto set = managedCertificates(*wiring_->store, config_ ? &*config_ : nullptr, global_,
                                   options_.overrides, {});
    if (set) {
        applyHookOverrides(*set, options_.overrides);
    }
    return set;
}

void Daemon::publish(const ManagedSet& set, const store::MetricsRecord& record,
                     const lifecycle::RenewReport& after) {
    auto snap = std::make_shared<Snapshot>();
    snap->statuses = collectStatus(*wiring_->services, set, after);
    snap->metrics = record;
    if (!options_.metricsFile.empty()) {
        auto text = renderMetrics(snap->statuses, snap->metrics);
        if (auto st = writeMetricsFile(options_.metricsFile, text); !st) {
            log("error: " + st.error().message);
        }
    }
    std::lock_guard lock(snapshotMutex_);
    snapshot_ = std::move(snap);
}

// One renewal check: the same flow as a one-shot renew, then metrics and the snapshot.
void Daemon::cycle() {
    auto set = managedSet();
    if (!set) {
        log("error: " + set.error().message + " (tried again at the next check)");
        return;
    }
    auto renew = options_.renew;
    renew.globalHooks = set->globalHooks;
    {
        std::lock_guard lock(mutex_);
        if (stop_) {
            return;
        }
        cycling_ = true;
    }
    auto report = lifecycle::renewCertificates(*wiring_->services, set->certificates, renew);
    {
        std::lock_guard lock(mutex_);
        cycling_ = false;
    }
    if (report.preHookError) {
        log("error: " + report.preHookError->message + "; nothing was renewed");
    }
    for (const auto& r : report.certificates) {
        bool acted = r.result != lifecycle::RenewResult::NotDue &&
                     r.result != lifecycle::RenewResult::BackingOff;
        if (acted || r.deployError || r.deployed) {
            std::lock_guard lock(logMutex_);
            printCertificateReport(console_, r);
            console_.out.flush(); // one line per event, as it happens (journald, a log file)
            console_.err.flush();
        }
    }
    auto record = persistRunMetrics(*wiring_->store, wiring_->counters, !report.preHookError,
                                    report.anyFailed(), Clock::now());
    if (!record) {
        log("error: " + record.error().message);
        record = wiring_->store->loadMetrics();
    }
    publish(*set, record ? *record : store::MetricsRecord{}, report);
    (void)notifySystemd("STATUS=" + std::to_string(set->certificates.size()) +
                        " certificates; last check " + lifecycle::isoTime(Clock::now()));
}

// The next check: the earliest planned renewal still ahead, but at least a second from now
// and at most one interval away.
Clock::time_point Daemon::nextWake(Clock::time_point now) {
    Clock::time_point wake = now + options_.interval;
    std::shared_ptr<const Snapshot> snap;
    {
        std::lock_guard lock(snapshotMutex_);
        snap = snapshot_;
    }
    for (const auto& s : snap->statuses) {
        if (s.managed && s.nextRenewal && *s.nextRenewal > now) {
            wake = std::min(wake, *s.nextRenewal + std::chrono::seconds(1));
        }
    }
    return std::max(wake, now + std::chrono::seconds(1));
}

HttpReply Daemon::handle(const std::string& path) {
    std::shared_ptr<const Snapshot> snap;
    {
        std::lock_guard lock(snapshotMutex_);
        snap = snapshot_;
    }
    if (path == "/metrics") {
        return {200, "text/plain; version=0.0.4; charset=utf-8",
                renderMetrics(snap->statuses, snap->metrics)};
    }
    if (path == "/" || path == "/index.html") {
        return {200, "text/html; charset=utf-8",
                report::statusPage(snap->statuses, Clock::now(), title_)};
    }
    if (path == "/-/healthy") {
        return {200, "text/plain; charset=utf-8", "certkeep is running\n"};
    }
    return {404, "text/plain; charset=utf-8", "not found: try / or /metrics\n"};
}

// SIGTERM/SIGINT between cycles: the loop ends and run() returns 0. During a cycle the work in
// flight is abandoned the way an interrupted renew abandons it (a store write finishes, the
// challenge responses are withdrawn, an order is resumed by the next run), and the process
// exits 0 at once.
void Daemon::onStopSignal(int sig) {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        if (!cycling_) {
            wake_.notify_all();
            return;
        }
    }
    log(std::string("stopping on SIG") + sigabbrev_np(sig) +
        " during a renewal check: work in flight abandoned; the store is consistent and an "
        "order in flight is resumed by the next run");
    wiring_->gate.stop();
    wiring_->active.withdrawAll();
    (void)notifySystemd("STOPPING=1");
    console_.out.flush();
    ::_exit(kOk);
}

// Until stopFd is written to (run() ends) or a stop signal came.
void Daemon::watchSignals(int signalFd, int stopFd) {
    for (;;) {
        std::array<pollfd, 2> fds{{{signalFd, POLLIN, 0}, {stopFd, POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        if ((fds[1].revents & POLLIN) != 0) {
            return;
        }
        signalfd_siginfo info{};
        if (::read(signalFd, &info, sizeof info) != sizeof info) {
            continue;
        }
        if (info.ssi_signo == SIGHUP) {
            std::lock_guard lock(mutex_);
            reload_ = true;
            wake_.notify_all();
            continue;
        }
        onStopSignal(static_cast<int>(info.ssi_signo));
        return;
    }
}

int Daemon::run() {
    if (auto st = loadConfig(); !st) {
        reportError(st.error(), console_);
        return kUsage;
    }
    auto wiring = wire(global_, console_);
    if (!wiring) {
        return reportError(wiring.error(), console_);
    }
    wiring_ = std::move(*wiring);
    options_.renew.hookOptions.counters = &wiring_->counters;
    if (auto set = managedSet(); set) {
        auto record = wiring_->store->loadMetrics();
        publish(*set, record ? *record : store::MetricsRecord{});
    }
    auto server = StatusServer::start(options_.metricsListen, options_.allowed,
                                      [this](const std::string& path) { return handle(path); });
    if (!server) {
        return reportError(server.error(), console_);
    }
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        sigaddset(&set, sig);
    }
    challenges::UniqueFd signalFd(::signalfd(-1, &set, SFD_CLOEXEC));
    challenges::UniqueFd stopFd(::eventfd(0, EFD_CLOEXEC));
    if (!signalFd.valid() || !stopFd.valid()) {
        return reportError(makeError(ErrorKind::Local, "cannot watch signals (signalfd failed)"),
                           console_);
    }
    std::thread watcher([this, &signalFd, &stopFd] { watchSignals(signalFd.get(), stopFd.get()); });
    struct Joiner { // the watcher ends before the descriptors close
        std::thread& thread;
        int stopFd;
        ~Joiner() {
            std::uint64_t one = 1;
            (void)!::write(stopFd, &one, sizeof one);
            thread.join();
        }
    } joiner{watcher, stopFd.get()};
    log("certkeep serve " + std::string(CERTKEEP_VERSION) + ": metrics on http://" +
        (*server)->shown() + "/metrics, status page on http://" + (*server)->shown() +
        "/, checking at least every " + std::to_string(options_.interval.count()) + "s");
    (void)notifySystemd("READY=1");
    for (;;) {
        cycle();
        auto wakeAt = nextWake(Clock::now());
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, wakeAt - Clock::now(), [this] { return stop_ || reload_; });
        if (stop_) {
            break;
        }
        if (reload_) {
            reload_ = false;
            lock.unlock();
            reloadConfig();
        }
    }
    (void)notifySystemd("STOPPING=1");
    log("stopped: no renewal was in flight");
    return kOk;
}

} // namespace

int runDaemon(const GlobalOptions& global, const ServeOptions& options, Console& console) {
    InterruptGuard::blockSignals(); // before any thread starts: only the watcher sees them
    Daemon daemon(global, options, console);
    return daemon.run();
}

} // namespace certkeep::cli
