#include "acme/transport.hpp"

#include <cctype>
#include <ctime>

namespace certkeep::acme {

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

std::vector<std::string> HttpResponse::headerValues(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [key, value] : headers) {
        if (key == name) {
            out.push_back(value);
        }
    }
    return out;
}

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

// True when the ";"-separated params of one link-value contain rel=<rel> (quoted or not).
bool hasRel(std::string_view params, const std::string& rel) {
    std::size_t pos = 0;
    while (pos < params.size()) {
        std::size_t end = params.find(';', pos);
        if (end == std::string_view::npos) {
            end = params.size();
        }
        std::string param = trim(params.substr(pos, end - pos));
        if (param.rfind("rel=", 0) == 0) {
            std::string value = param.substr(4);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            // rel may hold several space-separated relation types (RFC 8288 §3.3).
            std::size_t start = 0;
            while (start <= value.size()) {
                std::size_t sp = value.find(' ', start);
                if (value.substr(start, sp - start) == rel) {
                    return true;
                }
                if (sp == std::string::npos) {
                    break;
                }
                start = sp + 1;
            }
        }
        pos = end + 1;
    }
    return false;
}

} // namespace

// RFC 8288: Link: <url>; rel="alternate", <url2>; rel="up"
std::vector<std::string> linksWithRel(const HttpResponse& response, const std::string& rel) {
    std::vector<std::string> out;
    for (const auto& value : response.headerValues("link")) {
        std::size_t pos = 0;
        while (true) {
            std::size_t open = value.find('<', pos);
            if (open == std::string::npos) {
                break;
            }
            std::size_t close = value.find('>', open);
            if (close == std::string::npos) {
                break;
            }
            std::size_t next = value.find('<', close);
            std::string_view params(value.data() + close + 1,
                                    (next == std::string::npos ? value.size() : next) - close - 1);
            // Several links may share one field, separated by "," (RFC 8288 §3).
            while (!params.empty() &&
                   (params.back() == ',' || params.back() == ' ' || params.back() == '\t')) {
                params.remove_suffix(1);
            }
            if (hasRel(params, rel)) {
                out.push_back(value.substr(open + 1, close - open - 1));
            }
            pos = close + 1;
        }
    }
    return out;
}

// RFC 9110 §10.2.3: delta-seconds or an HTTP-date.
long retryAfterSeconds(const HttpResponse& response) {
    std::string value = trim(response.header("retry-after"));
    if (value.empty()) {
        return -1;
    }
    bool digits = true;
    for (char c : value) {
        digits = digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
    }
    if (digits) {
        return value.size() > 9 ? 999999999L : std::stol(value);
    }
    std::tm tm{};
    if (strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) {
        return -1;
    }
    std::time_t when = timegm(&tm);
    std::time_t now = std::time(nullptr);
    return when > now ? static_cast<long>(when - now) : 0;
}

} // namespace certkeep::acme
