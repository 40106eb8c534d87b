// FsStore metrics: metrics.json in the state directory, updated under locks/metrics.lock.
#include "store/atomic_file.hpp"
#include "store/file_lock.hpp"
#include "store/fs_store.hpp"
#include "store/records_json.hpp"

namespace certkeep::store {

namespace {

constexpr const char* kMetrics = "metrics.json";
// An update holds the lock for one small read and write: waiting longer means a stuck process.
constexpr std::chrono::seconds kMetricsLockTimeout{60};

} // namespace

// A file that does not parse is a Config error naming it: taking it as empty would make every
// counter go back to zero, which Prometheus reads as a restart of the counted process.
Result<MetricsRecord> FsStore::readMetrics(const DirFd& root) const {
    auto text = readFile(root, kMetrics);
    if (!text) {
        return text.takeError();
    }
    if (!text->has_value()) {
        return MetricsRecord{};
    }
    auto record = metricsFromJson(**text);
    if (!record) {
        return fail(ErrorKind::Config, (root_ / kMetrics).string() +
                                           " is not a valid metrics record (" +
                                           record.error().message +
                                           "); repair or remove it (removing resets the counters)");
    }
    return record;
}

Result<MetricsRecord> FsStore::loadMetrics() {
    auto root = readRoot();
    if (!root) {
        return root.takeError();
    }
    if (*root == nullptr) {
        return MetricsRecord{};
    }
    return readMetrics(**root);
}

// Read, add and write under the metrics lock, so that concurrent runs add up exactly. Temp
// files of writers that died mid-update are removed first, while the lock is held.
Result<MetricsRecord>
FsStore::updateMetrics(const std::map<std::string, std::uint64_t>& counterDeltas,
                       const std::map<std::string, double>& gauges) {
    auto locks = makePath({"locks"});
    if (!locks) {
        return locks.takeError();
    }
    auto lock =
        acquireFileLock(*locks, lockFileName("metrics"), "the metrics record", kMetricsLockTimeout);
    if (!lock) {
        return lock.takeError();
    }
    auto root = makePath({});
    if (!root) {
        return root.takeError();
    }
    if (auto cleaned = removeStaleTemps(*root, "." + std::string(kMetrics) + ".tmp-", false);
        !cleaned) {
        return cleaned.takeError();
    }
    auto stored = readMetrics(*root);
    if (!stored) {
        return stored.takeError();
    }
    MetricsRecord updated = mergeMetrics(std::move(*stored), counterDeltas, gauges);
    auto text = metricsToJson(updated);
    if (!text) {
        return text.takeError();
    }
    if (auto written = writeFileAtomic(*root, kMetrics, *text, 0644); !written) {
        return written.takeError();
    }
    return updated;
}

} // namespace certkeep::store
