#pragma once
// The issued certificate: downloaded (RFC 8555 §7.4.2), the preferred chain chosen, and checked
// before anything is stored: the chain links, the leaf holds our key and every requested name.

#include "acme/client.hpp"
#include "acme/crypto/csr.hpp"
#include "acme/crypto/key.hpp"

#include <string>
#include <vector>

namespace certkeep::lifecycle {

struct IssuedCertificate {
    std::string certPem;      // leaf
    std::string chainPem;     // intermediates
    std::string fullchainPem; // leaf + intermediates
    std::string keyPem;       // the certificate key (PKCS#8)
    acme::CertInfo info;
    std::string orderUrl;
    std::string topIssuer; // issuer CN of the topmost certificate of the chosen chain
};

// Downloads the default chain and, when `preferredChain` names another top issuer, the
// alternates; checks the chosen one against `key` and `identifiers`.
Result<IssuedCertificate> downloadIssued(acme::Client& client, const acme::Order& order,
                                         const acme::PrivateKey& key,
                                         const std::vector<acme::Identifier>& identifiers,
                                         const std::string& preferredChain);

// Picks the chain whose topmost certificate was issued by `preferred` (RFC 8555 §7.4.2);
// the first (default) chain when none matches or preferred is empty. Chains are PEM, leaf first.
Result<std::size_t> choosePreferredChain(const std::vector<std::string>& chains,
                                         const std::string& preferred);

// Checks a PEM chain (leaf first): it links, the leaf holds `key`'s public key and names every
// identifier (dNSName or iPAddress). Protocol error naming what is wrong; nothing is stored.
Result<IssuedCertificate> assembleIssued(const std::string& pem, const acme::PrivateKey& key,
                                         const std::vector<acme::Identifier>& identifiers,
                                         const std::string& orderUrl);

} // namespace certkeep::lifecycle
