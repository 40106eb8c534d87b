#pragma once
// The Store contract: account keys per ACME server and versioned certificates per NAME.
// Implementations must be safe for concurrent use by several processes: callers take
// lock(name) and re-check whether work is still needed after they hold it.

#include "common/result.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certkeep::store {

// One ACME account on one server.
struct AccountData {
    std::string keyPem;  // account private key (PKCS#8 PEM); stored 0600
    std::string url;     // account URL (kid); empty until registered
    std::string contact; // e.g. "mailto:ops@example.com", may be empty
};

// One issued certificate version. Versions are numbered from 1, never reused.
struct CertVersion {
    int number = 0;           // assigned by saveCertificate
    std::string certPem;      // leaf only
    std::string chainPem;     // intermediates only
    std::string fullchainPem; // leaf + intermediates
    std::string keyPem;       // certificate private key; stored 0600
    std::string metaJson;     // free-form JSON from the caller (domains, server, times)
};

// Held while alive; released by the destructor.
class Lock {
  public:
    virtual ~Lock() = default;
};
using LockPtr = std::unique_ptr<Lock>;

class Store {
  public:
    virtual ~Store() = default;

    // Account for the server at directoryUrl, or nullopt when none is stored.
    virtual Result<std::optional<AccountData>> loadAccount(const std::string& directoryUrl) = 0;
    // Replaces the stored account atomically (key 0600, directory 0700).
    virtual Status saveAccount(const std::string& directoryUrl, const AccountData& account) = 0;

    // Writes a new complete version, then atomically makes it the live one.
    // Returns the version number. A failure or crash at any point leaves the previous
    // live version intact. Usage error when `name` is not a valid certificate name.
    virtual Result<int> saveCertificate(const std::string& name, const CertVersion& version) = 0;
    // The live version of `name`, or nullopt when none exists.
    virtual Result<std::optional<CertVersion>> loadLive(const std::string& name) = 0;
    // Names that have a live version, sorted.
    virtual Result<std::vector<std::string>> listCertificates() = 0;
    // Human-facing location of the live files (a directory for the filesystem store).
    [[nodiscard]] virtual std::string liveLocation(const std::string& name) const = 0;

    // Exclusive lock for one certificate name (or "account:<server>"); Local error if it
    // cannot be taken within timeoutSeconds.
    virtual Result<LockPtr> lock(const std::string& key, int timeoutSeconds) = 0;
};
using StorePtr = std::unique_ptr<Store>;

// Certificate NAME rule: 1-64 chars of [A-Za-z0-9._-], not starting with '.' or '-'.
bool isValidCertName(const std::string& name);

} // namespace certkeep::store
