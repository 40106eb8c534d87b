#pragma once
// Test helper: builders for the ACME resources a FakeAcmeServer serves (RFC 8555 §7.1).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace certkeep::fakes {

// A token that passes challenges::isValidToken (base64url, >= 22 characters).
inline std::string tokenFor(const std::string& seed) {
    std::string token = "tok_" + seed;
    for (auto& c : token) {
        if (c == '.') {
            c = '-';
        }
    }
    while (token.size() < 43) {
        token += 'A';
    }
    return token;
}

inline nlohmann::json identifiersJson(const std::vector<std::string>& domains) {
    nlohmann::json ids = nlohmann::json::array();
    for (const auto& d : domains) {
        ids.push_back({{"type", "dns"}, {"value", d}});
    }
    return ids;
}

// §7.1.3 order.
inline nlohmann::json orderJson(const std::string& status, const std::vector<std::string>& domains,
                                const std::vector<std::string>& authzUrls,
                                const std::string& finalizeUrl,
                                const std::string& certificateUrl = "") {
    nlohmann::json doc{{"status", status},
                       {"identifiers", identifiersJson(domains)},
                       {"authorizations", authzUrls},
                       {"finalize", finalizeUrl}};
    if (!certificateUrl.empty()) {
        doc["certificate"] = certificateUrl;
    }
    return doc;
}

// §7.1.5 challenge.
inline nlohmann::json challengeJson(const std::string& type, const std::string& url,
                                    const std::string& token, const std::string& status) {
    return {{"type", type}, {"url", url}, {"token", token}, {"status", status}};
}

// §7.1.4 authorization. Pass challenges as nlohmann::json::array({...}): a one-element
// brace list would be copied as an object, not wrapped in an array.
inline nlohmann::json authzJson(const std::string& domain, const std::string& status,
                                const nlohmann::json& challenges) {
    return {{"identifier", {{"type", "dns"}, {"value", domain}}},
            {"status", status},
            {"challenges", challenges}};
}

} // namespace certkeep::fakes
