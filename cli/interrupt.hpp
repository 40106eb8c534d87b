#pragma once
// SIGINT/SIGTERM/SIGHUP during a run: a watcher thread withdraws published challenge
// responses and exits with 128+signal. The store needs nothing: its writes are atomic, so a
// stop at any point leaves the previous version live.

#include <functional>
#include <thread>

namespace certkeep::cli {

class InterruptGuard {
  public:
    // Blocks the signals in this thread, and so in every thread started after it. Call it
    // before any other thread starts, so that only the watcher receives them.
    static void blockSignals();
    // Starts the watcher, which runs undo on a signal; declare the guard after what undo uses
    // so that it stops first.
    explicit InterruptGuard(std::function<void()> undo);
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

  private:
    std::thread watcher_;
    std::function<void()> undo_;
    bool armed_ = false;
};

} // namespace certkeep::cli
