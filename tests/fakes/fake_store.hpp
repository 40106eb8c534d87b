#pragma once
// Test fake for store::Store: everything in memory, with the contract's semantics (version
// numbers never reused, NAME validation, a default RenewalState, NotFound for a missing
// version, locks that time out with a Local error). Safe for concurrent use.
// Knobs for tests: set them before concurrent calls start.
//   failX         the next X returns this error instead of doing anything (then it is cleared)
//   leaseLost     every lock, held or future, reports held() == false while it is true
//   xCalls        how many times X was called (including calls that failed)
// Account keys are kept as given: with no disk, nothing can be truncated. A key mode open to
// other users is refused like FsStore does; key groups are not looked up.

#include "common/result.hpp"
#include "store/key_access.hpp"
#include "store/store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace certkeep::fakes {

class FakeStore : public store::Store {
    // Lock state, shared with the locks so that a lock may outlive the store.
    struct LockTable {
        std::mutex mutex;
        std::condition_variable released;
        std::set<std::string> held;
        std::atomic<bool> leaseLost{false};
    };

    class FakeLock : public store::Lock {
      public:
        FakeLock(std::shared_ptr<LockTable> table, std::string key)
            : table_(std::move(table)), key_(std::move(key)) {}
        ~FakeLock() override {
            {
                std::lock_guard guard(table_->mutex);
                table_->held.erase(key_);
            }
            table_->released.notify_all();
        }
        FakeLock(const FakeLock&) = delete;
        FakeLock& operator=(const FakeLock&) = delete;
        [[nodiscard]] bool held() const override { return !table_->leaseLost; }

      private:
        std::shared_ptr<LockTable> table_;
        std::string key_;
    };

    // Declared before the public knobs: leaseLost refers into it.
    std::shared_ptr<LockTable> locks_ = std::make_shared<LockTable>();

  public:
    // --- failure injection and counters ----------------------------------------------------
    std::optional<Error> failSaveCertificate;
    std::optional<Error> failSavePendingOrder;
    std::optional<Error> failSaveAccount;
    std::optional<Error> failSaveRenewalState;
    std::optional<Error> failCheckWritable;
    std::optional<Error> failLoadMetrics;
    std::optional<Error> failUpdateMetrics;
    std::atomic<bool>& leaseLost = locks_->leaseLost;
    int saveCertificateCalls = 0;
    int saveAccountCalls = 0;
    int saveSettingsCalls = 0;
    int saveRenewalStateCalls = 0;
    int savePendingOrderCalls = 0;
    int removePendingOrderCalls = 0;
    int checkWritableCalls = 0;
    int removeLeftoversCalls = 0;
    int lockCertificateCalls = 0;
    int lockAccountCalls = 0;
    int loadLiveMetaCalls = 0;
    int removeVersionCalls = 0;
    int removeCertificateCalls = 0;
    int updateMetricsCalls = 0;

    FakeStore() = default;
    FakeStore(const FakeStore&) = delete;
    FakeStore& operator=(const FakeStore&) = delete;

    // --- accounts ----------------------------------------------------------------------------
    Result<std::optional<store::AccountData>> loadAccount(const std::string& url) override {
        std::lock_guard guard(mutex_);
        auto it = accounts_.find(url);
        return it == accounts_.end() ? std::optional<store::AccountData>() : it->second;
    }
    Status saveAccount(const std::string& url, const store::AccountData& account) override {
        std::lock_guard guard(mutex_);
        ++saveAccountCalls;
        if (auto injected = take(failSaveAccount)) {
            return *injected;
        }
        accounts_[url] = account;
        accounts_[url].directoryUrl = url;
        return {};
    }
    Result<std::vector<store::AccountData>> listAccounts() override {
        std::lock_guard guard(mutex_);
        std::vector<store::AccountData> out; // std::map: already sorted by directory URL
        for (const auto& [url, account] : accounts_) {
            out.push_back(account);
        }
        return out;
    }

    // --- certificate versions ------------------------------------------------------------------
    Result<int> saveCertificate(const std::string& name, const store::CertVersion& v) override {
        std::lock_guard guard(mutex_);
        ++saveCertificateCalls;
        if (auto bad = store::checkCertName(name); !bad) {
            return bad.takeError();
        }
        if (auto injected = take(failSaveCertificate)) {
            return *injected;
        }
        if (auto mode = store::checkKeyMode(v.keyAccess.mode); !mode) {
            return mode.takeError(); // the group is kept as given: no lookup without a disk
        }
        auto& versions = versions_[name];
        int n = versions.empty() ? 1 : versions.rbegin()->first + 1;
        versions[n] = v;
        versions[n].number = n;
        live_[name] = n;
        return n;
    }
    Result<std::optional<store::CertVersion>> loadLive(const std::string& name) override {
        std::lock_guard guard(mutex_);
        if (auto bad = store::checkCertName(name); !bad) {
            return bad.takeError();
        }
        auto it = live_.find(name);
        if (it == live_.end()) {
            return std::optional<store::CertVersion>();
        }
        return std::optional<store::CertVersion>(versions_[name][it->second]);
    }
    Result<store::CertVersion> loadVersion(const std::string& name, int number) override {
        std::lock_guard guard(mutex_);
        if (auto bad = store::checkCertName(name); !bad) {
            return bad.takeError();
        }
        auto it = versions_.find(name);
        if (it == versions_.end() || it->second.count(number) == 0) {
            return fail(ErrorKind::NotFound,
                        "version " + std::to_string(number) + " of " + name + " does not exist");
        }
        return it->second.at(number);
    }
    Result<std::vector<int>> listVersions(const std::string& name) override {
        std::lock_guard guard(mutex_);
        if (auto bad = store::checkCertName(name); !bad) {
            return bad.takeError();
        }
        std::vector<int> out;
        if (auto it = versions_.find(name); it != versions_.end()) {
            for (const auto& [n, v] : it->second) {
                out.push_back(n);
            }
        }
        return out;
    }
    Result<std::vector<std::string>> listCertificates() override {
        std::lock_guard guard(mutex_);
        std::vector<std::string> out;
        for (const auto& [name, n] : live_) {
            out.push_back(name);
        }
        return out;
    }
    Result<std::optional<std::pair<int, std::string>>>
    loadLiveMeta(const std::string& name) override {
        std::lock_guard guard(mutex_);
        ++loadLiveMetaCalls;
        if (auto bad = store::checkCertName(name); !bad) {
            return bad.takeError();
        }
        auto it = live_.find(name);
        if (it == live_.end()) {
            return std::optional<std::pair<int, std::string>>();
        }
        return std::optional(std::pair(it->second, versions_[name][it->second].metaJson));
    }
    Status removeVersion(const std::string& name, int number) override {
        std::lock_guard guard(mutex_);
        ++removeVersionCalls;
        if (auto bad = store::checkCertName(name); !bad) {
            return bad;
        }
        if (auto it = live_.find(name); it != live_.end() && it->second == number) {
            return fail(ErrorKind::Usage, "version " + std::to_string(number) + " of " + name +
                                              " is the live one; it cannot be removed");
        }
        auto it = versions_.find(name);
        if (it == versions_.end() || it->second.erase(number) == 0) {
            return fail(ErrorKind::NotFound,
                        "version " + std::to_string(number) + " of " + name + " does not exist");
        }
        return {};
    }
    // Like the filesystem store: numbering restarts after a removal; NotFound when nothing is
    // stored under `name`.
    Status removeCertificate(const std::string& name) override {
        std::lock_guard guard(mutex_);
        ++removeCertificateCalls;
        if (auto bad = store::checkCertName(name); !bad) {
            return bad;
        }
        size_t erased = live_.erase(name) + versions_.erase(name) + settings_.erase(name) +
                        renewal_.erase(name) + pending_.erase(name);
        if (erased == 0) {
            return fail(ErrorKind::NotFound, "no certificate named " + name + " is stored");
        }
        return {};
    }
    [[nodiscard]] std::string liveLocation(const std::string& name) const override {
        return "memory:live/" + name;
    }

    // --- per-certificate records ---------------------------------------------------------------
    Result<std::optional<store::CertSettings>> loadSettings(const std::string& name) override {
        return load(name, settings_);
    }
    Status saveSettings(const std::string& name, const store::CertSettings& s) override {
        std::optional<Error> none;
        return save(name, settings_, s, saveSettingsCalls, none);
    }
    Result<store::RenewalState> loadRenewalState(const std::string& name) override {
        auto state = load(name, renewal_);
        if (!state) {
            return state.takeError();
        }
        return state->value_or(store::RenewalState{});
    }
    Status saveRenewalState(const std::string& name, const store::RenewalState& s) override {
        return save(name, renewal_, s, saveRenewalStateCalls, failSaveRenewalState);
    }
    Result<std::optional<store::PendingOrder>> loadPendingOrder(const std::string& name) override {
        return load(name, pending_);
    }
    Status savePendingOrder(const std::string& name, const store::PendingOrder& o) override {
        return save(name, pending_, o, savePendingOrderCalls, failSavePendingOrder);
    }
    Status removePendingOrder(const std::string& name) override {
        std::lock_guard guard(mutex_);
        ++removePendingOrderCalls;
        if (auto bad = store::checkCertName(name); !bad) {
            return bad;
        }
        pending_.erase(name);
        return {};
    }

    // --- checks and housekeeping ---------------------------------------------------------------
    Status checkWritable(const std::string& name) override {
        std::lock_guard guard(mutex_);
        ++checkWritableCalls;
        if (auto bad = store::checkCertName(name); !bad) {
            return bad;
        }
        if (auto injected = take(failCheckWritable)) {
            return *injected;
        }
        return {};
    }
    Status removeLeftovers(const std::string& name) override {
        std::lock_guard guard(mutex_);
        ++removeLeftoversCalls;
        return store::checkCertName(name);
    }

    // --- locks -------------------------------------------------------------------------------
    Result<store::LockPtr> lockCertificate(const std::string& name,
                                           std::chrono::seconds timeout) override {
        {
            std::lock_guard guard(mutex_);
            ++lockCertificateCalls;
        }
        if (auto bad = store::checkCertName(name); !bad) {
            return bad.takeError();
        }
        return acquire("cert-" + name, "certificate " + name, timeout);
    }
    Result<store::LockPtr> lockAccount(const std::string& url,
                                       std::chrono::seconds timeout) override {
        {
            std::lock_guard guard(mutex_);
            ++lockAccountCalls;
        }
        return acquire("account-" + url, "the account at " + url, timeout);
    }

    // --- metrics -----------------------------------------------------------------------------
    Result<store::MetricsRecord> loadMetrics() override {
        std::lock_guard guard(mutex_);
        if (auto injected = take(failLoadMetrics)) {
            return *injected;
        }
        return metrics_;
    }
    // One mutex for the whole read-modify-write: concurrent updates add up exactly.
    Result<store::MetricsRecord>
    updateMetrics(const std::map<std::string, std::uint64_t>& counterDeltas,
                  const std::map<std::string, double>& gauges) override {
        std::lock_guard guard(mutex_);
        ++updateMetricsCalls;
        if (auto injected = take(failUpdateMetrics)) {
            return *injected;
        }
        metrics_ = store::mergeMetrics(std::move(metrics_), counterDeltas, gauges);
        return metrics_;
    }

  private:
    // Takes a one-shot injected error, clearing the knob.
    static std::optional<Error> take(std::optional<Error>& knob) {
        std::optional<Error> out = std::move(knob);
        knob.reset();
        return out;
    }

    template <typename T>
    Result<std::optional<T>> load(const std::string& name, const std::map<std::string, T>& m) {
        std::lock_guard guard(mutex_);
        if (auto bad = store::checkCertName(name); !bad) {
            return bad.takeError();
        }
        auto it = m.find(name);
        return it == m.end() ? std::optional<T>() : std::optional<T>(it->second);
    }

    template <typename T>
    Status save(const std::string& name, std::map<std::string, T>& m, const T& value, int& calls,
                std::optional<Error>& knob) {
        std::lock_guard guard(mutex_);
        ++calls;
        if (auto bad = store::checkCertName(name); !bad) {
            return bad;
        }
        if (auto injected = take(knob)) {
            return *injected;
        }
        m[name] = value;
        return {};
    }

    // Waits for `key` until `timeout`; Local error when it stays held.
    Result<store::LockPtr> acquire(const std::string& key, const std::string& what,
                                   std::chrono::seconds timeout) {
        std::unique_lock guard(locks_->mutex);
        bool free =
            locks_->released.wait_for(guard, timeout, [&] { return locks_->held.count(key) == 0; });
        if (!free) {
            return fail(ErrorKind::Local, "another certkeep process holds the lock for " + what +
                                              "; try again later");
        }
        locks_->held.insert(key);
        return store::LockPtr(std::make_unique<FakeLock>(locks_, key));
    }

    std::mutex mutex_;
    std::map<std::string, store::AccountData> accounts_;
    std::map<std::string, std::map<int, store::CertVersion>> versions_;
    std::map<std::string, int> live_;
    std::map<std::string, store::CertSettings> settings_;
    std::map<std::string, store::RenewalState> renewal_;
    std::map<std::string, store::PendingOrder> pending_;
    store::MetricsRecord metrics_;
};

} // namespace certkeep::fakes
