#pragma once
// Orchestration of one issuance (RFC 8555 §7.4): order -> authorizations -> challenges ->
// finalize -> download -> chain choice. Solvers are given; which one is not our business.

#include "acme/client.hpp"
#include "acme/crypto/csr.hpp"
#include "acme/crypto/key.hpp"
#include "challenges/solver.hpp"

#include <functional>
#include <string>
#include <vector>

namespace certkeep::acme {

struct IssueRequest {
    std::vector<std::string> domains;
    KeyType keyType = KeyType::EcP256;
    std::string preferredChain; // issuer CN of the topmost certificate; "" = the default chain
};

struct IssuedCertificate {
    std::string certPem;      // leaf
    std::string chainPem;     // intermediates
    std::string fullchainPem; // leaf + intermediates
    std::string keyPem;       // new certificate key (PKCS#8)
    CertInfo info;
    std::string orderUrl;
    std::string topIssuer; // issuer CN of the topmost certificate of the chosen chain
};

// Runs the whole issuance. Every presented challenge is cleaned up, also on failure.
Result<IssuedCertificate> issueCertificate(Client& client, challenges::Solver& solver,
                                           const IssueRequest& request,
                                           const std::string& thumbprint);

// Picks the chain whose topmost certificate was issued by `preferred` (RFC 8555 §7.4.2);
// the first (default) chain when none matches or preferred is empty.
// Each chain is a PEM bundle, leaf first.
Result<std::size_t> choosePreferredChain(const std::vector<std::string>& chains,
                                         const std::string& preferred);

} // namespace certkeep::acme
