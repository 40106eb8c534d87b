// ACME Renewal Information (RFC 9773): parsing the RenewalInfo object and fetching it.
#include "acme/renewal_info.hpp"

#include "acme/client.hpp"
#include "acme/problem.hpp"
#include "common/base64url.hpp"
#include "common/rfc3339.hpp"
#include "common/url.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace certkeep::acme {

namespace chr = std::chrono;

namespace {

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
    return parseRfc3339(it->get<std::string>());
}

} // namespace

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
    auto response = exchange(Endpoint::RenewalInfo, {"GET", url, "", "", "application/json"});
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
