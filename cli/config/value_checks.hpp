#pragma once
// The checks of single config values, free of TOML: each takes the text as written and
// returns the value to keep (normalised) or an error whose message says what to change.
// Files named in a config must be absolute: timers and cron run with the working directory /.

#include "common/result.hpp"

#include <string>

namespace certkeep::cli::config {

// An alias (letsencrypt, letsencrypt-staging) or an https URL; the resolved URL.
Result<std::string> checkServer(const std::string& value);
// A readable PEM file of CA certificates (lifecycle::checkCaBundle).
Result<std::string> checkCaBundleFile(const std::string& value);
// The EAB HMAC key file: it exists, is not empty, passes checkTrustedFile and is not
// readable by others (it is a secret). Its content is never part of a message.
Result<std::string> checkSecretFile(const std::string& value);
// The same checks for another secret file: `what` names it ("the TSIG key file"), `holding`
// what it holds ("the TSIG key") and `content` what to write into an empty one.
Result<std::string> checkSecretFileAs(const std::string& value, const std::string& what,
                                      const std::string& holding, const std::string& content);
// ec-p256 | ec-p384 | rsa2048 | rsa3072 | rsa4096 (canonical name).
Result<std::string> checkKeyType(const std::string& value);
// es256 | es384 | rs256 (lower case).
Result<std::string> checkAccountKeyType(const std::string& value);
// ADDR:PORT of the HTTP-01 responder; port 0 is refused (the CA cannot know it).
Result<std::string> checkHttpListen(const std::string& value);
// An absolute path of an existing directory.
Result<std::string> checkWebroot(const std::string& value);
// HOST:PORT, port 1-65535, an IPv6 address in brackets: [2001:db8::1]:443.
Result<std::string> checkVerify(const std::string& value);
// lifecycle::parseRenewBefore and lifecycle::parseThreshold.
Result<std::string> checkRenewBefore(const std::string& value);
Result<std::string> checkThreshold(const std::string& value);
// An existing group name (or number).
Result<std::string> checkKeyGroup(const std::string& value);
// A private key's mode in octal, "0600" / "0640" / "0440": nothing for others, no execute bits,
// no special bits; the owner can read it. Normalised to four digits.
Result<std::string> checkKeyMode(const std::string& value);
// An absolute path.
Result<std::string> checkStateDir(const std::string& value);
// One plausible address (cli/email.hpp).
Result<std::string> checkEmail(const std::string& value);

// TLS-ALPN-01 and DNS-01 (challenge_checks.cpp):
// ADDR:PORT of the TLS-ALPN-01 responder; port 0 is refused.
Result<std::string> checkTlsAlpnListen(const std::string& value);
// rfc2136 | exec | pdns.
Result<std::string> checkDnsProvider(const std::string& value);
// An IP address with an optional port: "192.0.2.53:53", "[2001:db8::53]:53".
Result<std::string> checkDnsServer(const std::string& value);
// A TSIG key file tsig-keygen wrote: a trusted secret file that parses (the secret is never
// part of a message).
Result<std::string> checkTsigKeyFile(const std::string& value);
// The PowerDNS API key file: a trusted secret file.
Result<std::string> checkApiKeyFile(const std::string& value);
// An absolute path of an executable file that passes checkTrustedFile.
Result<std::string> checkProgram(const std::string& value);
// An http or https URL.
Result<std::string> checkPdnsUrl(const std::string& value);
// authoritative | resolver | off.
Result<std::string> checkDnsPropagation(const std::string& value);
// A duration: "30s", "2m".
Result<std::string> checkDnsTimeout(const std::string& value);

} // namespace certkeep::cli::config
