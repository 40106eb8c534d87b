#include "acme/nonce_pool.hpp"

#include "common/base64url.hpp"

namespace certkeep::acme {

void NoncePool::add(const std::string& nonce) {
    // RFC 8555 §6.5.1: the value is base64url; we also bound it (untrusted input).
    if (nonce.size() > 512 || !isBase64url(nonce)) {
        return;
    }
    nonces_.push_back(nonce);
    if (nonces_.size() > kMaxKept) {
        nonces_.pop_front();
    }
}

std::optional<std::string> NoncePool::take() {
    if (nonces_.empty()) {
        return std::nullopt;
    }
    std::string n = std::move(nonces_.back());
    nonces_.pop_back();
    return n;
}

} // namespace certkeep::acme
