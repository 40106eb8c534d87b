// The top level and the [[certificate]] tables: every key checked where it stands.
#include "cli/config/reader.hpp"

#include "cli/config/suggest.hpp"
#include "cli/config/value_checks.hpp"

#include <algorithm>
#include <climits>
#include <tuple>

namespace certkeep::cli::config {

namespace {

// A string option of the top level (as a default) and of [[certificate]].
struct StringSetting {
    const char* key;
    std::optional<std::string> Settings::*member;
    Check check;         // nullptr: any non-empty string
    const char* example; // for type messages
};

const std::vector<StringSetting>& stringSettings() {
    static const std::vector<StringSetting> keys{
        {"server", &Settings::server, checkServer, "\"letsencrypt\""},
        {"ca-bundle", &Settings::caBundle, checkCaBundleFile, "\"/etc/certkeep/ca.pem\""},
        {"eab-kid", &Settings::eabKid, nullptr, "\"kid-1\""},
        {"eab-hmac-key-file", &Settings::eabHmacKeyFile, checkSecretFile,
         "\"/etc/certkeep/eab.key\""},
        {"key-type", &Settings::keyType, checkKeyType, "\"ec-p256\""},
        {"http-listen", &Settings::httpListen, checkHttpListen, "\":80\""},
        {"webroot", &Settings::webroot, checkWebroot, "\"/var/www/html\""},
        {"preferred-chain", &Settings::preferredChain, nullptr, "\"ISRG Root X1\""},
        {"profile", &Settings::profile, nullptr, "\"tlsserver\""},
        {"verify", &Settings::verify, checkVerify, "\"www.example.com:443\""},
        {"renew-before", &Settings::renewBefore, checkRenewBefore, "\"1/3\" or \"30d\""},
        {"warn", &Settings::warn, checkThreshold, "\"14d\" or \"20%\""},
        {"crit", &Settings::crit, checkThreshold, "\"3d\" or \"5%\""},
        {"key-group", &Settings::keyGroup, checkKeyGroup, "\"haproxy\""},
        {"key-mode", &Settings::keyMode, checkKeyMode, "\"0640\""},
        {"tls-alpn-listen", &Settings::tlsAlpnListen, checkTlsAlpnListen, "\":443\""},
        {"dns", &Settings::dns, checkDnsProvider, "\"rfc2136\""},
        {"dns-server", &Settings::dnsServer, checkDnsServer, "\"192.0.2.53:53\""},
        {"tsig-key-file", &Settings::tsigKeyFile, checkTsigKeyFile, "\"/etc/certkeep/tsig.key\""},
        {"dns-exec", &Settings::dnsExec, checkProgram, "\"/usr/local/bin/dns-hook\""},
        {"pdns-url", &Settings::pdnsUrl, checkPdnsUrl, "\"http://127.0.0.1:8081\""},
        {"pdns-api-key-file", &Settings::pdnsApiKeyFile, checkApiKeyFile,
         "\"/etc/certkeep/pdns.key\""},
        {"pdns-server-id", &Settings::pdnsServerId, nullptr, "\"localhost\""},
        {"dns-resolver", &Settings::dnsResolver, checkDnsServer, "\"127.0.0.1:53\""},
        {"dns-propagation", &Settings::dnsPropagation, checkDnsPropagation, "\"authoritative\""},
        {"dns-timeout", &Settings::dnsTimeout, checkDnsTimeout, "\"2m\""},
    };
    return keys;
}

// The top level's own string keys: the account and the state directory.
struct TopString {
    const char* key;
    std::optional<std::string> ConfigFile::*member;
    Check check;
    const char* example;
};

const std::vector<TopString>& topStrings() {
    static const std::vector<TopString> keys{
        {"state-dir", &ConfigFile::stateDir, checkStateDir, "\"/var/lib/certkeep\""},
        {"email", &ConfigFile::email, checkEmail, "\"ops@example.com\""},
        {"account-key-type", &ConfigFile::accountKeyType, checkAccountKeyType, "\"es256\""},
    };
    return keys;
}

std::vector<std::string> settingKeys() {
    std::vector<std::string> keys{"reuse-key", "keep-versions", "hooks"};
    for (const auto& s : stringSettings()) {
        keys.emplace_back(s.key);
    }
    return keys;
}

bool isAccountKey(const std::string& key) {
    return key == "agree-tos" || std::any_of(topStrings().begin(), topStrings().end(),
                                             [&](const TopString& t) { return key == t.key; });
}

// key-mode may also be a TOML octal integer (0o640); a decimal 640 is refused, it means 01200.
std::optional<std::string> readKeyMode(const toml::node& value, std::vector<Problem>& problems) {
    const auto* number = value.as_integer();
    if (number == nullptr) {
        return readString("key-mode", value, checkKeyMode, "\"0640\"", problems);
    }
    if (number->flags() != toml::value_flags::format_as_octal || number->get() < 0 ||
        number->get() > 07777) {
        problems.push_back(problemAt(value.source(), "key-mode = " + std::to_string(number->get()) +
                                                         " is read as a decimal number: write "
                                                         "the mode as a string, \"0640\""));
        return std::nullopt;
    }
    char digits[8];
    (void)std::snprintf(digits, sizeof digits, "%04o", static_cast<unsigned>(number->get()));
    auto checked = checkKeyMode(digits);
    if (!checked) {
        problems.push_back(problemAt(value.source(), "key-mode: " + checked.error().message));
        return std::nullopt;
    }
    return std::move(*checked);
}

std::optional<bool> readBool(const std::string& key, const toml::node& value,
                             std::vector<Problem>& problems) {
    if (const auto* flag = value.as_boolean()) {
        return flag->get();
    }
    problems.push_back(problemAt(value.source(), key + " must be true or false (no quotes), not " +
                                                     typeName(value)));
    return std::nullopt;
}

std::optional<int> readKeepVersions(const toml::node& value, std::vector<Problem>& problems) {
    const auto* number = value.as_integer();
    if (number == nullptr) {
        problems.push_back(problemAt(value.source(), "keep-versions must be a whole number such "
                                                     "as 10, not " +
                                                         typeName(value)));
        return std::nullopt;
    }
    if (number->get() < 1 || number->get() > INT_MAX) {
        problems.push_back(
            problemAt(value.source(), "keep-versions = " + std::to_string(number->get()) +
                                          ": keep at least 1 old version"));
        return std::nullopt;
    }
    return static_cast<int>(number->get());
}

} // namespace

Problem problemAt(const toml::source_region& where, std::string message) {
    return Problem{static_cast<int>(where.begin.line), static_cast<int>(where.begin.column),
                   std::move(message)};
}

std::string typeName(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::string:
        return "a string";
    case toml::node_type::integer:
        return "an integer";
    case toml::node_type::floating_point:
        return "a number with a fraction";
    case toml::node_type::boolean:
        return "a boolean";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::table:
        return "a table";
    default:
        return "a date or time";
    }
}

void readDocument(const toml::table& doc, ConfigFile& out, std::vector<Problem>& problems) {
    for (const auto& [key, value] : doc) {
        std::string k(key.str());
        const auto& tops = topStrings();
        auto top =
            std::find_if(tops.begin(), tops.end(), [&](const TopString& t) { return k == t.key; });
        if (k == "certificate") {
            readCertificates(value, out, problems);
        } else if (k == "agree-tos") {
            out.agreeTos = readBool(k, value, problems);
        } else if (top != tops.end()) {
            out.*(top->member) = readString(k, value, top->check, top->example, problems);
        } else if (!readSetting(k, value, out.defaults, problems)) {
            unknownKey(key, true, problems);
        }
    }
    checkPairs(doc, problems);
}

std::optional<std::string> readString(const std::string& key, const toml::node& value, Check check,
                                      const char* example, std::vector<Problem>& problems) {
    const auto* text = value.as_string();
    if (text == nullptr) {
        problems.push_back(problemAt(value.source(), key + " must be a string such as " + example +
                                                         ", not " + typeName(value)));
        return std::nullopt;
    }
    if (text->get().empty()) {
        problems.push_back(
            problemAt(value.source(), key + " is empty: give a value or leave the key out"));
        return std::nullopt;
    }
    if (check == nullptr) {
        return text->get();
    }
    auto checked = check(text->get());
    if (!checked) {
        problems.push_back(problemAt(value.source(), key + ": " + checked.error().message));
        return std::nullopt;
    }
    return std::move(*checked);
}

bool readSetting(const std::string& key, const toml::node& value, Settings& s,
                 std::vector<Problem>& problems) {
    if (key == "hooks") {
        readHooks(value, s.hooks, problems);
    } else if (key == "reuse-key") {
        s.reuseKey = readBool(key, value, problems);
    } else if (key == "keep-versions") {
        s.keepVersions = readKeepVersions(value, problems);
    } else if (key == "key-mode") {
        s.keyMode = readKeyMode(value, problems);
    } else {
        const auto& all = stringSettings();
        auto it = std::find_if(all.begin(), all.end(),
                               [&](const StringSetting& k) { return key == k.key; });
        if (it == all.end()) {
            return false;
        }
        s.*(it->member) = readString(key, value, it->check, it->example, problems);
    }
    return true;
}

void unknownKey(const toml::key& key, bool topLevel, std::vector<Problem>& problems) {
    std::string k(key.str());
    std::string message;
    if (topLevel && (k == "name" || k == "domains")) {
        message = k + " belongs in a [[certificate]] table, one per certificate";
    } else if (!topLevel && isAccountKey(k)) {
        message = k + " is an account setting: set it at the top level, above the first "
                      "[[certificate]]";
    } else {
        std::vector<std::string> candidates = settingKeys();
        if (topLevel) {
            candidates.insert(candidates.end(), {"certificate", "agree-tos"});
            for (const auto& t : topStrings()) {
                candidates.emplace_back(t.key);
            }
        } else {
            candidates.insert(candidates.end(), {"name", "domains"});
        }
        message = "unknown key \"" + k + "\"" + (topLevel ? "" : " in [[certificate]]") +
                  didYouMean(k, candidates);
    }
    problems.push_back(problemAt(key.source(), message));
}

void checkPairs(const toml::table& t, std::vector<Problem>& problems) {
    // One way to answer the challenges per level: the second one named is the problem.
    const toml::node* first = nullptr;
    std::string firstKey;
    for (const char* key : {"http-listen", "webroot", "tls-alpn-listen", "dns"}) {
        const toml::node* node = t.get(key);
        if (node == nullptr) {
            continue;
        }
        if (first == nullptr) {
            first = node;
            firstKey = key;
            continue;
        }
        const auto& a = first->source().begin;
        const auto& b = node->source().begin;
        bool later = std::tie(b.line, b.column) > std::tie(a.line, a.column);
        std::string message = later ? firstKey : std::string(key);
        message.append(" and ").append(later ? std::string(key) : firstKey);
        message.append(" exclude each other: keep one way to answer the challenges (http-listen "
                       "or webroot: HTTP-01, tls-alpn-listen: TLS-ALPN-01, dns: DNS-01)");
        problems.push_back(problemAt((later ? node : first)->source(), message));
        break;
    }
    const toml::node* kid = t.get("eab-kid");
    const toml::node* file = t.get("eab-hmac-key-file");
    if (kid != nullptr && file == nullptr) {
        problems.push_back(problemAt(kid->source(), "eab-kid needs eab-hmac-key-file beside it: "
                                                    "the file holding the HMAC key the CA gave "
                                                    "with the key id"));
    }
    if (file != nullptr && kid == nullptr) {
        problems.push_back(problemAt(file->source(), "eab-hmac-key-file needs eab-kid beside "
                                                     "it: the key id the CA gave with the key"));
    }
}

} // namespace certkeep::cli::config
