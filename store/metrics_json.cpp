// The JSON form of the metrics record; nlohmann/json's exceptions stop here.
#include "store/records_json.hpp"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace certkeep::store {

using nlohmann::json;

namespace {

// A gauge as JSON: a number, or the text format's name for a value JSON cannot hold.
json gaugeJson(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    return value;
}

// The inverse of gaugeJson; nullopt for anything else.
std::optional<double> gaugeFrom(const json& j) {
    if (j.is_number()) {
        return j.get<double>();
    }
    if (j == "NaN") {
        return std::numeric_limits<double>::quiet_NaN();
    }
    if (j == "+Inf" || j == "-Inf") {
        double inf = std::numeric_limits<double>::infinity();
        return j == "+Inf" ? inf : -inf;
    }
    return std::nullopt;
}

// The member `key` of `doc` when it is an object (an empty one when missing or null).
Result<const json*> section(const json& doc, const char* key) {
    static const json kEmpty = json::object();
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) {
        return &kEmpty;
    }
    if (!it->is_object()) {
        return fail(ErrorKind::Config, std::string("member \"") + key + "\" must be an object");
    }
    return &*it;
}

Status readCounters(const json& doc, MetricsRecord& out) {
    auto counters = section(doc, "counters");
    if (!counters) {
        return counters.takeError();
    }
    for (const auto& [series, value] : (*counters)->items()) {
        // A negative, fractional or too large count is damage, not a value to guess at.
        if (!value.is_number_unsigned()) {
            return fail(ErrorKind::Config,
                        "counter \"" + series.substr(0, 200) + "\" must be a non-negative integer");
        }
        out.counters[series] = value.get<std::uint64_t>();
    }
    return {};
}

Status readGauges(const json& doc, MetricsRecord& out) {
    auto gauges = section(doc, "gauges");
    if (!gauges) {
        return gauges.takeError();
    }
    for (const auto& [series, value] : (*gauges)->items()) {
        auto gauge = gaugeFrom(value);
        if (!gauge) {
            return fail(ErrorKind::Config,
                        "gauge \"" + series.substr(0, 200) +
                            "\" must be a number, \"NaN\", \"+Inf\" or \"-Inf\"");
        }
        out.gauges[series] = *gauge;
    }
    return {};
}

} // namespace

// Strings that are not UTF-8 cannot be JSON: such a series is refused, the file left as it was.
Result<std::string> metricsToJson(const MetricsRecord& metrics) {
    json counters = json::object();
    for (const auto& [series, value] : metrics.counters) {
        counters[series] = value;
    }
    json gauges = json::object();
    for (const auto& [series, value] : metrics.gauges) {
        gauges[series] = gaugeJson(value);
    }
    try {
        return json{{"counters", counters}, {"gauges", gauges}}.dump(2) + "\n";
    } catch (const json::exception& e) {
        return fail(ErrorKind::Internal,
                    std::string("cannot store the metrics as JSON: ") + e.what());
    }
}

Result<MetricsRecord> metricsFromJson(const std::string& text) {
    try {
        json doc = json::parse(text, nullptr, false);
        if (doc.is_discarded()) {
            return fail(ErrorKind::Config, "not valid JSON");
        }
        if (!doc.is_object()) {
            return fail(ErrorKind::Config, "not a JSON object");
        }
        MetricsRecord out;
        if (auto st = readCounters(doc, out); !st) {
            return st.takeError();
        }
        if (auto st = readGauges(doc, out); !st) {
            return st.takeError();
        }
        return out;
    } catch (const json::exception& e) {
        return fail(ErrorKind::Config, e.what());
    }
}

} // namespace certkeep::store
