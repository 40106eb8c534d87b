#pragma once
// HTTP transport behind an interface: libcurl in production, a fake in unit tests.

#include "common/result.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace certkeep::acme {

struct HttpRequest {
    std::string method; // "GET", "HEAD" or "POST"
    std::string url;
    std::string body;
    std::string contentType; // e.g. "application/jose+json"
    std::string accept;      // e.g. "application/pem-certificate-chain"
};

struct HttpResponse {
    long status = 0;
    std::vector<std::pair<std::string, std::string>> headers; // names lower-cased
    std::string body;

    // First value of a header (name in lower case), or "" when absent.
    [[nodiscard]] std::string header(const std::string& name) const;
    // All values of a header, in order (Link may repeat).
    [[nodiscard]] std::vector<std::string> headerValues(const std::string& name) const;
};

class Transport {
  public:
    virtual ~Transport() = default;
    // Performs one HTTP exchange. A non-2xx status is NOT an error here; only failures to
    // get a response at all are (Network, Tls, Config).
    virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};
using TransportPtr = std::unique_ptr<Transport>;

// Parses RFC 8288 Link header values and returns the targets with the given rel.
std::vector<std::string> linksWithRel(const HttpResponse& response, const std::string& rel);

// Retry-After as seconds (delta-seconds or HTTP-date), or -1 when absent/unparseable.
long retryAfterSeconds(const HttpResponse& response);

} // namespace certkeep::acme
