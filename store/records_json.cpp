// (De)serialisation of the store's records with nlohmann/json; its exceptions stop here.
#include "store/records_json.hpp"

#include "common/rfc3339.hpp"
#include "store/key_access.hpp"

#include <nlohmann/json.hpp>

namespace certkeep::store {

using nlohmann::json;

namespace {

// Reads typed members of one JSON object, remembering the first problem.
class Reader {
  public:
    explicit Reader(const json& j) : j_(j) {}

    void text(const char* key, std::string& out) {
        if (const json* m = member(key, json::value_t::string, "a string")) {
            out = m->get<std::string>();
        }
    }
    void integer(const char* key, int& out) {
        const json* m = member(key, json::value_t::number_integer, "an integer");
        if (m != nullptr && m->is_number_integer()) {
            out = m->get<int>();
        }
    }
    void boolean(const char* key, bool& out) {
        if (const json* m = member(key, json::value_t::boolean, "true or false")) {
            out = m->get<bool>();
        }
    }
    // {"group": "haproxy", "mode": "0640"}: the mode as an octal string, as chmod takes it.
    void keyAccess(const char* key, KeyAccess& out) {
        const json* m = member(key, json::value_t::object, "an object {\"group\", \"mode\"}");
        if (m == nullptr) {
            return;
        }
        Reader inner(*m);
        std::string mode;
        inner.text("group", out.group);
        inner.text("mode", mode);
        auto parsed = mode.empty() ? std::optional<unsigned>(out.mode) : parseKeyMode(mode);
        if (!inner.error().empty() || !parsed) {
            problem(key, "an object {\"group\": a name, \"mode\": an octal string like \"0640\"}");
            return;
        }
        out.mode = *parsed;
    }
    void texts(const char* key, std::vector<std::string>& out) {
        if (const json* m = member(key, json::value_t::array, "an array of strings")) {
            out = stringArray(*m, key);
        }
    }
    void time(const char* key, std::optional<TimePoint>& out) {
        if (const json* m = member(key, json::value_t::string, "an RFC 3339 time or null")) {
            out = parseRfc3339(m->get<std::string>());
            if (!out) {
                problem(key, "an RFC 3339 time or null");
            }
        }
    }
    void time(const char* key, TimePoint& out) {
        std::optional<TimePoint> t;
        time(key, t);
        out = t.value_or(TimePoint{});
    }
    // The member `key` when it has `type` (null and missing: nullptr, no problem).
    const json* member(const char* key, json::value_t type, const char* what) {
        auto it = j_.find(key);
        if (it == j_.end() || it->is_null()) {
            return nullptr;
        }
        bool ok = it->type() == type || (type == json::value_t::number_integer &&
                                         it->type() == json::value_t::number_unsigned);
        if (!ok) {
            problem(key, what);
            return nullptr;
        }
        return &*it;
    }
    std::vector<std::string> stringArray(const json& a, const std::string& key) {
        std::vector<std::string> out;
        for (const auto& e : a) {
            if (!e.is_string()) {
                problem(key, "an array of strings");
                return {};
            }
            out.push_back(e.get<std::string>());
        }
        return out;
    }
    void problem(const std::string& key, const std::string& what) {
        if (error_.empty()) {
            error_ = "member \"" + key + "\" must be " + what;
        }
    }
    [[nodiscard]] const std::string& error() const { return error_; }

  private:
    const json& j_;
    std::string error_;
};

// Parses `text` as a JSON object and hands it to `read`; Config error on any problem.
template <typename T, typename F> Result<T> parseRecord(const std::string& text, F read) {
    try {
        json j = json::parse(text, nullptr, false);
        if (j.is_discarded()) {
            return fail(ErrorKind::Config, "not valid JSON");
        }
        if (!j.is_object()) {
            return fail(ErrorKind::Config, "not a JSON object");
        }
        T out{};
        Reader r(j);
        read(r, j, out);
        if (!r.error().empty()) {
            return fail(ErrorKind::Config, r.error());
        }
        return out;
    } catch (const json::exception& e) {
        return fail(ErrorKind::Config, e.what());
    }
}

// Indented text; strings that are not UTF-8 cannot be JSON and are refused.
Result<std::string> dumpRecord(const json& j) {
    try {
        return j.dump(2) + "\n";
    } catch (const json::exception& e) {
        return fail(ErrorKind::Usage, std::string("cannot store a record as JSON: ") + e.what());
    }
}

json timeJson(const std::optional<TimePoint>& t) {
    return t ? json(formatRfc3339(*t)) : json(nullptr);
}

// Drops the members that hold their default value (as `defaults`, the JSON of a
// default-constructed record, has them): the readers start from that record, so the file
// reads back the same, and a short file is quicker to read for `renew` over many names.
json withoutDefaults(json j, const json& defaults) {
    for (auto it = j.begin(); it != j.end();) {
        auto d = defaults.find(it.key());
        it = d != defaults.end() && *d == *it ? j.erase(it) : std::next(it);
    }
    return j;
}

json keyAccessJson(const KeyAccess& k) {
    return {{"group", k.group}, {"mode", formatKeyMode(k.mode)}};
}

} // namespace

// The staged rollover key (RFC 8555 §7.3.5) is written only when there is one.
Result<std::string> accountToJson(const AccountData& a) {
    json j{
        {"directory", a.directoryUrl}, {"url", a.url}, {"contact", a.contact}, {"key", a.keyPem}};
    if (!a.stagedKeyPem.empty()) {
        j["stagedKey"] = a.stagedKeyPem;
    }
    return dumpRecord(j);
}

Result<StoredAccount> accountFromJson(const std::string& text) {
    return parseRecord<StoredAccount>(text, [](Reader& r, const json& j, StoredAccount& out) {
        r.text("directory", out.account.directoryUrl);
        r.text("url", out.account.url);
        r.text("contact", out.account.contact);
        out.hasKey = j.contains("key");
        r.text("key", out.account.keyPem);
        r.text("stagedKey", out.account.stagedKeyPem);
    });
}

static json settingsJson(const CertSettings& s) {
    json hooks = json::object();
    for (const auto& [event, commands] : s.hooks) {
        hooks[event] = commands;
    }
    return json{{"identifiers", s.identifiers},
                {"keyType", s.keyType},
                {"challenge", s.challenge},
                {"httpListen", s.httpListen},
                {"webroot", s.webroot},
                {"tlsAlpnListen", s.tlsAlpnListen},
                {"dnsProvider", s.dns.provider},
                {"dnsServer", s.dns.server},
                {"tsigKeyFile", s.dns.tsigKeyFile},
                {"dnsExec", s.dns.exec},
                {"pdnsUrl", s.dns.pdnsUrl},
                {"pdnsApiKeyFile", s.dns.pdnsApiKeyFile},
                {"pdnsServerId", s.dns.pdnsServerId},
                {"dnsResolver", s.dns.resolver},
                {"dnsPropagation", s.dns.propagation},
                {"dnsTimeout", s.dns.timeout},
                {"server", s.server},
                {"caBundle", s.caBundle},
                {"preferredChain", s.preferredChain},
                {"profile", s.profile},
                {"hooks", hooks},
                {"renewBefore", s.renewBefore},
                {"reuseKey", s.reuseKey},
                {"keepVersions", s.keepVersions},
                {"keyAccess", keyAccessJson(s.keyAccess)},
                {"verify", s.verify},
                {"warn", s.warn},
                {"crit", s.crit},
                {"eabKid", s.eabKid},
                {"eabHmacKeyFile", s.eabHmacKeyFile},
                {"managed", s.managed}};
}

// Members at their default are left out (see withoutDefaults).
Result<std::string> settingsToJson(const CertSettings& s) {
    static const json defaults = settingsJson(CertSettings{});
    return dumpRecord(withoutDefaults(settingsJson(s), defaults));
}

// "hooks": {"deploy": [["/usr/bin/systemctl", "reload", "nginx"]], ...}
static void readHooks(Reader& r, CertSettings& out) {
    const json* hooks = r.member("hooks", json::value_t::object, "an object of argument lists");
    if (hooks == nullptr) {
        return;
    }
    for (const auto& [event, commands] : hooks->items()) {
        std::string key = "hooks." + event;
        if (!commands.is_array()) {
            r.problem(key, "an array of argument lists");
            return;
        }
        auto& lists = out.hooks[event]; // an event without commands is kept as such
        for (const auto& argv : commands) {
            if (!argv.is_array()) {
                r.problem(key, "an array of argument lists");
                return;
            }
            lists.push_back(r.stringArray(argv, key));
        }
    }
}

Result<CertSettings> settingsFromJson(const std::string& text) {
    return parseRecord<CertSettings>(text, [](Reader& r, const json&, CertSettings& out) {
        r.texts("identifiers", out.identifiers);
        r.text("keyType", out.keyType);
        r.text("challenge", out.challenge);
        r.text("httpListen", out.httpListen);
        r.text("webroot", out.webroot);
        r.text("tlsAlpnListen", out.tlsAlpnListen);
        r.text("dnsProvider", out.dns.provider);
        r.text("dnsServer", out.dns.server);
        r.text("tsigKeyFile", out.dns.tsigKeyFile);
        r.text("dnsExec", out.dns.exec);
        r.text("pdnsUrl", out.dns.pdnsUrl);
        r.text("pdnsApiKeyFile", out.dns.pdnsApiKeyFile);
        r.text("pdnsServerId", out.dns.pdnsServerId);
        r.text("dnsResolver", out.dns.resolver);
        r.text("dnsPropagation", out.dns.propagation);
        r.text("dnsTimeout", out.dns.timeout);
        r.text("server", out.server);
        r.text("caBundle", out.caBundle);
        r.text("preferredChain", out.preferredChain);
        r.text("profile", out.profile);
        readHooks(r, out);
        r.text("renewBefore", out.renewBefore);
        r.boolean("reuseKey", out.reuseKey);
        r.integer("keepVersions", out.keepVersions);
        r.keyAccess("keyAccess", out.keyAccess);
        r.text("verify", out.verify);
        r.text("warn", out.warn);
        r.text("crit", out.crit);
        r.text("eabKid", out.eabKid);
        r.text("eabHmacKeyFile", out.eabHmacKeyFile);
        r.boolean("managed", out.managed);
    });
}

static json renewalJson(const RenewalState& s) {
    return json{{"lastAttempt", timeJson(s.lastAttempt)},
                {"lastResult", s.lastResult},
                {"lastSuccess", timeJson(s.lastSuccess)},
                {"consecutiveFailures", s.consecutiveFailures},
                {"nextAttempt", timeJson(s.nextAttempt)},
                {"ariWindowStart", timeJson(s.ariWindowStart)},
                {"ariWindowEnd", timeJson(s.ariWindowEnd)},
                {"ariRetryAfter", timeJson(s.ariRetryAfter)},
                {"lastError", s.lastError},
                {"lastErrorKind", s.lastErrorKind},
                {"ariCertId", s.ariCertId},
                {"ariChosen", timeJson(s.ariChosen)},
                {"deployPending", s.deployPending},
                {"deployError", s.deployError},
                {"deployedVersion", s.deployedVersion},
                {"revokedAt", timeJson(s.revokedAt)},
                {"revokedVersion", s.revokedVersion},
                {"revokedReason", s.revokedReason},
                {"lastAlert", timeJson(s.lastAlert)}};
}

// Members at their default are left out (see withoutDefaults).
Result<std::string> renewalToJson(const RenewalState& s) {
    static const json defaults = renewalJson(RenewalState{});
    return dumpRecord(withoutDefaults(renewalJson(s), defaults));
}

Result<RenewalState> renewalFromJson(const std::string& text) {
    return parseRecord<RenewalState>(text, [](Reader& r, const json&, RenewalState& out) {
        r.time("lastAttempt", out.lastAttempt);
        r.text("lastResult", out.lastResult);
        r.time("lastSuccess", out.lastSuccess);
        r.integer("consecutiveFailures", out.consecutiveFailures);
        r.time("nextAttempt", out.nextAttempt);
        r.time("ariWindowStart", out.ariWindowStart);
        r.time("ariWindowEnd", out.ariWindowEnd);
        r.time("ariRetryAfter", out.ariRetryAfter);
        r.text("lastError", out.lastError);
        r.text("lastErrorKind", out.lastErrorKind);
        r.text("ariCertId", out.ariCertId);
        r.time("ariChosen", out.ariChosen);
        r.boolean("deployPending", out.deployPending);
        r.text("deployError", out.deployError);
        r.integer("deployedVersion", out.deployedVersion);
        r.time("revokedAt", out.revokedAt);
        r.integer("revokedVersion", out.revokedVersion);
        r.text("revokedReason", out.revokedReason);
        r.time("lastAlert", out.lastAlert);
    });
}

Result<std::string> pendingToJson(const PendingOrder& o) {
    json published = json::array();
    for (const auto& p : o.published) {
        published.push_back({{"kind", p.kind}, {"location", p.location}, {"token", p.token}});
    }
    return dumpRecord({{"server", o.server},
                       {"accountUrl", o.accountUrl},
                       {"orderUrl", o.orderUrl},
                       {"identifiers", o.identifiers},
                       {"key", o.keyPem},
                       {"published", published},
                       {"created", formatRfc3339(o.created)}});
}

// "published": [{"kind","location","token"}, ...]
static void readPublished(Reader& r, PendingOrder& out) {
    const json* list = r.member("published", json::value_t::array, "an array of objects");
    for (size_t i = 0; list != nullptr && i < list->size(); ++i) {
        const json& e = (*list)[i];
        if (!e.is_object()) {
            r.problem("published", "an array of objects");
            return;
        }
        Reader item(e);
        PublishedToken t;
        item.text("kind", t.kind);
        item.text("location", t.location);
        item.text("token", t.token);
        if (!item.error().empty()) {
            r.problem("published", "an array of objects: " + item.error());
            return;
        }
        out.published.push_back(std::move(t));
    }
}

Result<PendingOrder> pendingFromJson(const std::string& text) {
    return parseRecord<PendingOrder>(text, [](Reader& r, const json&, PendingOrder& out) {
        r.text("server", out.server);
        r.text("accountUrl", out.accountUrl);
        r.text("orderUrl", out.orderUrl);
        r.texts("identifiers", out.identifiers);
        r.text("key", out.keyPem);
        readPublished(r, out);
        r.time("created", out.created);
    });
}

} // namespace certkeep::store
