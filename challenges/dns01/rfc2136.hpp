#pragma once
// RFC 2136 dynamic updates signed with TSIG (RFC 8945), through ldns: adds one TXT RR (never
// replacing the RRset) and deletes exactly that RR again.

#include "challenges/dns/resolver.hpp"
#include "challenges/dns01/provider.hpp"

#include <chrono>
#include <string>

namespace certkeep::challenges::dns01 {

// A TSIG key as BIND's tsig-keygen writes it and nsupdate -k reads it:
//   key "name" { algorithm hmac-sha256; secret "base64"; };
struct TsigKey {
    std::string name; // "certkeep-key"
    std::string
        algorithm;      // "hmac-sha256" | "hmac-sha512" | "hmac-sha1" (ldns 1.8.3 signs no other)
    std::string secret; // base64, as in the file; never logged
};

// Parses the key file's text (comments allowed, one key). Config error naming `source` (the
// file name) and what is wrong: missing secret, unknown algorithm, secret not base64.
Result<TsigKey> parseTsigKey(const std::string& text, const std::string& source);
// Reads and parses a key file, refusing one other users may write (common/file_trust).
Result<TsigKey> loadTsigKeyFile(const std::string& path);

struct Rfc2136Options {
    dns::ServerAddress server; // the primary that takes updates
    TsigKey key;               // empty name = unsigned updates (a server that allows them)
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
    uint32_t ttl = 60;
};

// Sends UPDATE messages over TCP. Needs record.zone (found from the SOA by the caller).
class Rfc2136Provider : public DnsProvider {
  public:
    explicit Rfc2136Provider(Rfc2136Options options);
    [[nodiscard]] std::string name() const override { return "rfc2136"; }
    Status present(const TxtRecord& record) override;
    Status cleanup(const TxtRecord& record) override;

  private:
    Rfc2136Options options_;
};

} // namespace certkeep::challenges::dns01
