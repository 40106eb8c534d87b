// JWS flattened JSON signing for ACME requests (RFC 7515 §7.2.2, RFC 8555 §6.2, §7.3.4).
#include "acme/crypto/jws.hpp"

#include "acme/crypto/ecdsa_sig.hpp"
#include "acme/crypto/ossl.hpp"
#include "common/base64url.hpp"

#include <array>

namespace certkeep::acme {

namespace {

using nlohmann::json;

// Digest used by the JWS algorithm of `type` (RFC 7518 §3.1).
const EVP_MD* digestFor(KeyType type) {
    return type == KeyType::EcP384 ? EVP_sha384() : EVP_sha256();
}

// Signs `input` with `key` and `md`; DER for ECDSA, PKCS#1 v1.5 for RSA.
Result<std::string> digestSign(EVP_PKEY* key, const EVP_MD* md, std::string_view input) {
    ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1) {
        return ossl::cryptoFail("starting signature");
    }
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    size_t len = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size()) != 1) {
        return ossl::cryptoFail("sizing signature");
    }
    std::string sig(len, '\0');
    auto* out = reinterpret_cast<unsigned char*>(sig.data());
    if (EVP_DigestSign(ctx.get(), out, &len, in, input.size()) != 1) {
        return ossl::cryptoFail("signing");
    }
    sig.resize(len);
    return sig;
}

// Flattened JWS from a protected header, an encoded payload and a signer function.
template <typename SignFn>
Result<json> flattened(const json& protectedHeader, const std::string& payloadB64, SignFn sign) {
    std::string protectedB64;
    try {
        protectedB64 = base64urlEncode(protectedHeader.dump());
    } catch (const json::exception& e) {
        return fail(ErrorKind::Internal, std::string("serializing JWS header: ") + e.what());
    }
    auto sig = sign(protectedB64 + "." + payloadB64);
    if (!sig) {
        return sig.takeError();
    }
    return json{
        {"protected", protectedB64}, {"payload", payloadB64}, {"signature", base64urlEncode(*sig)}};
}

} // namespace

// RFC 7518 §3.4: DER ECDSA-Sig-Value -> fixed-size big-endian r || s.
Result<std::string> ecdsaDerToRaw(std::string_view der, int fieldBytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ossl::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) {
        return ossl::cryptoFail("decoding ECDSA signature");
    }
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::string rb = ossl::bnBytes(r, fieldBytes);
    std::string sb = ossl::bnBytes(s, fieldBytes);
    if (rb.empty() || sb.empty()) {
        return fail(ErrorKind::Crypto, "ECDSA signature value larger than the field size");
    }
    return rb + sb;
}

std::string KeySigner::alg() const {
    switch (key_.type()) {
    case KeyType::EcP256:
        return "ES256";
    case KeyType::EcP384:
        return "ES384";
    default:
        return "RS256";
    }
}

nlohmann::json KeySigner::jwk() const {
    auto jwk = publicJwk(key_.get());
    return jwk ? std::move(jwk).value() : json();
}

Result<std::string> KeySigner::sign(std::string_view input) const {
    auto sig = digestSign(key_.get(), digestFor(key_.type()), input);
    if (!sig || !key_.isEc()) {
        return sig;
    }
    return ecdsaDerToRaw(*sig, key_.type() == KeyType::EcP384 ? 48 : 32);
}

Result<json> signJws(const Signer& signer, const JwsHeader& header,
                     const std::optional<json>& payload) {
    json prot{{"alg", signer.alg()}, {"url", header.url}};
    // The inner JWS of a key change has no nonce (RFC 8555 §7.3.5).
    if (!header.nonce.empty()) {
        prot["nonce"] = header.nonce;
    }
    if (header.kid) {
        prot["kid"] = *header.kid;
    } else {
        json jwk = signer.jwk();
        if (!jwk.is_object()) {
            return fail(ErrorKind::Crypto, "the account key has no usable public JWK");
        }
        prot["jwk"] = std::move(jwk);
    }
    // RFC 8555 §6.3: POST-as-GET carries the empty string as payload.
    std::string payloadB64;
    if (payload) {
        try {
            payloadB64 = base64urlEncode(payload->dump());
        } catch (const json::exception& e) {
            return fail(ErrorKind::Internal, std::string("serializing JWS payload: ") + e.what());
        }
    }
    return flattened(prot, payloadB64,
                     [&signer](const std::string& input) { return signer.sign(input); });
}

Result<json> signEab(const json& accountJwk, std::string_view eabKid,
                     std::string_view hmacKeyB64url, std::string_view newAccountUrl) {
    auto key = base64urlDecode(hmacKeyB64url);
    if (!key || key->empty()) {
        return fail(ErrorKind::Usage, "EAB HMAC key is not valid base64url");
    }
    json prot{{"alg", "HS256"}, {"kid", std::string(eabKid)}, {"url", std::string(newAccountUrl)}};
    std::string payloadB64;
    try {
        payloadB64 = base64urlEncode(accountJwk.dump());
    } catch (const json::exception& e) {
        return fail(ErrorKind::Internal, std::string("serializing account JWK: ") + e.what());
    }
    const std::string& secret = *key;
    return flattened(prot, payloadB64, [&secret](const std::string& input) -> Result<std::string> {
        std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
        size_t len = 0;
        if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                      reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                      mac.data(), mac.size(), &len) == nullptr) {
            return ossl::cryptoFail("computing EAB HMAC");
        }
        return std::string(reinterpret_cast<const char*>(mac.data()), len);
    });
}

} // namespace certkeep::acme
