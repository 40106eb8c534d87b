#pragma once
// Revocation of a stored certificate (RFC 8555 §7.6): by the account key, or by the
// certificate's own key when asked to or when the account does not own the certificate. A
// revoked live certificate is marked in its renewal state so the next `renew` replaces it.

#include "lifecycle/services.hpp"
#include "lifecycle/spec.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace certkeep::lifecycle {

struct RevokeRequest {
    std::string name;               // store name of the certificate
    std::optional<int> version;     // a stored version; nullopt = the live one
    std::optional<int> reason;      // RFC 5280 §5.3.1 code (parseRevocationReason); nullopt = none
    bool useCertificateKey = false; // sign with the certificate key instead of the account key
};

struct RevokeOutcome {
    std::string name;
    int version = 0;
    bool live = false; // the revoked version is the live one (the next renew replaces it)
    std::string serialHex;
    bool byCertificateKey = false;
};

// RFC 5280 §5.3.1 reason names, matched without regard to case, '-' or '_'
// ("keyCompromise", "key-compromise"): unspecified 0, keyCompromise 1, cACompromise 2,
// affiliationChanged 3, superseded 4, cessationOfOperation 5, certificateHold 6,
// removeFromCRL 8, privilegeWithdrawn 9, aACompromise 10. Usage error listing them otherwise.
Result<int> parseRevocationReason(std::string_view name);
// The RFC 5280 name of a reason code ("keyCompromise"); "" for a code that has none.
std::string revocationReasonName(int code);

// Revokes the certificate under its lock. By the account of account.server unless
// request.useCertificateKey, with a fall-back to the certificate key when the CA answers
// unauthorized or no account is stored (a note says so). On success of the live version its
// RenewalState gets revokedAt/revokedVersion/revokedReason. NotFound error for an unknown
// NAME or version; alreadyRevoked is an Acme error saying so (acme::isAlreadyRevoked).
Result<RevokeOutcome> revokeCertificate(Services& services, const AccountSpec& account,
                                        const RevokeRequest& request);

} // namespace certkeep::lifecycle
