#pragma once
// Walks a parsed TOML document into a ConfigFile, checking every key and value where it
// stands (so each problem carries the line and column of what is wrong). Private to
// cli/config/: the rest of certkeep never sees toml++.

#include "cli/config/config.hpp"
#include "cli/config/toml.hpp"

#include <string>
#include <vector>

namespace certkeep::cli::config {

// Reads the whole document into `out`, appending a Problem for everything wrong: unknown
// keys (with a suggestion), wrong types, bad values, conflicting and duplicate settings.
void readDocument(const toml::table& doc, ConfigFile& out, std::vector<Problem>& problems);

// --- shared by the reader's files ------------------------------------------------------------

// A problem at the start of `where`.
Problem problemAt(const toml::source_region& where, std::string message);
// "a string", "an integer", ... for type messages.
std::string typeName(const toml::node& node);
// Checks a value's text and returns what to keep (see value_checks.hpp).
using Check = Result<std::string> (*)(const std::string&);
// A non-empty string passed through `check` (nullptr: any); nullopt with a problem otherwise.
std::optional<std::string> readString(const std::string& key, const toml::node& value, Check check,
                                      const char* example, std::vector<Problem>& problems);
// One per-certificate setting (also a top-level default) into `s`; false when `key` is none.
bool readSetting(const std::string& key, const toml::node& value, Settings& s,
                 std::vector<Problem>& problems);
// An unknown key, with a suggestion or the place where it belongs.
void unknownKey(const toml::key& key, bool topLevel, std::vector<Problem>& problems);
// Settings that exclude or need each other at one level: http-listen/webroot, the EAB pair.
void checkPairs(const toml::table& t, std::vector<Problem>& problems);
// The [[certificate]] array into out.certificates, names derived and checked for uniqueness.
void readCertificates(const toml::node& value, ConfigFile& out, std::vector<Problem>& problems);
// The `hooks` table (event -> array of argument vectors) into `out`.
void readHooks(const toml::node& value,
               std::map<std::string, std::vector<std::vector<std::string>>>& out,
               std::vector<Problem>& problems);

} // namespace certkeep::cli::config
