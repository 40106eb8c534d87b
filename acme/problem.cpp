#include "acme/problem.hpp"

#include "common/url.hpp"

#include <algorithm>
#include <cctype>

namespace certkeep::acme {

namespace {

std::string stringField(const nlohmann::json& doc, const char* key) {
    auto it = doc.find(key);
    if (it != doc.end() && it->is_string()) {
        return it->get<std::string>();
    }
    return {};
}

// Printable, single-line and bounded: server text is untrusted.
std::string clean(std::string text, std::size_t max = 400) {
    for (auto& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            c = ' ';
        }
    }
    if (text.size() > max) {
        text = text.substr(0, max) + "...";
    }
    return text;
}

Subproblem parseSubproblem(const nlohmann::json& sub) {
    Subproblem out;
    out.type = clean(stringField(sub, "type"), 120);
    out.detail = clean(stringField(sub, "detail"));
    auto id = sub.find("identifier");
    if (id != sub.end() && id->is_object()) {
        out.identifier = clean(stringField(*id, "value"), 260);
    }
    return out;
}

// True when the body is (or contains) markup: HTML error pages from proxies and load
// balancers are described, never shown.
bool isMarkup(const HttpResponse& response) {
    std::string type = response.header("content-type");
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return type.find("html") != std::string::npos || type.find("xml") != std::string::npos ||
           response.body.find('<') != std::string::npos;
}

// True when every byte is printable ASCII or ordinary whitespace.
bool isPlainText(const std::string& body) {
    return std::all_of(body.begin(), body.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' || c == '\n';
    });
}

// What a body that is not a problem document is; its text only when it is short plain text.
std::string describeBody(const HttpResponse& response) {
    const std::string& body = response.body;
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return "an empty body";
    }
    if (isMarkup(response)) {
        return "an HTML page, not an ACME response";
    }
    if (!nlohmann::json::parse(body, nullptr, false).is_discarded()) {
        return "a JSON body that is not an ACME problem document";
    }
    if (!isPlainText(body)) {
        return "a body that is not text";
    }
    // Appended, not "\"" + ...: GCC 12 reports a false -Wrestrict for that form.
    std::string quoted(1, '"');
    quoted += clean(body, 120);
    quoted += '"';
    return quoted;
}

} // namespace

std::optional<Problem> parseProblemJson(const nlohmann::json& doc) {
    if (!doc.is_object() || !doc.contains("type") || !doc["type"].is_string()) {
        return std::nullopt;
    }
    Problem p;
    p.type = clean(stringField(doc, "type"), 120);
    p.detail = clean(stringField(doc, "detail"));
    auto status = doc.find("status");
    if (status != doc.end() && status->is_number_integer()) {
        p.status = status->get<int>();
    }
    auto subs = doc.find("subproblems");
    if (subs != doc.end() && subs->is_array()) {
        for (const auto& sub : *subs) {
            if (sub.is_object() && p.subproblems.size() < 100) {
                p.subproblems.push_back(parseSubproblem(sub));
            }
        }
    }
    return p;
}

std::optional<Problem> parseProblem(const HttpResponse& response, const std::string& url) {
    auto doc = nlohmann::json::parse(response.body, nullptr, false);
    if (doc.is_discarded()) {
        return std::nullopt;
    }
    auto p = parseProblemJson(doc);
    if (p) {
        p->url = url;
        if (p->status == 0) {
            p->status = static_cast<int>(response.status);
        }
        long after = retryAfterSeconds(response);
        if (after >= 0) {
            p->retryAfterSeconds = after;
        }
    }
    return p;
}

ErrorKind kindForProblem(const Problem& problem, ProblemSource source) {
    const std::string t = problem.shortType();
    if (t == "rateLimited") {
        return ErrorKind::RateLimited;
    }
    if (source == ProblemSource::Request) {
        return ErrorKind::Acme;
    }
    if (t == "unauthorized" || t == "connection" || t == "dns" || t == "caa" ||
        t == "incorrectResponse" || t == "tls") {
        return ErrorKind::Validation;
    }
    return ErrorKind::Acme;
}

std::string hintForProblem(const std::string& t, ProblemSource source,
                           const std::string& challengeType) {
    if (t == "unauthorized" && source == ProblemSource::Request) {
        return "the CA refused the request: check the account (certkeep account show) and, if "
               "the CA uses External Account Binding, --eab-kid and --eab-hmac-key";
    }
    if ((t == "unauthorized" || t == "connection") && challengeType == "dns-01") {
        return "the CA did not find the TXT value: check that the resolvers the CA uses see "
               "_acme-challenge.NAME (certkeep dns preflight -d NAME checks every "
               "authoritative server)";
    }
    if ((t == "unauthorized" || t == "connection") && challengeType == "tls-alpn-01") {
        return "the CA did not get the validation certificate: check that port 443 of this "
               "host answers for the name and that no TLS-terminating proxy sits in front of "
               "the responder";
    }
    if (t == "unauthorized" && challengeType == "dns-persist-01") {
        return "the _validation-persist record does not authorize this account: check it with "
               "certkeep dns persist-check -d NAME";
    }
    if (t == "unauthorized") {
        return "the CA fetched a wrong or missing response: check that this host answers HTTP on "
               "port 80 for the name (DNS points here, no proxy or redirect intercepts "
               "/.well-known/acme-challenge/)";
    }
    if (t == "connection") {
        return "the CA could not connect to the name: check DNS, firewalls and that port 80 is "
               "reachable from the internet";
    }
    if (t == "dns") {
        return "the name does not resolve from the CA: check its A/AAAA records at the "
               "authoritative DNS servers";
    }
    if (t == "rateLimited") {
        return "a CA rate limit was hit: wait before retrying, and test against a staging "
               "server (--server letsencrypt-staging)";
    }
    if (t == "caa") {
        return "a CAA DNS record forbids this CA from issuing for the name: add the CA to it";
    }
    if (t == "rejectedIdentifier") {
        return "the CA will not issue for this name: check the spelling, or use a CA that "
               "accepts it";
    }
    if (t == "externalAccountRequired") {
        return "this CA needs External Account Binding: pass --eab-kid and --eab-hmac-key";
    }
    if (t == "userActionRequired") {
        return "the CA asks for action on its website (for example new terms of service)";
    }
    if (t == "badCSR") {
        return "the CA refused the certificate request: check --key-type and the names";
    }
    if (t == "alreadyReplaced") {
        return "the certificate named in \"replaces\" was already replaced by another order";
    }
    if (t == "alreadyRevoked") {
        return "the certificate is already revoked: nothing more to do";
    }
    return {};
}

std::string describeProblem(const Problem& problem, const std::string& what, ProblemSource source,
                            const std::string& challengeType) {
    std::string out = what + " failed: ";
    out += problem.detail.empty() ? "no detail given" : problem.detail;
    out += " (" + problem.shortType() + ")";
    for (const auto& sub : problem.subproblems) {
        out +=
            "; " + (sub.identifier.empty() ? std::string("?") : sub.identifier) + ": " + sub.detail;
        out += " (" + Problem::shortTypeOf(sub.type) + ")";
    }
    std::string hint = hintForProblem(problem.shortType(), source, challengeType);
    if (problem.shortType() == "unauthorized" && source == ProblemSource::Request &&
        problem.detail.find("deactivated") != std::string::npos) {
        hint = "the account was deactivated and cannot be used again; move "
               "the state directory's accounts/ aside to register a new one";
    }
    if (hint.empty() && !problem.subproblems.empty()) {
        hint = hintForProblem(Problem::shortTypeOf(problem.subproblems.front().type), source,
                              challengeType);
    }
    if (problem.retryAfterSeconds) {
        out += "; retry after " + std::to_string(*problem.retryAfterSeconds) + " s";
    }
    if (!hint.empty()) {
        out += ". Hint: " + hint;
    }
    return out;
}

bool isReplacesRejected(const Error& error) {
    if (!error.problem) {
        return false;
    }
    const std::string t = error.problem->shortType();
    if (t == "alreadyReplaced") {
        return true;
    }
    std::string detail = error.problem->detail;
    std::transform(detail.begin(), detail.end(), detail.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return (t == "malformed" || t == "unauthorized" || t == "conflict") &&
           detail.find("replace") != std::string::npos;
}

bool isAlreadyRevoked(const Error& error) {
    return error.problem && error.problem->shortType() == "alreadyRevoked";
}

Error errorFromResponse(const HttpResponse& response, const std::string& url,
                        const std::string& what) {
    if (auto problem = parseProblem(response, url)) {
        Error e = makeError(kindForProblem(*problem, ProblemSource::Request),
                            describeProblem(*problem, what, ProblemSource::Request));
        e.problem = std::move(problem);
        return e;
    }
    return makeError(ErrorKind::Protocol, what + " failed: the server answered HTTP " +
                                              std::to_string(response.status) + " from " +
                                              displayUrl(url) + " with " + describeBody(response));
}

} // namespace certkeep::acme
