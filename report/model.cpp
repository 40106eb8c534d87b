// Health and time left of one certificate, shared by every renderer.
#include "report/model.hpp"

#include "report/format.hpp"

#include <array>
#include <limits>
#include <utility>

namespace certkeep::report {

namespace {

// Units from the largest, for humanDuration.
constexpr std::array<std::pair<long long, char>, 4> kUnits{
    {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}};

// The two largest units of a non-negative number of seconds: "3d4h", "45d", "40s".
std::string twoUnits(long long s) {
    for (std::size_t i = 0; i < kUnits.size(); ++i) {
        auto [size, unit] = kUnits[i];
        if (s < size && i + 1 < kUnits.size()) {
            continue;
        }
        std::string out = std::to_string(s / size) + unit;
        if (i + 1 < kUnits.size()) {
            auto [nextSize, nextUnit] = kUnits[i + 1];
            if (long long rest = (s % size) / nextSize; rest > 0) {
                out += std::to_string(rest) + nextUnit;
            }
        }
        return out;
    }
    return "0s";
}

} // namespace

std::string healthName(Health health) {
    switch (health) {
    case Health::Ok:
        return "ok";
    case Health::Warning:
        return "warning";
    case Health::Critical:
        return "critical";
    case Health::Unknown:
        break;
    }
    return "unknown";
}

Health healthOf(const CertificateStatus& status, TimePoint now) {
    if (!status.issued) {
        return Health::Unknown;
    }
    auto left = timeLeft(status, now);
    if (left <= status.critBefore) {
        return Health::Critical;
    }
    if (left <= status.warnBefore) {
        return Health::Warning;
    }
    return Health::Ok;
}

std::string humanDuration(std::chrono::seconds left) {
    long long s = left.count();
    if (s >= 0) {
        return twoUnits(s);
    }
    // -LLONG_MIN overflows; that far in the past is as good as its neighbour.
    long long ago =
        s == std::numeric_limits<long long>::min() ? std::numeric_limits<long long>::max() : -s;
    return "expired " + twoUnits(ago) + " ago";
}

} // namespace certkeep::report
