#include "cli/domain.hpp"

#include "common/ip.hpp"

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

// A last label of digits only: resolvers may read the name as an address (RFC 3696 §2).
bool hasNumericTld(const std::string& name) {
    std::string last = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
    return !last.empty() && std::all_of(last.begin(), last.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
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
    if (name.find(':') != std::string::npos || !canonicalIp(rest).empty()) {
        return badDomain(input, "an IP address is not a DNS name");
    }
    if (hasNumericTld(rest)) {
        return badDomain(input, "the top-level label is numeric");
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

Result<acme::Identifier> parseIdentifier(const std::string& input) {
    if (std::string ip = canonicalIp(input); !ip.empty()) {
        return acme::Identifier{"ip", ip};
    }
    auto name = normalizeDomain(input);
    if (!name) {
        return name.takeError();
    }
    return acme::Identifier{"dns", *name};
}

Result<std::vector<acme::Identifier>> parseIdentifiers(const std::vector<std::string>& inputs) {
    if (inputs.empty()) {
        return fail(ErrorKind::Usage, "no domain given: add -d DOMAIN (repeat it for more names)");
    }
    std::vector<acme::Identifier> out;
    for (const auto& input : inputs) {
        auto id = parseIdentifier(input);
        if (!id) {
            return id.takeError();
        }
        if (std::find(out.begin(), out.end(), *id) == out.end()) {
            out.push_back(std::move(*id));
        }
    }
    if (out.size() > 100) {
        return fail(ErrorKind::Usage, "too many domains: at most 100 names per certificate");
    }
    return out;
}

} // namespace certkeep::cli
