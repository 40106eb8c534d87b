#include "common/url.hpp"

namespace certkeep {

bool isHttpsUrl(const std::string& url) {
    constexpr std::string_view kScheme = "https://";
    if (url.size() <= kScheme.size() || url.size() > 2048 || url.rfind(kScheme, 0) != 0) {
        return false;
    }
    for (char c : url) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

std::string displayUrl(const std::string& url) {
    std::string out = url;
    auto scheme = out.find("://");
    if (scheme != std::string::npos) {
        auto hostStart = scheme + 3;
        auto hostEnd = out.find_first_of("/?#", hostStart);
        auto at = out.rfind('@', hostEnd == std::string::npos ? std::string::npos : hostEnd);
        if (at != std::string::npos && at >= hostStart) {
            out.erase(hostStart, at + 1 - hostStart);
        }
    }
    for (auto& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            c = '?';
        }
    }
    constexpr std::size_t kMax = 200;
    if (out.size() > kMax) {
        out = out.substr(0, kMax) + "...";
    }
    return out;
}

} // namespace certkeep
