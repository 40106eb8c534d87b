#include "challenges/dns01/pdns_rrset.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace certkeep::challenges::dns01 {

namespace {

using nlohmann::json;

constexpr std::size_t maxErrorChars = 300;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// One RRset object of the zone document; Protocol error when its fields have the wrong types.
Result<PdnsTxtRrset> readRrset(const json& rrset) {
    PdnsTxtRrset out;
    const auto ttl = rrset.find("ttl");
    if (ttl != rrset.end()) {
        if (!ttl->is_number_unsigned() || ttl->get<uint64_t>() > 0x7fffffff) {
            return fail(ErrorKind::Protocol, "its TXT RRset has an invalid ttl");
        }
        out.ttl = ttl->get<uint32_t>();
    }
    const auto records = rrset.find("records");
    if (records == rrset.end() || !records->is_array()) {
        return fail(ErrorKind::Protocol, "its TXT RRset has no records array");
    }
    for (const auto& r : *records) {
        const auto content = r.is_object() ? r.find("content") : r.end();
        if (!r.is_object() || content == r.end() || !content->is_string()) {
            return fail(ErrorKind::Protocol, "a record of its TXT RRset has no content");
        }
        PdnsRecord record{content->get<std::string>(), false};
        const auto disabled = r.find("disabled");
        record.disabled = disabled != r.end() && disabled->is_boolean() && disabled->get<bool>();
        out.records.push_back(std::move(record));
    }
    return out;
}

json recordsJson(const std::vector<PdnsRecord>& records) {
    json out = json::array();
    for (const auto& r : records) {
        out.push_back({{"content", r.content}, {"disabled", r.disabled}});
    }
    return out;
}

} // namespace

std::string pdnsName(const std::string& fqdn) {
    std::string name = lower(fqdn);
    if (name.empty() || name.back() != '.') {
        name.push_back('.');
    }
    return name;
}

Result<std::optional<PdnsTxtRrset>> findTxtRrset(const std::string& zoneJson,
                                                 const std::string& name) {
    json doc = json::parse(zoneJson, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return fail(ErrorKind::Protocol, "the zone document is not a JSON object");
    }
    const auto rrsets = doc.find("rrsets");
    if (rrsets == doc.end() || !rrsets->is_array()) {
        return fail(ErrorKind::Protocol, "the zone document has no rrsets array");
    }
    for (const auto& rrset : *rrsets) {
        if (!rrset.is_object()) {
            return fail(ErrorKind::Protocol, "the zone document has an rrset that is no object");
        }
        const auto n = rrset.find("name");
        const auto t = rrset.find("type");
        if (n == rrset.end() || t == rrset.end() || !n->is_string() || !t->is_string()) {
            return fail(ErrorKind::Protocol, "the zone document has an rrset without name/type");
        }
        if (t->get<std::string>() == "TXT" && pdnsName(n->get<std::string>()) == name) {
            auto found = readRrset(rrset);
            if (!found) {
                return found.takeError();
            }
            return std::optional<PdnsTxtRrset>(std::move(*found));
        }
    }
    return std::optional<PdnsTxtRrset>();
}

std::string quoteTxt(const std::string& value) {
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    return out + "\"";
}

std::string unquoteTxt(const std::string& content) {
    std::string out;
    bool quoted = false;
    for (std::size_t i = 0; i < content.size(); ++i) {
        char c = content[i];
        if (c == '"') {
            quoted = !quoted;
        } else if (c == '\\' && i + 3 < content.size() && isDigit(content[i + 1]) &&
                   isDigit(content[i + 2]) && isDigit(content[i + 3])) {
            int code =
                (content[i + 1] - '0') * 100 + (content[i + 2] - '0') * 10 + (content[i + 3] - '0');
            out.push_back(static_cast<char>(code & 0xff));
            i += 3;
        } else if (c == '\\' && i + 1 < content.size()) {
            out.push_back(content[++i]);
        } else if (quoted || std::isspace(static_cast<unsigned char>(c)) == 0) {
            out.push_back(c); // unquoted text keeps its characters; spaces separate strings
        }
    }
    return out;
}

std::optional<std::string> txtPatchBody(const std::optional<PdnsTxtRrset>& current,
                                        const std::string& name, const std::string& value, bool add,
                                        uint32_t ttl) {
    std::vector<PdnsRecord> records = current ? current->records : std::vector<PdnsRecord>{};
    auto ours = [&value](const PdnsRecord& r) { return unquoteTxt(r.content) == value; };
    bool present = std::any_of(records.begin(), records.end(), ours);
    if (add == present) {
        return std::nullopt; // already there, or already gone
    }
    if (add) {
        records.push_back({quoteTxt(value), false});
    } else {
        records.erase(std::remove_if(records.begin(), records.end(), ours), records.end());
    }
    json rrset = {{"name", name}, {"type", "TXT"}};
    if (records.empty()) {
        rrset["changetype"] = "DELETE";
    } else {
        rrset["changetype"] = "REPLACE";
        rrset["ttl"] = current && current->ttl > 0 ? current->ttl : ttl;
        rrset["records"] = recordsJson(records);
    }
    // replace: a value that is not UTF-8 must not throw (it cannot be a valid ACME value)
    return json{{"rrsets", json::array({rrset})}}.dump(-1, ' ', false,
                                                       json::error_handler_t::replace);
}

std::string pdnsErrorText(const std::string& body) {
    json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return "";
    }
    const auto error = doc.find("error");
    if (error == doc.end() || !error->is_string()) {
        return "";
    }
    std::string out;
    for (char c : error->get<std::string>()) {
        out.push_back(std::iscntrl(static_cast<unsigned char>(c)) != 0 ? ' ' : c);
    }
    if (out.size() > maxErrorChars) {
        out = out.substr(0, maxErrorChars) + "...";
    }
    return out;
}

} // namespace certkeep::challenges::dns01
