#pragma once
// CSR building (RFC 8555 §7.4) and certificate inspection.

#include "acme/crypto/key.hpp"
#include "common/result.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace certkeep::acme {

// DER CSR with the names as SANs (dNSName, or iPAddress for an IPv4/IPv6 literal, RFC 8738
// §3) and the first DNS name as subject CN (when <= 64 chars), signed with SHA-256 by `key`.
Result<std::string> makeCsrDer(const PrivateKey& key, const std::vector<std::string>& names);

// What we need to know about one certificate.
struct CertInfo {
    std::vector<std::string> dnsNames;    // SAN dNSName entries, in order
    std::vector<std::string> ipAddresses; // SAN iPAddress entries, canonical text, in order
    std::string subjectCn;
    std::string issuerCn;
    std::string serialHex;
    std::chrono::system_clock::time_point notBefore;
    std::chrono::system_clock::time_point notAfter;
    std::string ariCertId; // RFC 9773 §4.1 certificate ID; "" without an AKI keyIdentifier
};

// Splits a PEM bundle into PEM certificates (each ending "-----END CERTIFICATE-----\n").
// Protocol error when there is none or one does not parse.
Result<std::vector<std::string>> splitPemChain(std::string_view pem);
// Parses the first certificate of a PEM string.
Result<CertInfo> inspectCertPem(std::string_view pem);
// RFC 9773 §4.1: base64url(AKI keyIdentifier) "." base64url(serial number DER content bytes,
// a leading 0x00 included), both unpadded. Protocol error when the certificate does not
// parse or has no AKI keyIdentifier (RFC 5280 requires one in CA-issued certificates).
Result<std::string> ariCertId(std::string_view certPem);
// The DER encoding of the first certificate of a PEM string (for revokeCert, RFC 8555 §7.6).
Result<std::string> certPemToDer(std::string_view certPem);
// True when the certificate's public key equals the private key's.
Result<bool> certMatchesKey(std::string_view certPem, const PrivateKey& key);
// Checks that a chain links, leaf first: each certificate is issued by the next one (issuer
// name, key identifiers and signature). Protocol error naming the first pair that does not.
Status verifyChainLinks(const std::vector<std::string>& pems);

} // namespace certkeep::acme
