#pragma once
// libcurl transport: TLS verification always on, optional private CA bundle, timeouts,
// a size cap on responses, one reused handle (keep-alive) per transport.

#include "acme/transport.hpp"

#include <string>

namespace certkeep::acme {

struct CurlOptions {
    std::string caBundle; // PEM file of CAs to trust instead of the system store; "" = system
    long connectTimeoutSeconds = 10;
    long totalTimeoutSeconds = 30;
    std::size_t maxBodyBytes = 1 << 20; // a server response is untrusted input
    std::string userAgent;              // "certkeep/VERSION"
};

// Config error when the CA bundle cannot be read.
Result<TransportPtr> makeCurlTransport(const CurlOptions& options);

} // namespace certkeep::acme
