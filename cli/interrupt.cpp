#include "cli/interrupt.hpp"

#include <csignal>
#include <pthread.h>
#include <unistd.h>

namespace certkeep::cli {

namespace {

sigset_t watchedSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR2); // internal: tells the watcher to stop
    return set;
}

} // namespace

void InterruptGuard::blockSignals() {
    sigset_t set = watchedSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

InterruptGuard::InterruptGuard(std::function<void()> undo) : undo_(std::move(undo)) {
    sigset_t set = watchedSignals();
    blockSignals();
    armed_ = true;
    watcher_ = std::thread([this, set] {
        int sig = 0;
        while (sigwait(&set, &sig) == 0) {
            if (sig == SIGUSR2) {
                return;
            }
            if (undo_) {
                undo_();
            }
            static constexpr char kMsg[] =
                "certkeep: interrupted: challenge responses withdrawn; the store keeps its last "
                "complete version\n";
            (void)!::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
            ::_exit(128 + sig);
        }
    });
}

InterruptGuard::~InterruptGuard() {
    if (!armed_) {
        return;
    }
    pthread_kill(watcher_.native_handle(), SIGUSR2);
    watcher_.join();
    sigset_t set = watchedSignals();
    sigdelset(&set, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

} // namespace certkeep::cli
