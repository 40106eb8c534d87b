// The protocol client's certificate revocation (RFC 8555 §7.6).
#include "acme/client.hpp"
#include "acme/problem.hpp"
#include "common/base64url.hpp"
#include "common/url.hpp"

namespace certkeep::acme {

using nlohmann::json;

namespace {

// The refusals of a revocation in words that fit it (the generic "unauthorized" hint talks
// about EAB, which is not the point here).
Error revocationError(Error e) {
    if (!e.problem) {
        return e;
    }
    std::string type = e.problem->shortType();
    std::string detail = e.problem->detail.empty() ? type : e.problem->detail;
    if (type == "alreadyRevoked") {
        e.message =
            "the certificate is already revoked (the CA answered alreadyRevoked: " + detail +
            "); nothing to do";
    } else if (type == "unauthorized") {
        e.message = "revoking the certificate failed: " + detail +
                    " (unauthorized): this key may not revoke it; the account that ordered the "
                    "certificate, or the certificate's own key, can";
    } else if (type == "badRevocationReason") {
        e.message = "revoking the certificate failed: the CA does not accept this reason (" +
                    detail + "); try another --reason or none";
    }
    return e;
}

} // namespace

bool isRevocationReason(int reason) {
    return reason >= 0 && reason <= 10 && reason != 7; // RFC 5280 §5.3.1: 7 is not used
}

// §7.6: POST {certificate: base64url(DER), reason} to revokeCert.
Status Client::revokeCertificate(const std::string& certDer, std::optional<int> reason,
                                 const PostOptions& options) {
    if (directory_.revokeCert.empty()) {
        return fail(ErrorKind::Acme, "the CA at " + displayUrl(directory_.url) +
                                         " does not support revocation (no revokeCert URL)");
    }
    if (certDer.empty() || (options.useJwk && options.signer == nullptr)) {
        return fail(ErrorKind::Internal,
                    "revoking: no certificate, or a jwk request without the certificate key");
    }
    if (reason && !isRevocationReason(*reason)) {
        return fail(ErrorKind::Usage, "revocation reason " + std::to_string(*reason) +
                                          " is not an RFC 5280 reason code (0-10, not 7)");
    }
    json payload{{"certificate", base64urlEncode(certDer)}};
    if (reason) {
        payload["reason"] = *reason;
    }
    auto response = post(Endpoint::RevokeCert, directory_.revokeCert, payload,
                         "revoking the certificate", options);
    if (!response) {
        return fail(revocationError(std::move(response).error()));
    }
    log("certificate revoked");
    return {};
}

} // namespace certkeep::acme
