// CSR building for finalize (RFC 8555 §7.4): DNS and IP SANs, CN when it fits, SHA-256, DER.
#include "acme/crypto/csr.hpp"

#include "acme/crypto/ossl.hpp"
#include "common/ip.hpp"

#include <arpa/inet.h>
#include <array>

namespace certkeep::acme {

namespace {

// RFC 5280 ub-common-name: a CN longer than 64 characters is not allowed.
constexpr size_t kMaxCnLength = 64;

// RFC 1035 §2.3.4: a DNS name is at most 255 octets.
constexpr size_t kMaxDnsLength = 255;

// Usage error unless every name is non-empty, short enough and free of NUL bytes.
Status checkDomains(const std::vector<std::string>& domains) {
    if (domains.empty()) {
        return fail(ErrorKind::Usage, "a CSR needs at least one domain");
    }
    for (const auto& d : domains) {
        if (d.empty() || d.size() > kMaxDnsLength || d.find('\0') != std::string::npos) {
            return fail(ErrorKind::Usage,
                        "a CSR domain is empty, longer than 255 bytes or contains a NUL byte");
        }
    }
    return {};
}

// The first DNS name (IP literals never go into the CN), "" when there is none.
std::string firstDnsName(const std::vector<std::string>& names) {
    for (const auto& n : names) {
        if (!isIpLiteral(n)) {
            return n;
        }
    }
    return {};
}

// Subject "CN=<first DNS name>", or an empty subject when there is none or it is too long.
Status setSubject(X509_REQ* req, const std::string& first) {
    if (first.empty() || first.size() > kMaxCnLength) {
        return {};
    }
    X509_NAME* name = X509_REQ_get_subject_name(req);
    const auto* bytes = reinterpret_cast<const unsigned char*>(first.data());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, bytes, static_cast<int>(first.size()),
                                   -1, 0) != 1) {
        return ossl::cryptoFail("setting CSR subject CN to " + first);
    }
    return {};
}

// One SAN: iPAddress (4 or 16 octets, RFC 5280 §4.2.1.6) for an IP literal, else dNSName.
Result<ossl::GeneralNamePtr> sanFor(const std::string& name) {
    ossl::GeneralNamePtr gn(GENERAL_NAME_new());
    if (!gn) {
        return ossl::cryptoFail("building SAN " + name);
    }
    if (isIpLiteral(name)) {
        ossl::Asn1StringPtr ip(a2i_IPADDRESS(name.c_str()));
        if (!ip) {
            return ossl::cryptoFail("building iPAddress SAN " + name);
        }
        GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, ip.release());
        return gn;
    }
    ossl::Asn1StringPtr ia5(ASN1_IA5STRING_new());
    if (!ia5 || ASN1_STRING_set(ia5.get(), name.data(), static_cast<int>(name.size())) != 1) {
        return ossl::cryptoFail("building SAN " + name);
    }
    GENERAL_NAME_set0_value(gn.get(), GEN_DNS, ia5.release());
    return gn;
}

// GENERAL_NAMES holding one SAN per name, in order.
Result<ossl::GeneralNamesPtr> sanList(const std::vector<std::string>& domains) {
    ossl::GeneralNamesPtr names(GENERAL_NAMES_new());
    if (!names) {
        return ossl::cryptoFail("allocating SAN list");
    }
    for (const auto& d : domains) {
        auto gn = sanFor(d);
        if (!gn) {
            return gn.takeError();
        }
        if (sk_GENERAL_NAME_push(names.get(), gn->get()) == 0) {
            return ossl::cryptoFail("adding SAN " + d);
        }
        (void)gn->release(); // now owned by `names`
    }
    return names;
}

// Adds the subjectAltName extension as a requested extension (PKCS#9 extensionRequest).
Status addSan(X509_REQ* req, const std::vector<std::string>& domains) {
    auto names = sanList(domains);
    if (!names) {
        return names.takeError();
    }
    STACK_OF(X509_EXTENSION)* exts = nullptr;
    Status st;
    if (X509V3_add1_i2d(&exts, NID_subject_alt_name, names->get(), 0, X509V3_ADD_DEFAULT) != 1 ||
        X509_REQ_add_extensions(req, exts) != 1) {
        st = ossl::cryptoFail("adding subjectAltName to CSR");
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return st;
}

// The request's DER encoding.
Result<std::string> toDer(X509_REQ* req) {
    int len = i2d_X509_REQ(req, nullptr);
    if (len <= 0) {
        return ossl::cryptoFail("encoding CSR");
    }
    std::string der(static_cast<size_t>(len), '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_X509_REQ(req, &p) != len) {
        return ossl::cryptoFail("encoding CSR");
    }
    return der;
}

} // namespace

Result<std::string> makeCsrDer(const PrivateKey& key, const std::vector<std::string>& domains) {
    if (auto st = checkDomains(domains); !st) {
        return st.takeError();
    }
    ossl::X509ReqPtr req(X509_REQ_new());
    if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1) {
        return ossl::cryptoFail("creating CSR");
    }
    if (auto st = setSubject(req.get(), firstDnsName(domains)); !st) {
        return st.takeError();
    }
    if (auto st = addSan(req.get(), domains); !st) {
        return st.takeError();
    }
    if (X509_REQ_set_pubkey(req.get(), key.get()) != 1) {
        return ossl::cryptoFail("setting CSR public key");
    }
    if (X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) {
        return ossl::cryptoFail("signing CSR");
    }
    return toDer(req.get());
}

} // namespace certkeep::acme
