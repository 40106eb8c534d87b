#pragma once
// SIGINT/SIGTERM/SIGHUP during a run: a watcher thread waits (signalfd) for one, lets a store
// write in progress finish (ShutdownGate), withdraws the published challenge responses, and
// exits with 128+signal (130 for SIGINT, 143 for SIGTERM). Nothing else runs on that path: an
// order in flight stays recorded in the store and the next run resumes it.

#include "common/shutdown_gate.hpp"

#include <functional>
#include <thread>

namespace certkeep::cli {

class InterruptGuard {
  public:
    // Blocks the signals in this thread, and so in every thread started after it. Call it
    // before any other thread starts, so that only the watcher receives them.
    static void blockSignals();
    // Starts the watcher. `withdraw` removes the challenge responses; declare the guard after
    // what it uses so that it stops first.
    InterruptGuard(ShutdownGate& gate, std::function<void()> withdraw);
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

  private:
    ShutdownGate& gate_;
    std::function<void()> withdraw_;
    int signalFd_ = -1;
    int stopFd_ = -1; // eventfd: the destructor wakes the watcher through it
    std::thread watcher_;
};

} // namespace certkeep::cli
