#pragma once
// The Store contract: accounts per ACME server; per certificate NAME immutable versions, the
// live pointer, settings, renewal state and the pending order; the run metrics; and locks.
//
// Written so that a shared backend (etcd) can implement it as well as the filesystem:
// - every method is safe for concurrent use by several processes, and by several threads on
//   one Store object (renew --parallel);
// - every record is replaced atomically as a whole (no reader sees half a record);
// - version numbers are taken by compare-and-swap: two writers never get the same number;
// - locks are leases: a holder checks Lock::held() before a step whose effects must not be
//   duplicated, and callers re-check whether work is still needed after taking a lock.
// Methods taking a NAME refuse an invalid one with a Usage error (isValidCertName).

#include "common/result.hpp"
#include "store/records.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace certkeep::store {

// Held while alive; released by the destructor.
class Lock {
  public:
    virtual ~Lock() = default;
    // False once the lock may have been lost (an expired lease); a file lock always holds.
    [[nodiscard]] virtual bool held() const = 0;
};
using LockPtr = std::unique_ptr<Lock>;

class Store {
  public:
    virtual ~Store() = default;

    // --- accounts -------------------------------------------------------------------------
    // Account for the server at directoryUrl, or nullopt when none is stored. A stored key
    // that cannot be read as a whole is a Config error, never an empty key.
    virtual Result<std::optional<AccountData>> loadAccount(const std::string& directoryUrl) = 0;
    // Replaces the stored account (key, URL and contact together) in one atomic write.
    virtual Status saveAccount(const std::string& directoryUrl, const AccountData& account) = 0;
    // Every stored account, sorted by directory URL.
    virtual Result<std::vector<AccountData>> listAccounts() = 0;

    // --- certificate versions -------------------------------------------------------------
    // Writes a new complete version under a fresh number (compare-and-swap), then makes it the
    // live one. Returns the number. A failure or crash at any point leaves the previous live
    // version intact. version.keyAccess is applied to the key (checked first: Usage error for
    // a mode open to other users, Config error for an unknown group).
    virtual Result<int> saveCertificate(const std::string& name, const CertVersion& version) = 0;
    // The live version of `name`, or nullopt when none exists.
    virtual Result<std::optional<CertVersion>> loadLive(const std::string& name) = 0;
    // One stored version; NotFound error when it does not exist.
    virtual Result<CertVersion> loadVersion(const std::string& name, int number) = 0;
    // Version numbers of `name`, ascending (empty when none).
    virtual Result<std::vector<int>> listVersions(const std::string& name) = 0;
    // Names that have a live version, sorted.
    virtual Result<std::vector<std::string>> listCertificates() = 0;
    // The metaJson of the live version and its number, without reading keys or certificates
    // (renew scans thousands of names with this); nullopt when `name` has no live version.
    virtual Result<std::optional<std::pair<int, std::string>>>
    loadLiveMeta(const std::string& name) = 0;
    // Removes one stored version with its private key (retention). Refused (Usage error) for
    // the live one; NotFound when it does not exist. An interrupted removal never leaves a
    // partial version that lists or loads. Removed numbers are not reused.
    virtual Status removeVersion(const std::string& name, int number) = 0;
    // Removes everything stored for `name`: the live pointer first (no reader follows it into
    // a removed version), then versions, settings, renewal state and the pending order. The
    // lock stays usable. NotFound when nothing is stored; calling it again after an
    // interruption finishes the job. A later save starts again at version 1.
    virtual Status removeCertificate(const std::string& name) = 0;
    // Human-facing location of the live files (a directory for the filesystem store).
    [[nodiscard]] virtual std::string liveLocation(const std::string& name) const = 0;

    // --- per-certificate records ------------------------------------------------------------
    virtual Result<std::optional<CertSettings>> loadSettings(const std::string& name) = 0;
    virtual Status saveSettings(const std::string& name, const CertSettings& settings) = 0;
    // A default RenewalState (never tried) when none is stored.
    virtual Result<RenewalState> loadRenewalState(const std::string& name) = 0;
    virtual Status saveRenewalState(const std::string& name, const RenewalState& state) = 0;
    // The pending order holds a private key: stored like one (0600).
    virtual Result<std::optional<PendingOrder>> loadPendingOrder(const std::string& name) = 0;
    virtual Status savePendingOrder(const std::string& name, const PendingOrder& order) = 0;
    // Removes it; succeeds when there is none.
    virtual Status removePendingOrder(const std::string& name) = 0;

    // --- checks and housekeeping ------------------------------------------------------------
    // Before contacting the CA: the store is writable and nothing foreign sits where a new
    // version or the live pointer of `name` will go. Config error naming the path otherwise.
    virtual Status checkWritable(const std::string& name) = 0;
    // Removes what interrupted writes for `name` left behind (temporary versions holding a
    // private key). Only leftovers of processes that are gone are touched.
    virtual Status removeLeftovers(const std::string& name) = 0;

    // --- locks ------------------------------------------------------------------------------
    // Exclusive lock for one certificate name: issue and renew of that name serialise on it.
    // Local error naming the name when it cannot be taken within `timeout`.
    virtual Result<LockPtr> lockCertificate(const std::string& name,
                                            std::chrono::seconds timeout) = 0;
    // Exclusive lock for the account of one ACME server: load, register and save under it.
    virtual Result<LockPtr> lockAccount(const std::string& directoryUrl,
                                        std::chrono::seconds timeout) = 0;

    // --- metrics ----------------------------------------------------------------------------
    // The persisted metrics; an empty record when none is stored. A stored record that cannot
    // be read is a Config error naming it (never taken as zero: counters must not go back).
    virtual Result<MetricsRecord> loadMetrics() = 0;
    // Adds counterDeltas to the stored counters and sets `gauges` (each one given; the other
    // stored gauges are kept), in one atomic read-modify-write that concurrent runs serialise
    // on (a lock of its own, not a certificate lock); returns the record as written. A counter
    // never decreases (saturating add).
    virtual Result<MetricsRecord>
    updateMetrics(const std::map<std::string, std::uint64_t>& counterDeltas,
                  const std::map<std::string, double>& gauges) = 0;
};
using StorePtr = std::unique_ptr<Store>;

// Certificate NAME rule: 1-64 chars of [A-Za-z0-9._-], not starting with '.' or '-'.
bool isValidCertName(const std::string& name);
// The Usage error every implementation returns for an invalid NAME; success when valid.
Status checkCertName(const std::string& name);
// What updateMetrics writes over `stored`, in every implementation: each delta added to its
// counter, stuck at the maximum instead of wrapping; each of `gauges` set, the others kept.
MetricsRecord mergeMetrics(MetricsRecord stored,
                           const std::map<std::string, std::uint64_t>& counterDeltas,
                           const std::map<std::string, double>& gauges);

} // namespace certkeep::store
