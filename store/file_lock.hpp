#pragma once
// flock(2)-based Lock: exclusive across processes, released when the object is destroyed.

#include "store/atomic_file.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <string>
#include <utility>

namespace certkeep::store {

class FileLock : public Lock {
  public:
    explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}

  private:
    UniqueFd fd_; // closing the descriptor releases the flock
};

// Takes an exclusive flock on `path` (created 0600 if missing), retrying every 100 ms until
// timeoutSeconds have passed. Local error naming `key` when another holder keeps it.
Result<LockPtr> acquireFileLock(const std::filesystem::path& path, const std::string& key,
                                int timeoutSeconds);

// File-name-safe form of a lock key: [A-Za-z0-9._-] only, bounded length.
std::string lockFileName(const std::string& key);

// Deterministic 64-bit FNV-1a hash as 16 hex digits, for fallback names.
std::string hexHash(const std::string& text);

} // namespace certkeep::store
