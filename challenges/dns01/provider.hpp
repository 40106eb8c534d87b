#pragma once
// A DNS provider adds and removes one TXT value at one name (lego's present/cleanup shape).
// It never replaces the record set: other values at the name (a second challenge for the same
// name, an operator's own TXT) stay, and cleanup removes exactly our value.

#include "common/result.hpp"

#include <memory>
#include <string>

namespace certkeep::challenges::dns01 {

struct TxtRecord {
    std::string fqdn;  // where to write, no trailing dot: "_acme-challenge.example.com"
    std::string value; // the TXT value, unquoted (base64url for ACME, at most 255 bytes)
    std::string zone;  // the zone holding fqdn, found from its SOA ("" = not known)
};

class DnsProvider {
  public:
    virtual ~DnsProvider() = default;
    // "rfc2136", "exec", "pdns": for messages.
    [[nodiscard]] virtual std::string name() const = 0;
    // Adds the value (idempotent: present twice leaves one). Error naming the server or program
    // and the cause: "rfc2136: 127.0.0.1:53 refused the update of example.test: NOTAUTH (is
    // the TSIG key right?)".
    virtual Status present(const TxtRecord& record) = 0;
    // Removes only this value; succeeds when it is already gone.
    virtual Status cleanup(const TxtRecord& record) = 0;
};
using DnsProviderPtr = std::unique_ptr<DnsProvider>;

} // namespace certkeep::challenges::dns01
