#pragma once
// Event counters kept in memory during a run (ACME requests, problems, hook runs, renewals) and
// added to the store's persisted totals at its end, so that Prometheus counters never go
// backwards between one-shot runs. Series are keyed in Prometheus exposition form.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace certkeep {

// Label name -> value, in the order they are written.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// `name{a="x",b="y"}` (just `name` without labels); label values escaped as the text
// exposition format asks (backslash, double quote, newline).
std::string seriesKey(const std::string& name, const MetricLabels& labels);

// The metric name of a series key: everything before '{'.
std::string seriesName(const std::string& key);

// Safe for concurrent use by the workers of one run.
class Counters {
  public:
    // Adds n to the series name{labels}.
    void add(const std::string& name, const MetricLabels& labels, std::uint64_t n = 1);
    // What was counted since the last take(), then starts again from zero.
    std::map<std::string, std::uint64_t> take();
    // What was counted since the last take(), without resetting.
    [[nodiscard]] std::map<std::string, std::uint64_t> snapshot() const;

  private:
    mutable std::mutex mutex_;
    std::map<std::string, std::uint64_t> values_;
};

} // namespace certkeep
