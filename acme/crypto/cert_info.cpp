// Certificate chains and inspection: PEM splitting, names, serial, validity, key match, links,
// and the ARI certificate ID (RFC 9773 §4.1).
#include "acme/crypto/csr.hpp"
#include "acme/crypto/ossl.hpp"
#include "common/base64url.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cctype>
#include <ctime>
#include <openssl/pem.h>
#include <optional>

namespace certkeep::acme {

namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";

// Parses one PEM certificate; Protocol error (outside input) when it does not parse.
Result<ossl::X509Ptr> parseCert(std::string_view pem, const std::string& what) {
    ossl::BioPtr bio = ossl::readBio(pem);
    ossl::X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!cert) {
        return ossl::opensslFail(ErrorKind::Protocol, what + " does not parse");
    }
    return cert;
}

// Canonical PEM of `cert`, ending in "-----END CERTIFICATE-----\n".
Result<std::string> certPem(X509* cert) {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
        return ossl::cryptoFail("writing certificate PEM");
    }
    return ossl::bioContents(bio.get());
}

// UTF-8 value of the first CN in `name`, "" when there is none.
std::string commonName(const X509_NAME* name) {
    int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0) {
        return {};
    }
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0) {
        return {};
    }
    std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

// Canonical text of an iPAddress SAN (4 or 16 octets); "" for any other length.
std::string ipText(const ASN1_STRING* value) {
    std::array<char, INET6_ADDRSTRLEN> buf{};
    int len = ASN1_STRING_length(value);
    int family = len == 4 ? AF_INET : (len == 16 ? AF_INET6 : 0);
    if (family == 0 || inet_ntop(family, ASN1_STRING_get0_data(value), buf.data(),
                                 static_cast<socklen_t>(buf.size())) == nullptr) {
        return {};
    }
    return buf.data();
}

// SAN dNSName and iPAddress entries in order (RFC 5280 §4.2.1.6, RFC 8738 §3).
void readSans(X509* cert, CertInfo& info) {
    ossl::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        int type = 0;
        const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(gn, &type));
        if (value == nullptr) {
            continue;
        }
        if (type == GEN_DNS) {
            info.dnsNames.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                                       static_cast<size_t>(ASN1_STRING_length(value)));
        } else if (type == GEN_IPADD) {
            if (std::string ip = ipText(value); !ip.empty()) {
                info.ipAddresses.push_back(std::move(ip));
            }
        }
    }
}

// "certificate 2 (CN=R3)": a chain position for messages (1-based, CN when there is one).
std::string describeInChain(std::size_t index, X509* cert) {
    std::string cn = commonName(X509_get_subject_name(cert));
    return "certificate " + std::to_string(index + 1) + (cn.empty() ? "" : " (CN=" + cn + ")");
}

// Success when `issuer` issued `subject`: names, key identifiers and key usage
// (X509_check_issued), and the signature verifies with the issuer's public key.
bool issuedBy(X509* subject, X509* issuer) {
    if (X509_check_issued(issuer, subject) != X509_V_OK) {
        return false;
    }
    EVP_PKEY* key = X509_get0_pubkey(issuer);
    return key != nullptr && X509_verify(subject, key) == 1;
}

// Lower-case hex of the serial number.
Result<std::string> serialHex(X509* cert) {
    ossl::BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
    ossl::OsslStringPtr hex(bn ? BN_bn2hex(bn.get()) : nullptr);
    if (!hex) {
        return ossl::cryptoFail("reading certificate serial");
    }
    std::string out(hex.get());
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// ASN1_TIME (UTCTime or GeneralizedTime, always UTC) as a system_clock time_point. Years
// are clamped to 1900-2200: system_clock counts nanoseconds and overflows near 1677 and 2262,
// and certificates say "0001" or "9999" (RFC 5280 §4.1.2.5) for "no limit".
Result<std::chrono::system_clock::time_point> toTimePoint(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
        return ossl::opensslFail(ErrorKind::Protocol, "certificate has an invalid time");
    }
    using namespace std::chrono;
    int y = std::clamp(tm.tm_year + 1900, 1900, 2200);
    sys_days date = year{y} / month{static_cast<unsigned>(tm.tm_mon + 1)} /
                    day{static_cast<unsigned>(tm.tm_mday)};
    return system_clock::time_point(date + hours{tm.tm_hour} + minutes{tm.tm_min} +
                                    seconds{tm.tm_sec});
}

// The content octets of a DER encoding (tag and length dropped); nullopt when it is not one
// complete primitive element of type `tag`.
std::optional<std::string> derContent(const std::string& der, int tag) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    long length = 0;
    int gotTag = 0;
    int gotClass = 0;
    int ret = ASN1_get_object(&p, &length, &gotTag, &gotClass, static_cast<long>(der.size()));
    const auto* start = reinterpret_cast<const unsigned char*>(der.data());
    if ((ret & 0x80) != 0 || gotTag != tag || gotClass != V_ASN1_UNIVERSAL ||
        p + length != start + der.size()) {
        return std::nullopt;
    }
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(length));
}

// RFC 9773 §4.1: base64url(AKI keyIdentifier) "." base64url(serial DER content octets).
Result<std::string> certIdOf(X509* cert) {
    ossl::AuthorityKeyIdPtr aki(static_cast<AUTHORITY_KEYID*>(
        X509_get_ext_d2i(cert, NID_authority_key_identifier, nullptr, nullptr)));
    if (!aki || aki->keyid == nullptr || ASN1_STRING_length(aki->keyid) <= 0) {
        (void)opensslErrors(); // a malformed extension leaves errors behind
        return fail(ErrorKind::Protocol, "the certificate has no Authority Key Identifier "
                                         "keyIdentifier, so it has no ARI certificate ID");
    }
    std::string keyId(reinterpret_cast<const char*>(ASN1_STRING_get0_data(aki->keyid)),
                      static_cast<size_t>(ASN1_STRING_length(aki->keyid)));
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
    int len = i2d_ASN1_INTEGER(serial, nullptr);
    if (len <= 0) {
        return ossl::cryptoFail("encoding the certificate serial");
    }
    std::string der(static_cast<size_t>(len), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    i2d_ASN1_INTEGER(serial, &out);
    auto content = derContent(der, V_ASN1_INTEGER);
    if (!content || content->empty()) {
        return fail(ErrorKind::Protocol, "the certificate serial number is malformed");
    }
    return base64urlEncode(keyId) + "." + base64urlEncode(*content);
}

} // namespace

Result<std::string> ariCertId(std::string_view certPem) {
    auto cert = parseCert(certPem, "certificate");
    if (!cert) {
        return cert.takeError();
    }
    return certIdOf(cert->get());
}

Result<std::string> certPemToDer(std::string_view certPem) {
    auto cert = parseCert(certPem, "certificate");
    if (!cert) {
        return cert.takeError();
    }
    int len = i2d_X509(cert->get(), nullptr);
    if (len <= 0) {
        return ossl::cryptoFail("encoding the certificate as DER");
    }
    std::string der(static_cast<size_t>(len), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    i2d_X509(cert->get(), &out);
    return der;
}

Result<std::vector<std::string>> splitPemChain(std::string_view pem) {
    std::vector<std::string> out;
    size_t pos = 0;
    while ((pos = pem.find(kBegin, pos)) != std::string_view::npos) {
        size_t end = pem.find(kEnd, pos);
        std::string what = "certificate " + std::to_string(out.size() + 1) + " in the chain";
        if (end == std::string_view::npos) {
            return fail(ErrorKind::Protocol, what + " has no END line");
        }
        end += kEnd.size();
        auto cert = parseCert(pem.substr(pos, end - pos), what);
        if (!cert) {
            return cert.takeError();
        }
        auto text = certPem(cert->get());
        if (!text) {
            return text.takeError();
        }
        out.push_back(std::move(*text));
        pos = end;
    }
    if (out.empty()) {
        return fail(ErrorKind::Protocol, "no PEM certificate found");
    }
    return out;
}

Result<CertInfo> inspectCertPem(std::string_view pem) {
    auto cert = parseCert(pem, "certificate");
    if (!cert) {
        return cert.takeError();
    }
    X509* c = cert->get();
    CertInfo info;
    readSans(c, info);
    info.subjectCn = commonName(X509_get_subject_name(c));
    info.issuerCn = commonName(X509_get_issuer_name(c));
    auto serial = serialHex(c);
    auto notBefore = toTimePoint(X509_get0_notBefore(c));
    auto notAfter = toTimePoint(X509_get0_notAfter(c));
    if (!serial || !notBefore || !notAfter) {
        return !serial ? serial.takeError()
                       : (!notBefore ? notBefore.takeError() : notAfter.takeError());
    }
    info.serialHex = std::move(*serial);
    info.notBefore = *notBefore;
    info.notAfter = *notAfter;
    auto certId = certIdOf(c);
    info.ariCertId = certId ? std::move(*certId) : std::string();
    return info;
}

Result<bool> certMatchesKey(std::string_view certPem, const PrivateKey& key) {
    auto cert = parseCert(certPem, "certificate");
    if (!cert) {
        return cert.takeError();
    }
    EVP_PKEY* pub = X509_get0_pubkey(cert->get());
    if (pub == nullptr) {
        return ossl::opensslFail(ErrorKind::Protocol, "certificate public key does not parse");
    }
    // 1 equal, 0 different, -1 different types, -2 cannot compare.
    int eq = EVP_PKEY_eq(pub, key.get());
    if (eq == -2) {
        return ossl::cryptoFail("comparing certificate and private key");
    }
    return eq == 1;
}

// Each certificate must be issued by the next one; the last one is not checked against
// anything (trust is the relying party's business, not ours).
Status verifyChainLinks(const std::vector<std::string>& pems) {
    if (pems.empty()) {
        return fail(ErrorKind::Protocol, "the certificate chain is empty");
    }
    std::vector<ossl::X509Ptr> certs;
    for (std::size_t i = 0; i < pems.size(); ++i) {
        auto cert = parseCert(pems[i], "certificate " + std::to_string(i + 1) + " in the chain");
        if (!cert) {
            return cert.takeError();
        }
        certs.push_back(std::move(*cert));
    }
    for (std::size_t i = 0; i + 1 < certs.size(); ++i) {
        if (!issuedBy(certs[i].get(), certs[i + 1].get())) {
            (void)opensslErrors(); // X509_verify may leave errors behind
            return fail(ErrorKind::Protocol, describeInChain(i, certs[i].get()) +
                                                 " is not issued by " +
                                                 describeInChain(i + 1, certs[i + 1].get()) +
                                                 ": the chain does not link");
        }
    }
    return {};
}

} // namespace certkeep::acme
