#pragma once
// flock(2)-based Lock: exclusive across processes, released when the object is destroyed.

#include "store/dir_fd.hpp"
#include "store/store.hpp"

#include <chrono>
#include <string>
#include <utility>

namespace certkeep::store {

class FileLock : public Lock {
  public:
    explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
    // A flock is held until the descriptor is closed: it cannot be lost.
    [[nodiscard]] bool held() const override { return true; }

  private:
    UniqueFd fd_; // closing the descriptor releases the flock
};

// Takes an exclusive flock on `fileName` in `locks` (created 0600 if missing, never through
// a link), retrying every 100 ms until `timeout` has passed. Local error naming `what` (e.g.
// "certificate example.com") when another holder keeps it.
Result<LockPtr> acquireFileLock(const DirFd& locks, const std::string& fileName,
                                const std::string& what, std::chrono::seconds timeout);

// File-name-safe form of a lock key: [A-Za-z0-9._-] only, bounded length, ".lock" appended.
std::string lockFileName(const std::string& key);

// Deterministic 64-bit FNV-1a hash as 16 hex digits, for fallback names.
std::string hexHash(const std::string& text);

} // namespace certkeep::store
