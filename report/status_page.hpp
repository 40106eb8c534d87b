#pragma once
// The status page `certkeep serve` answers on "/": one self-contained, read-only HTML document
// (inline CSS, no JavaScript, no external assets).

#include "report/model.hpp"

#include <string>
#include <vector>

namespace certkeep::report {

// A table with one row per certificate (<tr id="cert-NAME" class="HEALTH">): name and
// identifiers, issuer, not-after, time left as a bar whose length is the share of the lifetime
// left and whose colour is the health (ok green, warning amber, critical red), next renewal
// and why, last attempt, result, consecutive failures, last error, deploy pending. Data cells
// carry class names (name, identifiers, left, next, result, failures, error, deploy) so a test
// can read them from the DOM. Everything from the store is HTML-escaped. `generatedAt` is
// printed in the header; `title` is the page title (e.g. the host name).
std::string statusPage(const std::vector<CertificateStatus>& certificates, TimePoint now,
                       const std::string& title);

} // namespace certkeep::report
