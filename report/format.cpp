// Private helpers of report/: times and text shared by the renderers.
#include "report/format.hpp"

#include "common/rfc3339.hpp"

namespace certkeep::report {

namespace chr = std::chrono;

std::string timeText(TimePoint t) {
    return formatRfc3339(chr::floor<chr::seconds>(t));
}

std::string timeOrDash(const std::optional<TimePoint>& t) {
    return t ? timeText(*t) : std::string("-");
}

long long epochSeconds(TimePoint t) {
    return static_cast<long long>(chr::floor<chr::seconds>(t.time_since_epoch()).count());
}

TimePoint expiryOf(const CertificateStatus& status) {
    if (status.chainNotAfter != TimePoint{} && status.chainNotAfter < status.notAfter) {
        return status.chainNotAfter;
    }
    return status.notAfter;
}

chr::seconds secondsUntil(TimePoint until, TimePoint now) {
    return chr::floor<chr::seconds>(until - now);
}

chr::seconds timeLeft(const CertificateStatus& status, TimePoint now) {
    return secondsUntil(expiryOf(status), now);
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) {
            out += separator;
        }
        out += item;
    }
    return out;
}

std::string oneLine(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            c = ' ';
        }
    }
    return out;
}

} // namespace certkeep::report
