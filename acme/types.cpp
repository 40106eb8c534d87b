#include "acme/types.hpp"

#include "acme/problem.hpp"

namespace certkeep::acme {

namespace {

using nlohmann::json;

Unexpected bad(const std::string& what, const std::string& url, const std::string& why) {
    return fail(ErrorKind::Protocol,
                "the server sent an invalid " + what + " from " + url + ": " + why);
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

bool isPlausibleUrl(const std::string& url) {
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
        return false;
    }
    if (url.size() > 2048) {
        return false;
    }
    for (char c : url) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

Result<Directory> parseDirectory(const std::string& body, const std::string& url) {
    auto doc = parseObject(body, "directory", url);
    if (!doc) {
        return doc.takeError();
    }
    Directory d;
    d.url = url;
    if (!optString(*doc, "newNonce", d.newNonce) || !optString(*doc, "newAccount", d.newAccount) ||
        !optString(*doc, "newOrder", d.newOrder) || !optString(*doc, "revokeCert", d.revokeCert) ||
        !optString(*doc, "keyChange", d.keyChange) ||
        !optString(*doc, "renewalInfo", d.renewalInfo)) {
        return bad("directory", url, "a resource URL is not a string");
    }
    for (const auto* u : {&d.newNonce, &d.newAccount, &d.newOrder}) {
        if (!isPlausibleUrl(*u)) {
            return bad("directory", url,
                       "newNonce, newAccount and newOrder must be http(s) URLs; is --server an "
                       "ACME directory URL?");
        }
    }
    auto meta = doc->find("meta");
    if (meta != doc->end() && meta->is_object()) {
        optString(*meta, "termsOfService", d.termsOfService);
        auto ear = meta->find("externalAccountRequired");
        d.externalAccountRequired = ear != meta->end() && ear->is_boolean() && ear->get<bool>();
    }
    return d;
}

Result<Challenge> parseChallenge(const json& doc) {
    Challenge c;
    if (!doc.is_object() || !optString(doc, "type", c.type) || !optString(doc, "url", c.url) ||
        !optString(doc, "status", c.status) || !optString(doc, "token", c.token)) {
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
        a.challenges.push_back(std::move(*c));
    }
    return a;
}

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
            if (!item.is_string() || !isPlausibleUrl(item.get<std::string>())) {
                return bad("order", url, "an authorization URL is malformed");
            }
            o.authorizations.push_back(item.get<std::string>());
        }
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
