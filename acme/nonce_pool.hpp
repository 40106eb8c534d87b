#pragma once
// Replay-Nonce pool (RFC 8555 §7.2): every response's nonce is kept for the next request.

#include <deque>
#include <optional>
#include <string>

namespace certkeep::acme {

class NoncePool {
  public:
    // Keeps a nonce if it is plausible (base64url, bounded length); ignores anything else.
    void add(const std::string& nonce);
    // The freshest nonce, or nullopt when the pool is empty.
    std::optional<std::string> take();
    [[nodiscard]] std::size_t size() const { return nonces_.size(); }

  private:
    static constexpr std::size_t kMaxKept = 8;
    std::deque<std::string> nonces_;
};

} // namespace certkeep::acme
