// The TLS-ALPN-01 validation certificate (RFC 8737 §3) and the SNI a CA sends for an
// identifier (RFC 8738 §6), with OpenSSL's EVP and X509 APIs.

#include "challenges/tls_alpn01_cert.hpp"

#include "common/ip.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cctype>
#include <climits>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace certkeep::challenges::tlsalpn {

namespace {

using BnPtr = std::unique_ptr<BIGNUM, OsslDeleter<BN_free>>;
using ObjectPtr = std::unique_ptr<ASN1_OBJECT, OsslDeleter<ASN1_OBJECT_free>>;
using OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, OsslDeleter<ASN1_OCTET_STRING_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OsslDeleter<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OsslDeleter<GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OsslDeleter<GENERAL_NAME_free>>;

constexpr long kBackdateSeconds = 3600;       // tolerate a CA clock that is a little behind
constexpr long kValiditySeconds = 24L * 3600; // the certificate is thrown away after validation
constexpr size_t kSerialBytes = 16;

// The binary address of an IP literal (4 or 16 bytes), or "" for a DNS name.
std::string ipBytes(const std::string& identifier) {
    std::string canonical = canonicalIp(identifier);
    std::array<unsigned char, 16> buf{};
    if (canonical.empty()) {
        return {};
    }
    if (::inet_pton(AF_INET, canonical.c_str(), buf.data()) == 1) {
        return {reinterpret_cast<const char*>(buf.data()), 4};
    }
    if (::inet_pton(AF_INET6, canonical.c_str(), buf.data()) == 1) {
        return {reinterpret_cast<const char*>(buf.data()), 16};
    }
    return {};
}

// RFC 1035 §3.5 / RFC 3596 §2.5: the reverse-DNS name of an address.
std::string reverseName(const std::string& bytes) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    for (auto it = bytes.rbegin(); it != bytes.rend(); ++it) {
        auto b = static_cast<unsigned char>(*it);
        if (bytes.size() == 4) {
            out += std::to_string(b) + ".";
        } else {
            out += {kHex[b & 0x0fU], '.', kHex[b >> 4U], '.'};
        }
    }
    return out + (bytes.size() == 4 ? "in-addr.arpa" : "ip6.arpa");
}

Unexpected cryptoFail(const std::string& what) {
    std::string errs = drainOpensslErrors();
    return fail(ErrorKind::Crypto, "cannot make the TLS-ALPN-01 certificate: " + what +
                                       (errs.empty() ? "" : ": " + errs));
}

// A random positive serial of 128 bits (RFC 5280 §4.1.2.2: at most 20 octets, positive).
Status setSerial(X509* cert) {
    std::array<unsigned char, kSerialBytes> buf{};
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
        return cryptoFail("no random serial");
    }
    buf[0] = static_cast<unsigned char>((buf[0] & 0x7fU) | 0x01U); // positive, never zero
    BnPtr bn(BN_bin2bn(buf.data(), static_cast<int>(buf.size()), nullptr));
    if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
        return cryptoFail("cannot set the serial");
    }
    return {};
}

Status setValidity(X509* cert, std::chrono::system_clock::time_point now) {
    time_t t = std::chrono::system_clock::to_time_t(now);
    if (ASN1_TIME_set(X509_getm_notBefore(cert), t - kBackdateSeconds) == nullptr ||
        ASN1_TIME_set(X509_getm_notAfter(cert), t + kValiditySeconds) == nullptr) {
        return cryptoFail("cannot set the validity");
    }
    return {};
}

// The only subjectAltName: dNSName, or iPAddress (RFC 8738 §6). Critical because the subject
// is empty (RFC 5280 §4.2.1.6).
Status addSubjectAltName(X509* cert, const std::string& identifier) {
    std::string ip = ipBytes(identifier);
    std::string value = ip.empty() ? validationServerName(identifier) : ip;
    GeneralNamesPtr names(GENERAL_NAMES_new());
    GeneralNamePtr name(GENERAL_NAME_new());
    ASN1_STRING* str = ASN1_STRING_type_new(ip.empty() ? V_ASN1_IA5STRING : V_ASN1_OCTET_STRING);
    if (!names || !name || str == nullptr || value.size() > INT_MAX ||
        ASN1_STRING_set(str, value.data(), static_cast<int>(value.size())) != 1) {
        ASN1_STRING_free(str);
        return cryptoFail("cannot encode the subjectAltName");
    }
    GENERAL_NAME_set0_value(name.get(), ip.empty() ? GEN_DNS : GEN_IPADD, str);
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) {
        return cryptoFail("cannot encode the subjectAltName");
    }
    (void)name.release(); // owned by `names` now
    if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 1, X509V3_ADD_DEFAULT) != 1) {
        return cryptoFail("cannot add the subjectAltName");
    }
    return {};
}

// RFC 8737 §3: extnValue is the DER encoding of OCTET STRING (SIZE (32)) holding
// SHA-256(keyAuthorization), in a critical id-pe-acmeIdentifier extension.
Status addAcmeIdentifier(X509* cert, const std::string& keyAuthorization) {
    std::array<unsigned char, 2 + 32> der{0x04, 0x20};
    unsigned int len = 0;
    if (EVP_Digest(keyAuthorization.data(), keyAuthorization.size(), der.data() + 2, &len,
                   EVP_sha256(), nullptr) != 1 ||
        len != 32) {
        return cryptoFail("cannot hash the key authorization");
    }
    ObjectPtr oid(OBJ_txt2obj(kAcmeIdentifierOid, 1));
    OctetStringPtr value(ASN1_OCTET_STRING_new());
    if (!oid || !value || ASN1_OCTET_STRING_set(value.get(), der.data(), der.size()) != 1) {
        return cryptoFail("cannot encode the acmeIdentifier extension");
    }
    ExtensionPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, value.get()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
        return cryptoFail("cannot add the acmeIdentifier extension");
    }
    return {};
}

} // namespace

std::string validationServerName(const std::string& identifier) {
    std::string ip = ipBytes(identifier);
    return ip.empty() ? normalizeServerName(identifier) : reverseName(ip);
}

std::string normalizeServerName(std::string name) {
    if (!name.empty() && name.back() == '.') {
        name.pop_back();
    }
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

Result<ValidationCert> makeValidationCert(const std::string& identifier,
                                          const std::string& keyAuthorization,
                                          std::chrono::system_clock::time_point now) {
    ValidationCert out;
    out.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    out.cert.reset(X509_new());
    if (!out.key || !out.cert) {
        return cryptoFail("cannot generate a P-256 key");
    }
    X509* cert = out.cert.get();
    if (X509_set_version(cert, X509_VERSION_3) != 1 || X509_set_pubkey(cert, out.key.get()) != 1) {
        return cryptoFail("cannot set the public key");
    }
    if (auto s = setSerial(cert); !s) {
        return s.takeError();
    }
    if (auto s = setValidity(cert, now); !s) {
        return s.takeError();
    }
    if (auto s = addSubjectAltName(cert, identifier); !s) {
        return s.takeError();
    }
    if (auto s = addAcmeIdentifier(cert, keyAuthorization); !s) {
        return s.takeError();
    }
    if (X509_sign(cert, out.key.get(), EVP_sha256()) <= 0) {
        return cryptoFail("cannot sign the certificate");
    }
    return out;
}

std::string drainOpensslErrors() {
    std::string out;
    while (unsigned long code = ERR_get_error()) {
        std::array<char, 256> buf{};
        ERR_error_string_n(code, buf.data(), buf.size());
        out += (out.empty() ? "" : "; ") + std::string(buf.data());
    }
    return out;
}

} // namespace certkeep::challenges::tlsalpn
