#pragma once
// Metrics at the end of a renew run (one-shot or a serve cycle): this run's counters added to
// the totals the store keeps, the exposition rendered from the store, and the node_exporter
// textfile written atomically.

#include "common/counters.hpp"
#include "report/model.hpp"
#include "store/store.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace certkeep::cli {

// The gauge set when a run checked every certificate to the end.
inline constexpr const char* kLastCheckGauge =
    "certkeep_renew_check_last_success_timestamp_seconds";

// Adds what `counters` counted (taken: they start again from zero) and
// certkeep_renew_runs_total{result=success|failure} to the store's totals; when `checkedAll`
// (the run planned every certificate) also sets kLastCheckGauge to `now`. Returns the record.
Result<store::MetricsRecord> persistRunMetrics(store::Store& store, Counters& counters,
                                               bool checkedAll, bool failed,
                                               std::chrono::system_clock::time_point now);

// The exposition of `certificates` and the persisted record (report::metricsText).
std::string renderMetrics(const std::vector<report::CertificateStatus>& certificates,
                          const store::MetricsRecord& record);

// Replaces `path` atomically (temp file in the same directory, fsync, rename), mode 0644:
// node_exporter never reads half a file. Config error naming the path when its directory is
// missing or not writable.
Status writeMetricsFile(const std::string& path, const std::string& text);

} // namespace certkeep::cli
