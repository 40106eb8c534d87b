#pragma once
// What the operator asked for, independent of where it came from: flags build these today, the
// config file will build them next. Everything here is already checked and normalised.

#include "acme/crypto/key.hpp"
#include "acme/types.hpp"
#include "store/records.hpp"

#include <optional>
#include <string>
#include <vector>

namespace certkeep::lifecycle {

// Which challenge answers the identifiers of one certificate, and how.
struct ChallengeSpec {
    std::string type = "http-01"; // "http-01" | "dns-01" | "tls-alpn-01"
    std::string httpListen;       // HTTP-01 standalone responder address, e.g. ":80"
    std::string webroot;          // HTTP-01: write files under this document root instead
    std::string tlsAlpnListen;    // TLS-ALPN-01 responder address, "" = ":443"
    store::DnsSettings dns;       // DNS-01: provider, resolver, propagation check
};

// The ACME server and how to trust it.
struct ServerSpec {
    std::string directoryUrl; // https only
    std::string caBundle;     // "" = the system trust store
};

// The account: what to create it with, and which of these the operator said explicitly (so
// options that cannot apply to an existing account are named in a warning, not ignored).
struct AccountSpec {
    ServerSpec server;
    std::string email; // "" = no contact
    bool agreeTos = false;
    std::string eabKid;
    std::string eabHmacKey; // never logged
    acme::JwsAlg keyAlg = acme::JwsAlg::ES256;
    bool emailGiven = false;
    bool keyAlgGiven = false;
};

// One certificate.
struct CertificateSpec {
    std::string name; // store name, valid per store::isValidCertName
    std::vector<acme::Identifier> identifiers;
    acme::KeyType keyType = acme::KeyType::EcP256;
    ChallengeSpec challenge;
    std::string preferredChain; // issuer CN of the topmost certificate; "" = default chain
    std::string profile;        // "" = the CA's default
    bool replaceNames = false;  // allow a different identifier set for an existing NAME
};

// "dns:example.com" / "ip:192.0.2.1": how identifiers are kept in the store's settings.
std::string identifierKey(const acme::Identifier& id);
std::vector<std::string> identifierKeys(const std::vector<acme::Identifier>& ids);
// The values only, in order (for CSRs and messages).
std::vector<std::string> identifierValues(const std::vector<acme::Identifier>& ids);
// "a.example, b.example" for messages.
std::string joinIdentifiers(const std::vector<std::string>& values);

// --ca-bundle must be a readable file holding at least one PEM certificate: Config error
// naming the file otherwise (checked before any request).
Status checkCaBundle(const std::string& path);

} // namespace certkeep::lifecycle
