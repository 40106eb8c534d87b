// The [[certificate]] tables: domains, the name (given or derived as `issue` derives it) and
// its uniqueness, and the per-certificate settings.
#include "cli/commands/issue.hpp"
#include "cli/config/reader.hpp"
#include "cli/domain.hpp"
#include "store/store.hpp"

namespace certkeep::cli::config {

namespace {

const char* const kDomainsExample = "domains = [\"www.example.com\", \"example.com\"]";

Result<std::string> checkName(const std::string& name) {
    if (!store::isValidCertName(name)) {
        return fail(ErrorKind::Config, "\"" + name +
                                           "\" is not a valid certificate name: use 1-64 "
                                           "letters, digits, '.', '_' or '-', not starting with "
                                           "'.' or '-'");
    }
    return name;
}

// One element of `domains`; the identifier's text when it can be used, else nullopt.
std::optional<std::string> readDomain(const toml::node& element, std::vector<Problem>& problems) {
    const auto* text = element.as_string();
    if (text == nullptr) {
        problems.push_back(problemAt(element.source(),
                                     "each of domains must be a string, not " + typeName(element)));
        return std::nullopt;
    }
    auto id = parseIdentifier(text->get());
    if (!id) {
        problems.push_back(problemAt(element.source(), id.error().message));
        return std::nullopt;
    }
    return text->get();
}

// `domains`: a non-empty array of names and IP addresses (RFC 8738).
void readDomains(const toml::node& value, CertificateEntry& entry, std::vector<Problem>& problems) {
    const auto* names = value.as_array();
    if (names == nullptr) {
        std::string hint = value.is_string()
                               ? ": write domains = [\"" + value.as_string()->get() + "\"]"
                               : std::string(", e.g. ") + kDomainsExample;
        problems.push_back(problemAt(value.source(), "domains must be an array of names, not " +
                                                         typeName(value) + hint));
        return;
    }
    if (names->empty()) {
        problems.push_back(problemAt(value.source(), std::string("domains is empty: list the "
                                                                 "certificate's names, e.g. ") +
                                                         kDomainsExample));
        return;
    }
    std::vector<std::string> texts;
    bool ok = true;
    for (const auto& element : *names) {
        auto text = readDomain(element, problems);
        ok = ok && text.has_value();
        if (text) {
            if (text->rfind("*.", 0) == 0 && entry.wildcardAt.line == 0) {
                const auto& at = element.source().begin;
                entry.wildcardAt = {static_cast<int>(at.line), static_cast<int>(at.column),
                                    "wildcard " + *text};
            }
            texts.push_back(std::move(*text));
        }
    }
    if (!ok) {
        return; // no identifiers: a name derived from a later domain would mislead
    }
    auto ids = parseIdentifiers(texts);
    if (!ids) {
        problems.push_back(problemAt(value.source(), ids.error().message));
        return;
    }
    entry.identifiers = std::move(*ids);
}

// One [[certificate]] table; true when it gave its own `name`.
bool readCertificate(const toml::table& table, CertificateEntry& entry,
                     std::vector<Problem>& problems) {
    entry.line = static_cast<int>(table.source().begin.line);
    const toml::node* name = table.get("name");
    for (const auto& [key, value] : table) {
        std::string k(key.str());
        if (k == "name") {
            entry.name = readString(k, value, checkName, "\"www.example.com\"", problems)
                             .value_or(std::string());
        } else if (k == "domains") {
            readDomains(value, entry, problems);
        } else if (!readSetting(k, value, entry.settings, problems)) {
            unknownKey(key, false, problems);
        }
    }
    if (table.get("domains") == nullptr) {
        problems.push_back(problemAt(table.source(), std::string("this [[certificate]] has no "
                                                                 "domains: add ") +
                                                         kDomainsExample));
    }
    if (name == nullptr && !entry.identifiers.empty()) {
        entry.name = deriveCertName(entry.identifiers.front());
        if (auto valid = checkName(entry.name); !valid) {
            problems.push_back(problemAt(table.get("domains")->source(),
                                         "the name \"" + entry.name +
                                             "\" derived from the first domain is not a valid "
                                             "certificate name: give one with name = \"...\""));
            entry.name.clear();
        }
    }
    checkPairs(table, problems);
    return name != nullptr;
}

// Two certificates with one name would share one store entry: refused, naming the other.
void checkUnique(const toml::table& table, const CertificateEntry& entry, bool named,
                 std::map<std::string, int>& lines, std::vector<Problem>& problems) {
    auto [it, inserted] = lines.emplace(entry.name, entry.line);
    if (inserted) {
        return;
    }
    std::string other = "the [[certificate]] at line " + std::to_string(it->second);
    if (named) {
        problems.push_back(problemAt(table.get("name")->source(),
                                     "the name \"" + entry.name + "\" is already used by " + other +
                                         ": each certificate needs its own name"));
    } else {
        problems.push_back(problemAt(table.get("domains")->source(),
                                     "this certificate's name \"" + entry.name +
                                         "\", derived from its first domain, is already used "
                                         "by " +
                                         other + ": give one of them its own name = \"...\""));
    }
}

} // namespace

void readCertificates(const toml::node& value, ConfigFile& out, std::vector<Problem>& problems) {
    const auto* tables = value.as_array();
    if (tables == nullptr) {
        problems.push_back(problemAt(value.source(), "certificate must be an array of tables: "
                                                     "write [[certificate]] (double brackets), "
                                                     "one per certificate"));
        return;
    }
    std::map<std::string, int> lines; // name -> line of the certificate that took it first
    for (const auto& element : *tables) {
        const auto* table = element.as_table();
        if (table == nullptr) {
            problems.push_back(problemAt(
                element.source(), "each certificate must be a table, not " + typeName(element) +
                                      ": write [[certificate]] sections"));
            continue;
        }
        CertificateEntry entry;
        bool named = readCertificate(*table, entry, problems);
        if (!entry.name.empty()) {
            checkUnique(*table, entry, named, lines, problems);
        }
        out.certificates.push_back(std::move(entry));
    }
}

} // namespace certkeep::cli::config
