#pragma once
// Private to the TLS-ALPN-01 responder: the validation certificate (RFC 8737 §3) and the
// server name a CA sends for an identifier (RFC 8738 §6). OpenSSL objects live in unique_ptrs.

#include "common/ossl_deleter.hpp"
#include "common/result.hpp"

#include <chrono>
#include <memory>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string>

namespace certkeep::challenges::tlsalpn {

using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OsslDeleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OsslDeleter<SSL_free>>;

// RFC 8737 §3: the critical id-pe-acmeIdentifier extension.
inline constexpr const char* kAcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";
// RFC 8737 §6.2: the only ALPN protocol the responder speaks.
inline constexpr std::string_view kAcmeTlsProtocol = "acme-tls/1";

// A self-signed certificate and its key, ready for SSL_use_cert_and_key.
struct ValidationCert {
    X509Ptr cert;
    PkeyPtr key;
};

// The SNI a CA sends when validating `identifier`, lower-cased without a trailing dot: the
// name itself, or for an IP literal its reverse-DNS name (RFC 8738 §6): "4.3.2.1.in-addr.arpa",
// and 32 nibbles + "ip6.arpa" for IPv6.
std::string validationServerName(const std::string& identifier);

// Lower-cases a received SNI and drops one trailing dot, so it compares with the above.
std::string normalizeServerName(std::string name);

// RFC 8737 §3: a fresh P-256 key and a self-signed certificate valid from now-1h for a day,
// with a random serial, `identifier` as its only subjectAltName (dNSName, or iPAddress for
// an IP literal) and the critical acmeIdentifier extension holding the DER OCTET STRING of
// SHA-256(keyAuthorization). Crypto error naming the step when OpenSSL fails.
Result<ValidationCert> makeValidationCert(const std::string& identifier,
                                          const std::string& keyAuthorization,
                                          std::chrono::system_clock::time_point now);

// Everything in this thread's OpenSSL error queue, joined by "; " ("" when empty); clears it.
std::string drainOpensslErrors();

} // namespace certkeep::challenges::tlsalpn
