#pragma once
// Test helper: a throwaway certificate authority (OpenSSL) that reads CSRs and signs leaf
// certificates for them, so issuance tests get real chains whose key matches the CSR.

#include "acme/crypto/key.hpp"
#include "acme/crypto/ossl.hpp"

#include <ctime>
#include <openssl/pem.h>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace certkeep::fakes {

namespace ossl = acme::ossl;

// A CSR taken apart: its public key, SAN dNSNames and whether its self-signature verifies.
struct ParsedCsr {
    acme::PkeyPtr publicKey;
    std::vector<std::string> dnsNames;
    bool signatureOk = false;
};

// Parses a DER CSR; nullopt when d2i_X509_REQ refuses it.
inline std::optional<ParsedCsr> parseCsrDer(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ossl::X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
    if (!req) {
        return std::nullopt;
    }
    ParsedCsr out;
    EVP_PKEY* pub = X509_REQ_get_pubkey(req.get()); // new reference
    out.publicKey.reset(pub);
    out.signatureOk = pub != nullptr && X509_REQ_verify(req.get(), pub) == 1;
    STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req.get());
    for (int i = 0; exts != nullptr && i < sk_X509_EXTENSION_num(exts); ++i) {
        X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts, i);
        if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name) {
            continue;
        }
        ossl::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
        for (int j = 0; names && j < sk_GENERAL_NAME_num(names.get()); ++j) {
            const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), j);
            int type = 0;
            const auto* v = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(gn, &type));
            if (type == GEN_DNS && v != nullptr) {
                out.dnsNames.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                                          static_cast<size_t>(ASN1_STRING_length(v)));
            }
        }
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return out;
}

inline acme::PrivateKey generateKey(acme::KeyType type = acme::KeyType::EcP256) {
    auto key = acme::PrivateKey::generate(type);
    if (!key) {
        throw std::runtime_error("test key generation failed: " + key.error().message);
    }
    return std::move(*key);
}

// A CA with a self-signed certificate (CN = `cn`), valid from an hour ago for 90 days.
class FakeCa {
  public:
    explicit FakeCa(std::string cn) : cn_(std::move(cn)), key_(generateKey()) {
        certPem_ = build(cn_, {}, key_.get(), cn_, key_.get(), true);
    }

    [[nodiscard]] const std::string& cn() const { return cn_; }
    [[nodiscard]] const std::string& certPem() const { return certPem_; }

    // A leaf for `publicKey` with `names` as SANs (CN = first name), signed by this CA.
    [[nodiscard]] std::string issueLeaf(EVP_PKEY* publicKey,
                                        const std::vector<std::string>& names) const {
        return build(names.empty() ? "leaf" : names.front(), names, publicKey, cn_, key_.get(),
                     false);
    }

    // An intermediate CA certificate for `other` signed by this CA (cross-signature).
    [[nodiscard]] std::string crossSign(const FakeCa& other) const {
        return build(other.cn_, {}, other.key_.get(), cn_, key_.get(), true);
    }

  private:
    static std::string build(const std::string& subjectCn, const std::vector<std::string>& names,
                             EVP_PKEY* publicKey, const std::string& issuerCn, EVP_PKEY* signer,
                             bool isCa) {
        static long serial = 1000;
        ossl::X509Ptr cert(X509_new());
        X509_set_version(cert.get(), X509_VERSION_3);
        ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial);
        time_t now = std::time(nullptr);
        time_t from = now - 3600;
        time_t until = now + 90L * 24 * 3600;
        X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, &from);
        X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, 0, &until);
        auto addCn = [](X509_NAME* name, const std::string& cn) {
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                       0);
        };
        addCn(X509_get_subject_name(cert.get()), subjectCn);
        addCn(X509_get_issuer_name(cert.get()), issuerCn);
        std::string san;
        for (const auto& n : names) {
            san += (san.empty() ? "DNS:" : ",DNS:") + n;
        }
        if (!san.empty()) {
            addExt(cert.get(), NID_subject_alt_name, san);
        }
        addExt(cert.get(), NID_basic_constraints, isCa ? "critical,CA:TRUE" : "CA:FALSE");
        X509_set_pubkey(cert.get(), publicKey);
        if (X509_sign(cert.get(), signer, EVP_sha256()) == 0) {
            throw std::runtime_error("test certificate signing failed");
        }
        ossl::BioPtr bio(BIO_new(BIO_s_mem()));
        PEM_write_bio_X509(bio.get(), cert.get());
        return ossl::bioContents(bio.get());
    }

    static void addExt(X509* cert, int nid, const std::string& value) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, nid, value.c_str());
        if (ext == nullptr) {
            throw std::runtime_error("test certificate extension failed: " + value);
        }
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }

    std::string cn_;
    acme::PrivateKey key_;
    std::string certPem_;
};

} // namespace certkeep::fakes
