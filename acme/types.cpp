#include "acme/types.hpp"

#include "acme/problem.hpp"
#include "common/url.hpp"

namespace certkeep::acme {

namespace {

using nlohmann::json;

Unexpected bad(const std::string& what, const std::string& url, const std::string& why) {
    return fail(ErrorKind::Protocol,
                "the server sent an invalid " + what + " from " + displayUrl(url) + ": " + why);
}

// Server text fit for a message: printable and short.
std::string printable(const std::string& text) {
    constexpr std::size_t kMax = 80;
    std::string out = text.substr(0, kMax);
    for (auto& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            c = '?';
        }
    }
    return out;
}

// Reads an optional string member; false when present with another type.
bool optString(const json& doc, const char* key, std::string& out) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) {
        return true;
    }
    if (!it->is_string()) {
        return false;
    }
    out = it->get<std::string>();
    return true;
}

// Reads an optional array of strings; false when present with another type or holding a
// non-string.
bool optStrings(const json& doc, const char* key, std::vector<std::string>& out) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) {
        return true;
    }
    if (!it->is_array()) {
        return false;
    }
    for (const auto& item : *it) {
        if (!item.is_string()) {
            return false;
        }
        out.push_back(item.get<std::string>());
    }
    return true;
}

Result<json> parseObject(const std::string& body, const std::string& what, const std::string& url) {
    json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return bad(what, url, "not a JSON object");
    }
    return doc;
}

bool parseIdentifier(const json& doc, Identifier& out) {
    if (!doc.is_object()) {
        return false;
    }
    return optString(doc, "type", out.type) && optString(doc, "value", out.value) &&
           !out.value.empty();
}

} // namespace

Status requireHttps(const std::string& field, const std::string& url) {
    if (isHttpsUrl(url)) {
        return {};
    }
    return fail(ErrorKind::Protocol, field + " is not https: " +
                                         (url.empty() ? std::string("(empty)") : displayUrl(url)) +
                                         "; certkeep only talks https to a CA");
}

namespace {

// meta.profiles (draft-ietf-acme-profiles): name -> description; non-string values ignored.
std::map<std::string, std::string> parseProfiles(const json& meta) {
    std::map<std::string, std::string> out;
    auto profiles = meta.find("profiles");
    if (profiles == meta.end() || !profiles->is_object()) {
        return out;
    }
    for (const auto& [name, description] : profiles->items()) {
        if (description.is_string() && !name.empty()) {
            out[name] = description.get<std::string>();
        }
    }
    return out;
}

// §7.1.1: the three required resources, and the optional ones when present, must be https.
Status checkDirectoryUrls(const Directory& d) {
    const std::pair<const char*, const std::string*> required[] = {
        {"newNonce", &d.newNonce}, {"newAccount", &d.newAccount}, {"newOrder", &d.newOrder}};
    for (const auto& [name, value] : required) {
        if (value->empty()) {
            return bad("directory", d.url,
                       std::string("it has no ") + name +
                           " URL; is --server an ACME directory URL?");
        }
        if (auto st = requireHttps(std::string("the directory's ") + name + " URL", *value); !st) {
            return st;
        }
    }
    const std::pair<const char*, const std::string*> optional[] = {{"revokeCert", &d.revokeCert},
                                                                   {"keyChange", &d.keyChange},
                                                                   {"renewalInfo", &d.renewalInfo}};
    for (const auto& [name, value] : optional) {
        if (!value->empty()) {
            if (auto st = requireHttps(std::string("the directory's ") + name + " URL", *value);
                !st) {
                return st;
            }
        }
    }
    return {};
}

} // namespace

Result<Directory> parseDirectory(const std::string& body, const std::string& url) {
    auto doc = parseObject(body, "directory", url);
    if (!doc) {
        return doc.takeError();
    }
    Directory d;
    d.url = url;
    const std::pair<const char*, std::string*> members[] = {
        {"newNonce", &d.newNonce},   {"newAccount", &d.newAccount},
        {"newOrder", &d.newOrder},   {"revokeCert", &d.revokeCert},
        {"keyChange", &d.keyChange}, {"renewalInfo", &d.renewalInfo}};
    for (const auto& [name, out] : members) {
        if (!optString(*doc, name, *out)) {
            return bad("directory", url, std::string("its ") + name + " URL is not a string");
        }
    }
    if (auto st = checkDirectoryUrls(d); !st) {
        return st.takeError();
    }
    auto meta = doc->find("meta");
    if (meta != doc->end() && meta->is_object()) {
        optString(*meta, "termsOfService", d.termsOfService);
        auto ear = meta->find("externalAccountRequired");
        d.externalAccountRequired = ear != meta->end() && ear->is_boolean() && ear->get<bool>();
        d.profiles = parseProfiles(*meta);
        // Optional and only informative: a malformed list is ignored, not fatal.
        if (!optStrings(*meta, "caaIdentities", d.caaIdentities)) {
            d.caaIdentities.clear();
        }
    }
    return d;
}

Result<Challenge> parseChallenge(const json& doc) {
    Challenge c;
    if (!doc.is_object() || !optString(doc, "type", c.type) || !optString(doc, "url", c.url) ||
        !optString(doc, "status", c.status) || !optString(doc, "token", c.token) ||
        !optString(doc, "accounturi", c.accountUri) ||
        !optStrings(doc, "issuer-domain-names", c.issuerDomainNames)) {
        return fail(ErrorKind::Protocol, "the server sent an invalid challenge object");
    }
    auto err = doc.find("error");
    if (err != doc.end()) {
        c.error = parseProblemJson(*err);
    }
    return c;
}

Result<Authorization> parseAuthorization(const std::string& body, const std::string& url) {
    auto doc = parseObject(body, "authorization", url);
    if (!doc) {
        return doc.takeError();
    }
    Authorization a;
    a.url = url;
    auto id = doc->find("identifier");
    if (id == doc->end() || !parseIdentifier(*id, a.identifier) ||
        !optString(*doc, "status", a.status) || a.status.empty()) {
        return bad("authorization", url, "identifier or status missing");
    }
    auto wc = doc->find("wildcard");
    a.wildcard = wc != doc->end() && wc->is_boolean() && wc->get<bool>();
    auto chals = doc->find("challenges");
    if (chals == doc->end() || !chals->is_array()) {
        return bad("authorization", url, "challenges missing");
    }
    for (const auto& item : *chals) {
        auto c = parseChallenge(item);
        if (!c) {
            return bad("authorization", url, "a challenge is malformed");
        }
        // Every challenge URL is checked, not only the types we answer: simpler to reason about.
        if (auto st = requireHttps("the " + printable(c->type) + " challenge URL of " +
                                       printable(a.identifier.value),
                                   c->url);
            !st) {
            return st.takeError();
        }
        a.challenges.push_back(std::move(*c));
    }
    return a;
}

namespace {

// §7.1.3: finalize is required; certificate only once the order is valid.
Status checkOrderUrls(const Order& o) {
    if (auto st = requireHttps("the order's finalize URL", o.finalize); !st) {
        return st;
    }
    if (!o.certificate.empty()) {
        return requireHttps("the order's certificate URL", o.certificate);
    }
    return {};
}

} // namespace

Result<Order> parseOrder(const std::string& body, const std::string& url) {
    auto doc = parseObject(body, "order", url);
    if (!doc) {
        return doc.takeError();
    }
    Order o;
    o.url = url;
    if (!optString(*doc, "status", o.status) || o.status.empty() ||
        !optString(*doc, "finalize", o.finalize) ||
        !optString(*doc, "certificate", o.certificate)) {
        return bad("order", url, "status, finalize or certificate has the wrong type");
    }
    auto ids = doc->find("identifiers");
    if (ids != doc->end() && ids->is_array()) {
        for (const auto& item : *ids) {
            Identifier id;
            if (!parseIdentifier(item, id)) {
                return bad("order", url, "an identifier is malformed");
            }
            o.identifiers.push_back(std::move(id));
        }
    }
    auto authz = doc->find("authorizations");
    if (authz != doc->end() && authz->is_array()) {
        for (const auto& item : *authz) {
            if (!item.is_string()) {
                return bad("order", url, "an authorization URL is not a string");
            }
            if (auto st =
                    requireHttps("an authorization URL of the order", item.get<std::string>());
                !st) {
                return st.takeError();
            }
            o.authorizations.push_back(item.get<std::string>());
        }
    }
    if (auto st = checkOrderUrls(o); !st) {
        return st.takeError();
    }
    auto err = doc->find("error");
    if (err != doc->end()) {
        o.error = parseProblemJson(*err);
    }
    return o;
}

Result<Account> parseAccount(const std::string& body, const std::string& url) {
    auto doc = parseObject(body, "account", url);
    if (!doc) {
        return doc.takeError();
    }
    Account a;
    a.url = url;
    if (!optString(*doc, "status", a.status) || !optString(*doc, "orders", a.orders)) {
        return bad("account", url, "status or orders has the wrong type");
    }
    auto contact = doc->find("contact");
    if (contact != doc->end() && contact->is_array()) {
        for (const auto& item : *contact) {
            if (item.is_string()) {
                a.contact.push_back(item.get<std::string>());
            }
        }
    }
    return a;
}

} // namespace certkeep::acme
