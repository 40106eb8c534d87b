// Run counters keyed by Prometheus series, and the series key itself (text format 0.0.4).
#include "common/counters.hpp"

#include <limits>

namespace certkeep {

namespace {

// Text format 0.0.4: in a label value, `\` -> `\\`, `"` -> `\"`, newline -> `\n`.
void appendEscaped(std::string& out, const std::string& value) {
    for (char c : value) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
}

// a + b, stuck at the maximum instead of wrapping: a counter never goes backwards.
std::uint64_t saturatingAdd(std::uint64_t a, std::uint64_t b) {
    return b > std::numeric_limits<std::uint64_t>::max() - a
               ? std::numeric_limits<std::uint64_t>::max()
               : a + b;
}

} // namespace

std::string seriesKey(const std::string& name, const MetricLabels& labels) {
    std::string key = name;
    if (labels.empty()) {
        return key;
    }
    key += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i != 0) {
            key += ',';
        }
        key += labels[i].first;
        key += "=\"";
        appendEscaped(key, labels[i].second);
        key += '"';
    }
    key += '}';
    return key;
}

std::string seriesName(const std::string& key) {
    return key.substr(0, key.find('{'));
}

void Counters::add(const std::string& name, const MetricLabels& labels, std::uint64_t n) {
    std::string key = seriesKey(name, labels);
    std::lock_guard guard(mutex_);
    auto& value = values_[key];
    value = saturatingAdd(value, n);
}

std::map<std::string, std::uint64_t> Counters::take() {
    std::lock_guard guard(mutex_);
    std::map<std::string, std::uint64_t> out;
    out.swap(values_);
    return out;
}

std::map<std::string, std::uint64_t> Counters::snapshot() const {
    std::lock_guard guard(mutex_);
    return values_;
}

} // namespace certkeep
