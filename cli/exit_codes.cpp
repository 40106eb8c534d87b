#include "cli/exit_codes.hpp"

namespace certkeep::cli {

int exitCodeFor(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Usage:
        return kUsage;
    case ErrorKind::Config:
    case ErrorKind::Io:
    case ErrorKind::Local:
    case ErrorKind::NotFound:
        return kLocal;
    case ErrorKind::Network:
    case ErrorKind::Tls:
        return kNetwork;
    case ErrorKind::Protocol:
    case ErrorKind::Acme:
        return kCaError;
    case ErrorKind::Validation:
        return kValidation;
    case ErrorKind::RateLimited:
        return kRateLimited;
    case ErrorKind::Timeout:
        return kTimeout;
    case ErrorKind::Crypto:
    case ErrorKind::Internal:
        return kInternal;
    }
    return kInternal;
}

} // namespace certkeep::cli
