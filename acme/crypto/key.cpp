// Private keys: generation, PEM (PKCS#8) round trips and type detection, OpenSSL 3 EVP only.
#include "acme/crypto/key.hpp"

#include "acme/crypto/ossl.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <utility>

namespace certkeep::acme {

namespace {

constexpr std::array<std::pair<std::string_view, KeyType>, 5> kKeyTypes{{
    {"ec-p256", KeyType::EcP256},
    {"ec-p384", KeyType::EcP384},
    {"rsa2048", KeyType::Rsa2048},
    {"rsa3072", KeyType::Rsa3072},
    {"rsa4096", KeyType::Rsa4096},
}};

constexpr std::array<std::pair<std::string_view, JwsAlg>, 3> kJwsAlgs{{
    {"es256", JwsAlg::ES256},
    {"es384", JwsAlg::ES384},
    {"rs256", JwsAlg::RS256},
}};

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Never prompt on a terminal for an encrypted key's passphrase: fail instead.
int noPassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
    return -1;
}

// EC curve of `key` as a KeyType, or nullopt when it is not P-256/P-384.
std::optional<KeyType> ecType(EVP_PKEY* key) {
    std::array<char, 64> group{};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                       &len) != 1) {
        return std::nullopt;
    }
    std::string_view name(group.data(), len);
    if (name == "prime256v1" || name == "P-256" || name == "secp256r1") {
        return KeyType::EcP256;
    }
    if (name == "secp384r1" || name == "P-384") {
        return KeyType::EcP384;
    }
    return std::nullopt;
}

// RSA keys under 2048 bits can be factored with enough effort (NIST SP 800-131A): refused.
constexpr int kMinRsaBits = 2048;

// RSA sizes map to the closest bigger supported size (see key.hpp); small keys are refused.
Result<KeyType> rsaType(int bits) {
    if (bits < kMinRsaBits) {
        return fail(ErrorKind::Crypto, "RSA key of " + std::to_string(bits) +
                                           " bits is too weak: at least 2048 bits are required");
    }
    if (bits == kMinRsaBits) {
        return KeyType::Rsa2048;
    }
    return bits <= 3072 ? KeyType::Rsa3072 : KeyType::Rsa4096;
}

// Crypto error for PEM text that cannot hold a key at all: empty, or cut off before its END
// line. Success when the text is worth handing to OpenSSL.
Status checkPemShape(std::string_view pem) {
    if (pem.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return fail(ErrorKind::Crypto, "parsing private key PEM: the PEM text is empty");
    }
    auto begin = pem.find("-----BEGIN ");
    if (begin != std::string_view::npos && pem.find("-----END ", begin) == std::string_view::npos) {
        return fail(ErrorKind::Crypto,
                    "parsing private key PEM: the PEM text is truncated (it has no END line)");
    }
    return {};
}

// Detected supported type of `key`, or a Crypto error naming what it is.
Result<KeyType> detectType(EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "EC")) {
        if (auto t = ecType(key)) {
            return *t;
        }
        return fail(ErrorKind::Crypto, "unsupported EC curve: only P-256 and P-384 are supported");
    }
    if (EVP_PKEY_is_a(key, "RSA")) {
        return rsaType(EVP_PKEY_get_bits(key));
    }
    const char* name = EVP_PKEY_get0_type_name(key);
    return fail(ErrorKind::Crypto, std::string("unsupported key algorithm ") +
                                       (name ? name : "(unknown)") +
                                       ": use an EC P-256/P-384 or RSA key");
}

} // namespace

Result<KeyType> parseKeyType(std::string_view name) {
    std::string l = lower(name);
    for (const auto& [n, t] : kKeyTypes) {
        if (l == n) {
            return t;
        }
    }
    return fail(ErrorKind::Usage, "unknown key type \"" + std::string(name) +
                                      "\": use ec-p256, ec-p384, rsa2048, rsa3072 or rsa4096");
}

std::string keyTypeName(KeyType type) {
    for (const auto& [n, t] : kKeyTypes) {
        if (t == type) {
            return std::string(n);
        }
    }
    return "unknown";
}

Result<JwsAlg> parseJwsAlg(std::string_view name) {
    std::string l = lower(name);
    for (const auto& [n, a] : kJwsAlgs) {
        if (l == n) {
            return a;
        }
    }
    return fail(ErrorKind::Usage, "unknown account key type \"" + std::string(name) +
                                      "\": use es256, es384 or rs256");
}

std::string jwsAlgName(JwsAlg alg) {
    switch (alg) {
    case JwsAlg::ES256:
        return "ES256";
    case JwsAlg::ES384:
        return "ES384";
    case JwsAlg::RS256:
        return "RS256";
    }
    return "unknown";
}

KeyType keyTypeForAlg(JwsAlg alg) {
    switch (alg) {
    case JwsAlg::ES256:
        return KeyType::EcP256;
    case JwsAlg::ES384:
        return KeyType::EcP384;
    case JwsAlg::RS256:
        return KeyType::Rsa2048;
    }
    return KeyType::EcP256;
}

void PkeyDeleter::operator()(EVP_PKEY* key) const {
    EVP_PKEY_free(key);
}

Result<PrivateKey> PrivateKey::generate(KeyType type) {
    EVP_PKEY* raw = nullptr;
    switch (type) {
    case KeyType::EcP256:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
        break;
    case KeyType::EcP384:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
        break;
    case KeyType::Rsa2048:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
        break;
    case KeyType::Rsa3072:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072});
        break;
    case KeyType::Rsa4096:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096});
        break;
    }
    if (raw == nullptr) {
        return ossl::cryptoFail("generating " + keyTypeName(type) + " key");
    }
    return PrivateKey(PkeyPtr(raw), type);
}

Result<PrivateKey> PrivateKey::fromPem(std::string_view pem) {
    ERR_clear_error();
    if (auto st = checkPemShape(pem); !st) {
        return st.takeError();
    }
    ossl::BioPtr bio = ossl::readBio(pem);
    if (!bio) {
        return ossl::cryptoFail("reading private key PEM");
    }
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassword, nullptr));
    if (!key) {
        return ossl::cryptoFail("parsing private key PEM");
    }
    auto type = detectType(key.get());
    if (!type) {
        return type.takeError();
    }
    return PrivateKey(std::move(key), *type);
}

Result<std::string> PrivateKey::toPem() const {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr,
                                              nullptr) != 1) {
        return ossl::cryptoFail("writing private key PEM");
    }
    return ossl::bioContents(bio.get());
}

bool PrivateKey::isEc() const {
    return type_ == KeyType::EcP256 || type_ == KeyType::EcP384;
}

std::string opensslErrors() {
    std::string out;
    std::array<char, 256> buf{};
    while (unsigned long code = ERR_get_error()) {
        ERR_error_string_n(code, buf.data(), buf.size());
        if (!out.empty()) {
            out += "; ";
        }
        out += buf.data();
    }
    return out;
}

} // namespace certkeep::acme
