#pragma once
// JWK (RFC 7517/7638) and JWS flattened JSON signing (RFC 7515, RFC 8555 §6.2).

#include "acme/crypto/key.hpp"
#include "common/result.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace certkeep::acme {

// Signs on behalf of the account key; the network side only ever sees this interface.
class Signer {
  public:
    virtual ~Signer() = default;
    // JWS "alg" header value: "ES256", "ES384" or "RS256".
    [[nodiscard]] virtual std::string alg() const = 0;
    // Public JWK with only the required members (RFC 7638 §3.2).
    [[nodiscard]] virtual nlohmann::json jwk() const = 0;
    // Raw signature bytes over `input` in JWS form (ECDSA: fixed-size r||s, RFC 7518 §3.4).
    [[nodiscard]] virtual Result<std::string> sign(std::string_view input) const = 0;
};

// Signer over a PrivateKey held in memory. EC P-256 -> ES256, EC P-384 -> ES384, RSA -> RS256.
class KeySigner : public Signer {
  public:
    explicit KeySigner(PrivateKey key) : key_(std::move(key)) {}
    [[nodiscard]] std::string alg() const override;
    [[nodiscard]] nlohmann::json jwk() const override;
    [[nodiscard]] Result<std::string> sign(std::string_view input) const override;
    [[nodiscard]] const PrivateKey& key() const { return key_; }

  private:
    PrivateKey key_;
};

// Public JWK of any key (EC: crv,kty,x,y; RSA: e,kty,n), members as RFC 7638 requires.
Result<nlohmann::json> publicJwk(EVP_PKEY* key);
// RFC 7638 thumbprint: base64url(SHA-256(canonical JSON of required members, sorted, no spaces)).
Result<std::string> jwkThumbprint(const nlohmann::json& jwk);
// RFC 8555 §8.1 key authorization: token + "." + thumbprint.
std::string keyAuthorization(std::string_view token, std::string_view thumbprint);

// RFC 8555 §6.2: flattened JWS. Exactly one of jwk (newAccount/revoke) or kid.
// payload == std::nullopt means POST-as-GET (empty payload string, §6.3).
struct JwsHeader {
    std::string url;
    std::string nonce;              // "" = no nonce member (the inner JWS of a key change, §7.3.5)
    std::optional<std::string> kid; // account URL; when absent, the signer's jwk is embedded
};
Result<nlohmann::json> signJws(const Signer& signer, const JwsHeader& header,
                               const std::optional<nlohmann::json>& payload);

// RFC 8555 §7.3.4 External Account Binding: an HS256 JWS over the account JWK,
// protected {alg: HS256, kid: eabKid, url: newAccount URL}. hmacKeyB64url is base64url.
Result<nlohmann::json> signEab(const nlohmann::json& accountJwk, std::string_view eabKid,
                               std::string_view hmacKeyB64url, std::string_view newAccountUrl);

} // namespace certkeep::acme
