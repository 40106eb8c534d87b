#pragma once
// Coordinates a graceful stop with writes that must not be cut in half: a store write runs
// inside a Section; the signal path calls stop(), which waits until every open Section has
// finished, after which no new Section starts (its constructor blocks until the process exits).

#include <condition_variable>
#include <mutex>

namespace certkeep {

class ShutdownGate {
  public:
    // RAII: the enclosed work finishes before a stop completes.
    class Section {
      public:
        explicit Section(ShutdownGate& gate) : gate_(gate) { gate_.enter(); }
        ~Section() { gate_.leave(); }
        Section(const Section&) = delete;
        Section& operator=(const Section&) = delete;

      private:
        ShutdownGate& gate_;
    };

    // Marks the process as stopping and waits until no Section is open. Returns with the gate
    // closed: Sections that start afterwards block for good (the caller is about to exit).
    void stop() {
        std::unique_lock lock(mutex_);
        stopping_ = true;
        idle_.wait(lock, [this] { return open_ == 0; });
    }
    [[nodiscard]] bool stopping() const {
        std::lock_guard lock(mutex_);
        return stopping_;
    }

  private:
    void enter() {
        std::unique_lock lock(mutex_);
        idle_.wait(lock, [this] { return !stopping_; });
        ++open_;
    }
    void leave() {
        std::lock_guard lock(mutex_);
        --open_;
        idle_.notify_all();
    }

    mutable std::mutex mutex_;
    std::condition_variable idle_;
    int open_ = 0;
    bool stopping_ = false;
};

} // namespace certkeep
