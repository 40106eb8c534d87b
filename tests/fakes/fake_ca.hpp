#pragma once
// Test helper: a throwaway certificate authority (OpenSSL) that reads CSRs and signs leaf
// certificates for them, so issuance tests get real chains whose key matches the CSR.
// Chains: FakeCa issuing("Fake Issuing CA"), root("Fake Root X1");
//   issuing.issueLeaf(key, names) + root.crossSign(issuing) + root.certPem() links;
//   the same with a FakeCa of another key (even with the same CN) in the middle does not.

#include "acme/crypto/key.hpp"
#include "acme/crypto/ossl.hpp"

#include <arpa/inet.h>
#include <array>
#include <ctime>
#include <openssl/pem.h>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace certkeep::fakes {

namespace ossl = acme::ossl;

// A CSR taken apart: its public key, SANs, subject CN and whether its self-signature verifies.
struct ParsedCsr {
    acme::PkeyPtr publicKey;
    std::vector<std::string> dnsNames;
    std::vector<std::string> ipAddresses; // canonical text (inet_ntop)
    std::string subjectCn;                // "" when the subject has no CN
    bool signatureOk = false;
};

// Canonical text of an iPAddress SAN value; "" when it is not 4 or 16 octets.
inline std::string ipSanText(const ASN1_STRING* v) {
    std::array<char, INET6_ADDRSTRLEN> buf{};
    int len = ASN1_STRING_length(v);
    int family = len == 4 ? AF_INET : (len == 16 ? AF_INET6 : 0);
    if (family == 0 ||
        inet_ntop(family, ASN1_STRING_get0_data(v), buf.data(), buf.size()) == nullptr) {
        return {};
    }
    return buf.data();
}

// Adds the dNSName and iPAddress entries of a subjectAltName extension to `out`.
inline void readCsrSans(X509_EXTENSION* ext, ParsedCsr& out) {
    ossl::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
    for (int j = 0; names && j < sk_GENERAL_NAME_num(names.get()); ++j) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), j);
        int type = 0;
        const auto* v = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(gn, &type));
        if (type == GEN_DNS && v != nullptr) {
            out.dnsNames.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                                      static_cast<size_t>(ASN1_STRING_length(v)));
        } else if (type == GEN_IPADD && v != nullptr) {
            out.ipAddresses.push_back(ipSanText(v));
        }
    }
}

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
        if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) == NID_subject_alt_name) {
            readCsrSans(ext, out);
        }
    }
    X509_NAME* subject = X509_REQ_get_subject_name(req.get());
    int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (idx >= 0) {
        const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
        out.subjectCn.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                             static_cast<size_t>(ASN1_STRING_length(cn)));
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

    // A leaf for `publicKey` with `names` as SANs (IP literals as iPAddress, the rest as
    // dNSName; CN = first DNS name, "leaf" when there is none), signed by this CA.
    [[nodiscard]] std::string issueLeaf(EVP_PKEY* publicKey,
                                        const std::vector<std::string>& names) const {
        std::string cn = "leaf";
        for (const auto& n : names) {
            if (!isIp(n)) {
                cn = n;
                break;
            }
        }
        return build(cn, names, publicKey, cn_, key_.get(), false);
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
            san += san.empty() ? "" : ",";
            san += isIp(n) ? "IP:" : "DNS:";
            san += n;
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

    static bool isIp(const std::string& name) {
        std::array<unsigned char, 16> buf{};
        return inet_pton(AF_INET, name.c_str(), buf.data()) == 1 ||
               inet_pton(AF_INET6, name.c_str(), buf.data()) == 1;
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
