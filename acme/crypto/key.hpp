#pragma once
// Private keys (account and certificate keys) wrapped in RAII, OpenSSL 3 EVP only.

#include "common/result.hpp"

#include <memory>
#include <string>
#include <string_view>

using EVP_PKEY = struct evp_pkey_st;

namespace certkeep::acme {

// Certificate key types (--key-type).
enum class KeyType { EcP256, EcP384, Rsa2048, Rsa3072, Rsa4096 };
// "ec-p256" | "ec-p384" | "rsa2048" | "rsa3072" | "rsa4096"; Usage error naming the choices
// otherwise.
Result<KeyType> parseKeyType(std::string_view name);
std::string keyTypeName(KeyType type);

// Account key JWS algorithms (--account-key-type): "es256" (default) | "es384" | "rs256".
enum class JwsAlg { ES256, ES384, RS256 };
Result<JwsAlg> parseJwsAlg(std::string_view name);
std::string jwsAlgName(JwsAlg alg); // "ES256", "ES384", "RS256"
KeyType keyTypeForAlg(JwsAlg alg);  // ES256->EcP256, ES384->EcP384, RS256->Rsa2048

struct PkeyDeleter {
    void operator()(EVP_PKEY* key) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

class PrivateKey {
  public:
    static Result<PrivateKey> generate(KeyType type);
    // PKCS#8 or traditional PEM; Crypto error with the OpenSSL reason otherwise, also for an
    // empty or truncated PEM. RSA keys under 2048 bits are refused (Crypto error saying so).
    static Result<PrivateKey> fromPem(std::string_view pem);

    // Unencrypted PKCS#8 PEM. The caller must write it with mode 0600.
    [[nodiscard]] Result<std::string> toPem() const;
    // Detected type of the key; RSA sizes other than 2048/3072/4096 map to the closest bigger one.
    [[nodiscard]] KeyType type() const { return type_; }
    [[nodiscard]] bool isEc() const;
    [[nodiscard]] EVP_PKEY* get() const { return key_.get(); }

  private:
    PrivateKey(PkeyPtr key, KeyType type) : key_(std::move(key)), type_(type) {}
    PkeyPtr key_;
    KeyType type_;
};

// Drains the OpenSSL error queue into one line ("" when empty).
std::string opensslErrors();

} // namespace certkeep::acme
