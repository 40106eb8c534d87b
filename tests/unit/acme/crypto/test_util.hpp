#pragma once
// Test-only OpenSSL helpers: verify JWS signatures and mint self-signed certificates.

#include "acme/crypto/key.hpp"
#include "acme/crypto/ossl.hpp"

#include <chrono>
#include <openssl/pem.h>
#include <string>
#include <vector>

namespace certkeep::acme::test {

// A key per type, generated once per test binary (RSA generation is slow).
inline const PrivateKey& cachedKey(KeyType type) {
    static std::vector<std::pair<KeyType, PrivateKey>> keys;
    for (const auto& [t, k] : keys) {
        if (t == type) {
            return k;
        }
    }
    auto k = PrivateKey::generate(type);
    if (!k) {
        throw std::runtime_error(k.error().message);
    }
    keys.emplace_back(type, std::move(*k));
    return keys.back().second;
}

// Verifies `sig` (DER for ECDSA, PKCS#1 v1.5 for RSA) over `data` with `md`.
inline bool verifyDer(EVP_PKEY* key, const EVP_MD* md, const std::string& data,
                      const std::string& sig) {
    ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) {
        return false;
    }
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
                            sig.size(), reinterpret_cast<const unsigned char*>(data.data()),
                            data.size()) == 1;
}

// Rebuilds the DER ECDSA-Sig-Value from a JWS r||s signature (RFC 7518 §3.4).
inline std::string rawToDer(const std::string& raw) {
    size_t half = raw.size() / 2;
    const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
    ossl::EcdsaSigPtr sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(p, static_cast<int>(half), nullptr);
    BIGNUM* s = BN_bin2bn(p + half, static_cast<int>(half), nullptr);
    ECDSA_SIG_set0(sig.get(), r, s);
    int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    std::string der(static_cast<size_t>(len), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    i2d_ECDSA_SIG(sig.get(), &out);
    return der;
}

// Self-signed certificate for `names` (CN = first, SANs = all), valid [notBefore, notAfter].
inline std::string selfSignedPem(const PrivateKey& key, const std::vector<std::string>& names,
                                 const std::string& issuerCn, long serial, time_t notBefore,
                                 time_t notAfter) {
    ossl::X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, &notBefore);
    X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, 0, &notAfter);
    X509_NAME* subj = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(names[0].c_str()), -1, -1, 0);
    X509_NAME* iss = X509_get_issuer_name(cert.get());
    X509_NAME_add_entry_by_txt(iss, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("Test CA Org"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(issuerCn.c_str()), -1, -1, 0);
    std::string san;
    for (const auto& n : names) {
        san += (san.empty() ? "DNS:" : ",DNS:") + n;
    }
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
    X509_set_pubkey(cert.get(), key.get());
    X509_sign(cert.get(), key.get(), EVP_sha256());
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert.get());
    return ossl::bioContents(bio.get());
}

} // namespace certkeep::acme::test
