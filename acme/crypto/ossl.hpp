#pragma once
// Internal helpers for acme/crypto: OpenSSL objects in unique_ptrs and error shaping.

#include "acme/crypto/key.hpp"
#include "common/ossl_deleter.hpp"
#include "common/result.hpp"

#include <climits>
#include <memory>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string>
#include <string_view>

namespace certkeep::acme::ossl {

template <auto Free> using Deleter = OsslDeleter<Free>;

using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, Deleter<ASN1_STRING_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, Deleter<AUTHORITY_KEYID_free>>;
// Strings allocated by OpenSSL (BN_bn2hex, ...).
struct OsslFree {
    void operator()(void* p) const { OPENSSL_free(p); }
};
using OsslStringPtr = std::unique_ptr<char, OsslFree>;

// Crypto error "<what>: <drained OpenSSL errors>".
inline Unexpected cryptoFail(const std::string& what) {
    std::string errs = opensslErrors();
    return fail(ErrorKind::Crypto, errs.empty() ? what : what + ": " + errs);
}

// Same, with a chosen kind (parse failures of outside input are Protocol errors).
inline Unexpected opensslFail(ErrorKind kind, const std::string& what) {
    std::string errs = opensslErrors();
    return fail(kind, errs.empty() ? what : what + ": " + errs);
}

// A read-only memory BIO over `data` (which must outlive the BIO).
// Null when `data` is too large for a BIO.
inline BioPtr readBio(std::string_view data) {
    if (data.size() > static_cast<size_t>(INT_MAX)) {
        return nullptr;
    }
    return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Everything written to a memory BIO, as a string.
inline std::string bioContents(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

// Big-endian bytes of `bn`, left-padded with zeros to `width` (0: minimal length).
inline std::string bnBytes(const BIGNUM* bn, int width = 0) {
    int n = width > 0 ? width : BN_num_bytes(bn);
    std::string out(static_cast<size_t>(n), '\0');
    if (BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), n) < 0) {
        return {};
    }
    return out;
}

} // namespace certkeep::acme::ossl
