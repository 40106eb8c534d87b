#pragma once
// What the lifecycle writes beside a certificate: its meta.json and its settings record.

#include "lifecycle/certificate.hpp"
#include "lifecycle/spec.hpp"
#include "store/records.hpp"

#include <chrono>
#include <string>

namespace certkeep::lifecycle {

// RFC 3339 UTC, seconds precision: "2026-11-27T12:00:00Z".
std::string isoTime(std::chrono::system_clock::time_point t);

// meta.json of a version: identifiers, server, key type, serial, issuer, validity, order.
std::string metaJson(const AccountSpec& account, const CertificateSpec& spec,
                     const IssuedCertificate& cert, std::chrono::system_clock::time_point now);

// The settings record: what was asked, so that `renew` repeats it.
store::CertSettings settingsOf(const AccountSpec& account, const CertificateSpec& spec);

} // namespace certkeep::lifecycle
