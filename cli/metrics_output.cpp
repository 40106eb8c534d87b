#include "cli/metrics_output.hpp"

#include "report/metrics.hpp"
#include "store/atomic_file.hpp"
#include "store/dir_fd.hpp"

#include <filesystem>

namespace certkeep::cli {

Result<store::MetricsRecord> persistRunMetrics(store::Store& store, Counters& counters,
                                               bool checkedAll, bool failed,
                                               std::chrono::system_clock::time_point now) {
    counters.add("certkeep_renew_runs_total", {{"result", failed ? "failure" : "success"}});
    auto deltas = counters.take();
    std::map<std::string, double> gauges;
    if (checkedAll) {
        gauges[kLastCheckGauge] = static_cast<double>(
            std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    }
    auto record = store.updateMetrics(deltas, gauges);
    if (!record) {
        return fail(std::move(record).error().context("recording this run's metrics"));
    }
    return record;
}

std::string renderMetrics(const std::vector<report::CertificateStatus>& certificates,
                          const store::MetricsRecord& record) {
    report::MetricsInput input;
    input.certificates = &certificates;
    input.counters = &record.counters;
    input.gauges = &record.gauges;
    input.version = CERTKEEP_VERSION;
    return report::metricsText(input);
}

Status writeMetricsFile(const std::string& path, const std::string& text) {
    std::filesystem::path p(path);
    if (p.filename().empty()) {
        return fail(ErrorKind::Usage, "--metrics-file " + path + ": give a file name");
    }
    auto parent = p.parent_path().empty() ? std::filesystem::path(".") : p.parent_path();
    auto dir = store::DirFd::openRoot(parent, false);
    if (!dir) {
        return fail(std::move(dir).error().context("--metrics-file " + path));
    }
    if (!*dir) {
        return fail(ErrorKind::Config, "--metrics-file " + path + ": the directory " +
                                           parent.string() + " does not exist: create it first");
    }
    if (auto st = store::writeFileAtomic(**dir, p.filename().string(), text, 0644); !st) {
        return fail(std::move(st).error().context("--metrics-file " + path));
    }
    return {};
}

} // namespace certkeep::cli
