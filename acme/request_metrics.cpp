// Counting the client's HTTP exchanges and problem documents in bounded label sets.
#include "acme/request_metrics.hpp"

#include "acme/problem.hpp"

#include <algorithm>

namespace certkeep::acme {

namespace {

// A longer type is not a type anyone would chart; it would only grow the label set.
constexpr std::size_t kMaxProblemTypeLabel = 64;

bool isPrintableAscii(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
    });
}

} // namespace

std::string_view endpointName(Endpoint endpoint) {
    switch (endpoint) {
    case Endpoint::Directory:
        return "directory";
    case Endpoint::NewNonce:
        return "newNonce";
    case Endpoint::NewAccount:
        return "newAccount";
    case Endpoint::Account:
        return "account";
    case Endpoint::KeyChange:
        return "keyChange";
    case Endpoint::NewOrder:
        return "newOrder";
    case Endpoint::Order:
        return "order";
    case Endpoint::Authz:
        return "authz";
    case Endpoint::Challenge:
        return "challenge";
    case Endpoint::Finalize:
        return "finalize";
    case Endpoint::Certificate:
        return "certificate";
    case Endpoint::RevokeCert:
        return "revokeCert";
    case Endpoint::RenewalInfo:
        return "renewalInfo";
    }
    return "other"; // not reached: every enumerator is named above
}

std::string problemTypeLabel(const std::string& type) {
    std::string label = Problem::shortTypeOf(type);
    if (label.empty() || label.size() > kMaxProblemTypeLabel || !isPrintableAscii(label)) {
        return "other";
    }
    return label;
}

void countProblem(Counters* counters, const std::string& type) {
    if (counters != nullptr) {
        counters->add(kAcmeProblemsTotal, {{"type", problemTypeLabel(type)}});
    }
}

void countExchange(Counters* counters, Endpoint endpoint, const Result<HttpResponse>& response) {
    if (counters == nullptr) {
        return;
    }
    std::string status = response ? std::to_string(response->status) : std::string("error");
    counters->add(kAcmeRequestsTotal,
                  {{"endpoint", std::string(endpointName(endpoint))}, {"status", status}});
    if (!response || (response->status >= 200 && response->status < 300)) {
        return;
    }
    // RFC 8555 §6.7: error responses carry a problem document (a 2xx body never is one).
    if (auto problem = parseProblem(*response, "")) {
        counters->add(kAcmeProblemsTotal, {{"type", problemTypeLabel(problem->type)}});
    }
}

} // namespace certkeep::acme
