#include "cli/domain.hpp"

#include <algorithm>
#include <cctype>

namespace certkeep::cli {

namespace {

Unexpected badDomain(const std::string& input, const std::string& why) {
    std::string shown = input.size() > 80 ? input.substr(0, 80) + "..." : input;
    for (auto& c : shown) {
        if (std::iscntrl(static_cast<unsigned char>(c)) != 0) {
            c = '?';
        }
    }
    return fail(ErrorKind::Usage, "invalid domain \"" + shown + "\": " + why);
}

bool isLabelChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
}

bool looksLikeIp(const std::string& name) {
    // An IPv6 address, or digits and dots only (IPv4, and names with a numeric last label,
    // which resolvers may read as an address).
    std::string last = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
    bool numericTld = !last.empty() && std::all_of(last.begin(), last.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
    return numericTld || name.find(':') != std::string::npos ||
           std::all_of(name.begin(), name.end(), [](char c) {
               return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
           });
}

} // namespace

Result<std::string> normalizeDomain(const std::string& input) {
    std::string name = input;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!name.empty() && name.back() == '.') {
        name.pop_back();
    }
    if (name.empty()) {
        return badDomain(input, "it is empty");
    }
    if (name.size() > 253) {
        return badDomain(input, "longer than 253 characters");
    }
    if (name.find('/') != std::string::npos) {
        return badDomain(input, "give a bare DNS name, not a URL");
    }
    std::string rest = name;
    if (rest.rfind("*.", 0) == 0) {
        rest = rest.substr(2);
    }
    if (looksLikeIp(rest)) {
        return badDomain(input, "IP addresses are not supported; give a DNS name");
    }
    if (rest.find('.') == std::string::npos) {
        return badDomain(input, "a name needs at least two labels, like example.com");
    }
    std::size_t start = 0;
    while (start <= rest.size()) {
        std::size_t dot = rest.find('.', start);
        std::string label =
            rest.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (label.empty() || label.size() > 63) {
            return badDomain(input, "each label must have 1 to 63 characters");
        }
        if (!std::all_of(label.begin(), label.end(), isLabelChar)) {
            return badDomain(input, label == "*"
                                        ? "a wildcard is only allowed as \"*.\" at the start"
                                        : "only letters, digits, '-' and '.' are allowed");
        }
        if (label.front() == '-' || label.back() == '-') {
            return badDomain(input, "a label cannot start or end with '-'");
        }
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    return name;
}

Result<std::vector<std::string>> normalizeDomains(const std::vector<std::string>& inputs) {
    if (inputs.empty()) {
        return fail(ErrorKind::Usage, "no domain given: add -d DOMAIN (repeat it for more names)");
    }
    std::vector<std::string> out;
    for (const auto& input : inputs) {
        auto name = normalizeDomain(input);
        if (!name) {
            return name.takeError();
        }
        if (std::find(out.begin(), out.end(), *name) == out.end()) {
            out.push_back(std::move(*name));
        }
    }
    if (out.size() > 100) {
        return fail(ErrorKind::Usage, "too many domains: at most 100 names per certificate");
    }
    return out;
}

} // namespace certkeep::cli
