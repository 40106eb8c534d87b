// ACME Renewal Information (RFC 9773): parsing the RenewalInfo object and fetching it.
#include "acme/renewal_info.hpp"

#include "acme/client.hpp"
#include "acme/problem.hpp"
#include "common/base64url.hpp"
#include "common/url.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace certkeep::acme {

namespace chr = std::chrono;

namespace {

// Reads exactly `n` digits at `pos`; false when they are not all digits.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) {
        return false;
    }
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

// Optional ".ddd" at `pos` as nanoseconds (digits beyond nanoseconds ignored); advances pos.
bool fraction(std::string_view s, std::size_t& pos, chr::nanoseconds& out) {
    out = chr::nanoseconds(0);
    if (pos >= s.size() || s[pos] != '.') {
        return true;
    }
    std::size_t start = ++pos;
    long scale = 100000000;
    for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) {
        out += chr::nanoseconds((s[pos] - '0') * scale);
        scale /= 10;
    }
    return pos > start;
}

// "Z" or "+HH:MM"/"-HH:MM" ending the text at `pos`: the offset east of UTC.
bool utcOffset(std::string_view s, std::size_t pos, chr::minutes& out) {
    if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        out = chr::minutes(0);
        return true;
    }
    int h = 0;
    int m = 0;
    if (pos + 6 != s.size() || (s[pos] != '+' && s[pos] != '-') || s[pos + 3] != ':' ||
        !digits(s, pos + 1, 2, h) || !digits(s, pos + 4, 2, m) || h > 23 || m > 59) {
        return false;
    }
    out = chr::minutes(h * 60 + m) * (s[pos] == '-' ? -1 : 1);
    return true;
}

// Printable http(s) URL of bounded length, or "" (server text is untrusted).
std::string cleanUrl(const std::string& url) {
    constexpr std::size_t kMax = 512;
    bool printable = std::all_of(url.begin(), url.end(), [](char c) {
        return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
    });
    bool web = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
    return printable && web && url.size() <= kMax ? url : std::string();
}

Unexpected invalid(const std::string& url, const std::string& why) {
    return fail(ErrorKind::Protocol, "the CA sent invalid renewal information (RFC 9773) from " +
                                         displayUrl(url) + ": " + why);
}

// suggestedWindow.start or .end as a time; nullopt when missing or not RFC 3339.
std::optional<TimePoint> windowTime(const nlohmann::json& window, const char* key) {
    auto it = window.find(key);
    if (it == window.end() || !it->is_string()) {
        return std::nullopt;
    }
    return parseRfc3339Time(it->get<std::string>());
}

} // namespace

std::optional<TimePoint> parseRfc3339Time(std::string_view s) {
    int y = 0;
    int mo = 0;
    int d = 0;
    int h = 0;
    int mi = 0;
    int sec = 0;
    bool shape = s.size() > 19 && digits(s, 0, 4, y) && s[4] == '-' && digits(s, 5, 2, mo) &&
                 s[7] == '-' && digits(s, 8, 2, d) && (s[10] == 'T' || s[10] == 't') &&
                 digits(s, 11, 2, h) && s[13] == ':' && digits(s, 14, 2, mi) && s[16] == ':' &&
                 digits(s, 17, 2, sec);
    chr::year_month_day ymd{chr::year{y}, chr::month{unsigned(mo)}, chr::day{unsigned(d)}};
    // Years outside 1900-2200 are refused: system_clock's nanoseconds overflow near 2262.
    if (!shape || !ymd.ok() || y < 1900 || y > 2200 || h > 23 || mi > 59 || sec > 60) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    chr::nanoseconds frac{};
    chr::minutes east{};
    if (!fraction(s, pos, frac) || !utcOffset(s, pos, east)) {
        return std::nullopt;
    }
    auto t =
        chr::sys_days{ymd} + chr::hours(h) + chr::minutes(mi) + chr::seconds(sec) + frac - east;
    return chr::time_point_cast<TimePoint::duration>(t);
}

bool isAriCertId(std::string_view certId) {
    std::size_t dot = certId.find('.');
    return dot != std::string_view::npos && certId.find('.', dot + 1) == std::string_view::npos &&
           isBase64url(certId.substr(0, dot)) && isBase64url(certId.substr(dot + 1));
}

// §4.2: suggestedWindow {start, end} is required, end after start; explanationURL optional.
Result<RenewalInfo> parseRenewalInfo(const std::string& body, long retryAfterSeconds,
                                     const std::string& url) {
    if (body.size() > kMaxRenewalInfoBytes) {
        return invalid(url, "the response is larger than " +
                                std::to_string(kMaxRenewalInfoBytes / 1024) + " KiB");
    }
    auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return invalid(url, "not a JSON object");
    }
    auto window = doc.find("suggestedWindow");
    if (window == doc.end() || !window->is_object()) {
        return invalid(url, "it has no suggestedWindow");
    }
    auto start = windowTime(*window, "start");
    auto end = windowTime(*window, "end");
    if (!start || !end) {
        return invalid(url, "suggestedWindow.start or .end is not an RFC 3339 time");
    }
    if (*end <= *start) {
        return invalid(url, "the suggested window ends before it starts");
    }
    RenewalInfo info{*start, *end, {}, std::nullopt};
    auto explanation = doc.find("explanationURL");
    if (explanation != doc.end() && explanation->is_string()) {
        info.explanationUrl = cleanUrl(explanation->get<std::string>());
    }
    if (retryAfterSeconds >= 0) {
        info.retryAfter =
            std::clamp(chr::seconds(retryAfterSeconds), kMinRetryAfter, kMaxRetryAfter);
    }
    return info;
}

// RFC 9773 §4.1: an unauthenticated GET of renewalInfo + "/" + certID.
Result<RenewalInfo> Client::fetchRenewalInfo(const std::string& certId) {
    if (directory_.renewalInfo.empty()) {
        return fail(ErrorKind::NotFound, "the CA at " + displayUrl(directory_.url) +
                                             " offers no renewal information (RFC 9773)");
    }
    if (!isAriCertId(certId)) {
        return fail(ErrorKind::Internal,
                    "not an ARI certificate ID: \"" + certId.substr(0, 80) + "\"");
    }
    std::string url = directory_.renewalInfo + "/" + certId;
    if (auto st = requireHttps("the renewal information URL", url); !st) {
        return st.takeError();
    }
    log("GET " + displayUrl(url));
    auto response = transport_.send({"GET", url, "", "", "application/json"});
    if (!response) {
        return response.takeError();
    }
    log("  -> HTTP " + std::to_string(response->status));
    if (response->status != 200) {
        return fail(errorFromResponse(*response, url, "fetching the renewal information"));
    }
    return parseRenewalInfo(response->body, retryAfterSeconds(*response), url);
}

} // namespace certkeep::acme
