#include "cli/interrupt.hpp"

#include <array>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <poll.h>
#include <pthread.h>
#include <string>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace certkeep::cli {

namespace {

sigset_t watchedSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

// The signal number read from the signalfd, or 0 when the stop event came first.
int waitForSignal(int signalFd, int stopFd) {
    std::array<pollfd, 2> fds{{{signalFd, POLLIN, 0}, {stopFd, POLLIN, 0}}};
    for (;;) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 0;
        }
        if ((fds[1].revents & POLLIN) != 0) {
            return 0;
        }
        signalfd_siginfo info{};
        if ((fds[0].revents & POLLIN) != 0 && ::read(signalFd, &info, sizeof info) == sizeof info) {
            return static_cast<int>(info.ssi_signo);
        }
    }
}

} // namespace

void InterruptGuard::blockSignals() {
    sigset_t set = watchedSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

InterruptGuard::InterruptGuard(ShutdownGate& gate, std::function<void()> withdraw)
    : gate_(gate), withdraw_(std::move(withdraw)) {
    blockSignals();
    sigset_t set = watchedSignals();
    signalFd_ = ::signalfd(-1, &set, SFD_CLOEXEC);
    stopFd_ = ::eventfd(0, EFD_CLOEXEC);
    if (signalFd_ < 0 || stopFd_ < 0) {
        return; // no watcher: the signals stay blocked until the destructor, then act
    }
    watcher_ = std::thread([this] {
        int sig = waitForSignal(signalFd_, stopFd_);
        if (sig == 0) {
            return;
        }
        gate_.stop(); // a store write in progress finishes; none starts after this
        if (withdraw_) {
            withdraw_();
        }
        std::string msg = std::string("certkeep: interrupted by SIG") + sigabbrev_np(sig) +
                          ": challenge responses withdrawn; the store is consistent and an "
                          "order in flight is resumed by the next run\n";
        (void)!::write(STDERR_FILENO, msg.data(), msg.size());
        ::_exit(128 + sig);
    });
}

InterruptGuard::~InterruptGuard() {
    if (watcher_.joinable()) {
        std::uint64_t one = 1;
        (void)!::write(stopFd_, &one, sizeof one);
        watcher_.join();
    }
    for (int fd : {signalFd_, stopFd_}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    sigset_t set = watchedSignals();
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

} // namespace certkeep::cli
