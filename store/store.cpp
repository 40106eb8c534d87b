// Rules shared by every Store implementation.
#include "store/store.hpp"

#include <limits>

namespace certkeep::store {

// NAME becomes a directory name, so it must be a plain, visible, bounded file name.
bool isValidCertName(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') {
        return false;
    }
    for (char c : name) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

Status checkCertName(const std::string& name) {
    if (isValidCertName(name)) {
        return {};
    }
    return fail(ErrorKind::Usage,
                "invalid certificate name \"" + name + "\": use letters, digits, '.', '_' or '-'");
}

// Saturating: a counter that reached the maximum stays there, it never wraps to a lower value.
MetricsRecord mergeMetrics(MetricsRecord stored,
                           const std::map<std::string, std::uint64_t>& counterDeltas,
                           const std::map<std::string, double>& gauges) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    for (const auto& [series, delta] : counterDeltas) {
        std::uint64_t& value = stored.counters[series];
        value = delta > kMax - value ? kMax : value + delta;
    }
    for (const auto& [series, value] : gauges) {
        stored.gauges[series] = value;
    }
    return stored;
}

} // namespace certkeep::store
