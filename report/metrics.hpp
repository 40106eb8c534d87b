#pragma once
// The Prometheus text exposition format (0.0.4) of certkeep's state, as node_exporter's
// textfile collector and a /metrics scrape read it.

#include "report/model.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace certkeep::report {

struct MetricsInput {
    const std::vector<CertificateStatus>* certificates = nullptr; // managed ones are exported
    // Persisted counters and gauges, keyed by their series in exposition form
    // (`certkeep_renewals_total{name="a",result="success"}`, see common/counters.hpp).
    const std::map<std::string, std::uint64_t>* counters = nullptr;
    const std::map<std::string, double>* gauges = nullptr;
    std::string version; // certkeep_build_info{version}
};

// Every family with # HELP and # TYPE, families sorted by name, series in a stable order:
// per certificate (label name) certkeep_certificate_not_after_timestamp_seconds,
// _not_before_timestamp_seconds, _renewal_due_timestamp_seconds (when planned),
// certkeep_chain_not_after_timestamp_seconds, certkeep_renewal_last_attempt_timestamp_seconds
// and _last_success_timestamp_seconds (when they happened), certkeep_renewal_consecutive_failures,
// certkeep_certificate_warn_threshold_seconds, certkeep_certificate_crit_threshold_seconds,
// certkeep_certificate_deploy_pending; certkeep_certificates (count); the counters (TYPE counter)
// and gauges given; certkeep_build_info{version} 1. Label values escaped (\\, \", \n). Accepted
// by `promtool check metrics`.
std::string metricsText(const MetricsInput& input);

} // namespace certkeep::report
