#pragma once
// Counting the client's HTTP exchanges and the problem documents it receives (issue 11:
// certkeep_acme_requests_total{endpoint,status}, certkeep_acme_problems_total{type}). Labels
// are bounded: the role of a request, never its URL; a problem type of bounded length.

#include "acme/transport.hpp"
#include "common/counters.hpp"
#include "common/result.hpp"

#include <string>
#include <string_view>

namespace certkeep::acme {

inline constexpr const char* kAcmeRequestsTotal = "certkeep_acme_requests_total";
inline constexpr const char* kAcmeProblemsTotal = "certkeep_acme_problems_total";

// The role of one request (RFC 8555 §7.1 resources, RFC 9773 renewalInfo).
enum class Endpoint {
    Directory,   // GET of the directory (§7.1.1)
    NewNonce,    // HEAD of newNonce (§7.2)
    NewAccount,  // newAccount, also the onlyReturnExisting lookup (§7.3, §7.3.1)
    Account,     // the account URL: fetch, update, deactivate (§7.3.2, §7.3.6)
    KeyChange,   // §7.3.5
    NewOrder,    // §7.4
    Order,       // an order URL: fetch and polling
    Authz,       // an authorization URL: fetch, polling, deactivation (§7.5)
    Challenge,   // a challenge URL: the response to it (§7.5.1)
    Finalize,    // §7.4
    Certificate, // the certificate URL and alternate chains (§7.4.2)
    RevokeCert,  // §7.6
    RenewalInfo, // RFC 9773 §4.1
};

// The label value: "directory", "newNonce", ..., "renewalInfo".
std::string_view endpointName(Endpoint endpoint);

// The type label of a problem: the short type of "urn:ietf:params:acme:error:*" (e.g.
// "badNonce"), the full type otherwise; "other" when that is empty, longer than 64 characters
// or not printable ASCII (server text is untrusted and label sets must stay small).
std::string problemTypeLabel(const std::string& type);

// Counts one exchange with `endpoint`: its HTTP status, or "error" when no response came; and,
// for a non-2xx response carrying a problem document (§6.7), that problem's type. Nothing
// when `counters` is nullptr.
void countExchange(Counters* counters, Endpoint endpoint, const Result<HttpResponse>& response);

// Counts a problem that came inside a resource rather than as an error response: a
// challenge's error in a failed authorization (RFC 8555 §7.1.5, e.g. "connection",
// "unauthorized"). Nothing when `counters` is nullptr.
void countProblem(Counters* counters, const std::string& type);

} // namespace certkeep::acme
