#pragma once
// Test fakes for acme::Transport: a scripted transport (queue of expected requests or a
// handler) and FakeAcmeServer, a controlled and possibly hostile ACME server in memory.
// Tests against a real server (Pebble) live in tests/integration.

#include "acme/transport.hpp"
#include "common/base64url.hpp"

#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace certkeep::fakes {

using acme::HttpRequest;
using acme::HttpResponse;
using nlohmann::json;

// A flattened JWS body taken apart. `payload` is the decoded payload text ("" for POST-as-GET).
struct DecodedJws {
    bool ok = false;
    json protectedHeader;
    std::string protectedB64;
    std::string payloadB64;
    std::string payload;
    std::string signature; // raw bytes

    // The payload as JSON; null when it is empty or not JSON.
    [[nodiscard]] json payloadJson() const {
        if (payload.empty()) {
            return nullptr;
        }
        return json::parse(payload, nullptr, false);
    }
};

// Decodes a flattened JWS from a request body; ok == false when it is not one.
inline DecodedJws decodeJws(const std::string& body) {
    DecodedJws out;
    json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("protected") ||
        !doc.contains("payload") || !doc.contains("signature")) {
        return out;
    }
    out.protectedB64 = doc["protected"].get<std::string>();
    out.payloadB64 = doc["payload"].get<std::string>();
    auto prot = base64urlDecode(out.protectedB64);
    auto sig = base64urlDecode(doc["signature"].get<std::string>());
    if (!prot || !sig) {
        return out;
    }
    if (!out.payloadB64.empty()) {
        auto payload = base64urlDecode(out.payloadB64);
        if (!payload) {
            return out;
        }
        out.payload = *payload;
    }
    out.protectedHeader = json::parse(*prot, nullptr, false);
    out.signature = *sig;
    out.ok = !out.protectedHeader.is_discarded();
    return out;
}

// Response builders.
inline HttpResponse makeResponse(long status, std::string body,
                                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

inline HttpResponse jsonResponse(long status, const json& body,
                                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("content-type", "application/json");
    return makeResponse(status, body.dump(), std::move(headers));
}

// An RFC 8555 §6.7 problem document; `shortType` without the URN prefix.
inline HttpResponse problemResponse(long status, const std::string& shortType,
                                    const std::string& detail,
                                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("content-type", "application/problem+json");
    json doc{{"type", "urn:ietf:params:acme:error:" + shortType},
             {"detail", detail},
             {"status", status}};
    return makeResponse(status, doc.dump(), std::move(headers));
}

// Scripted transport: expected (method, url substring) -> response, in order; after the
// queue runs dry, the handler (when set) answers. Every request is recorded.
class FakeTransport : public acme::Transport {
  public:
    using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

    void expect(std::string method, std::string urlPart, HttpResponse response) {
        queue_.push_back({std::move(method), std::move(urlPart), std::move(response)});
    }
    void setHandler(Handler handler) { handler_ = std::move(handler); }

    Result<HttpResponse> send(const HttpRequest& request) override {
        requests_.push_back(request);
        if (!queue_.empty()) {
            Expected e = std::move(queue_.front());
            queue_.pop_front();
            if (e.method != request.method || request.url.find(e.urlPart) == std::string::npos) {
                std::string why = "expected " + e.method + " *" + e.urlPart + "*, got " +
                                  request.method + " " + request.url;
                mismatches_.push_back(why);
                return fail(ErrorKind::Internal, "fake transport: " + why);
            }
            return e.response;
        }
        if (handler_) {
            return handler_(request);
        }
        mismatches_.push_back("unexpected " + request.method + " " + request.url);
        return fail(ErrorKind::Internal, "fake transport: no response scripted for " + request.url);
    }

    [[nodiscard]] const std::vector<HttpRequest>& requests() const { return requests_; }
    [[nodiscard]] const std::vector<std::string>& mismatches() const { return mismatches_; }
    [[nodiscard]] std::size_t pending() const { return queue_.size(); }

  private:
    struct Expected {
        std::string method;
        std::string urlPart;
        HttpResponse response;
    };
    std::deque<Expected> queue_;
    Handler handler_;
    std::vector<HttpRequest> requests_;
    std::vector<std::string> mismatches_;
};

// A request as the fake server sees it: the HTTP exchange and the decoded JWS (POST only).
struct ServerRequest {
    HttpRequest http;
    DecodedJws jws;
    HttpResponse response; // what the server answered (filled in after the route ran)
};

// In-memory ACME server under the test's control (it can be made to misbehave on purpose).
// Serves a directory with newNonce/newAccount/newOrder, hands out "nonce-<n>" Replay-Nonces
// unless a route sets its own, and checks that each POST uses a nonce it
// issued exactly once (nonces come with newNonce and POST responses only). Routes are keyed by full
// URL; an unknown URL answers 404.
class FakeAcmeServer : public acme::Transport {
  public:
    using Route = std::function<HttpResponse(const ServerRequest&)>;

    static constexpr const char* kBase = "https://acme.test";
    std::string url(const std::string& path) const { return std::string(kBase) + path; }
    std::string directoryUrl() const { return url("/directory"); }
    std::string newNonceUrl() const { return url("/new-nonce"); }
    std::string newAccountUrl() const { return url("/new-account"); }
    std::string newOrderUrl() const { return url("/new-order"); }
    std::string accountUrl() const { return url("/account/1"); }

    FakeAcmeServer() {
        route(directoryUrl(),
              [this](const ServerRequest&) { return jsonResponse(200, directory); });
        route(newNonceUrl(), [](const ServerRequest&) { return makeResponse(200, ""); });
        route(newAccountUrl(), [this](const ServerRequest&) {
            return jsonResponse(201, {{"status", "valid"}}, {{"location", accountUrl()}});
        });
        route(accountUrl(), [](const ServerRequest&) {
            return jsonResponse(200, {{"status", "valid"}});
        });
        directory = {{"newNonce", newNonceUrl()},
                     {"newAccount", newAccountUrl()},
                     {"newOrder", newOrderUrl()},
                     {"revokeCert", url("/revoke")},
                     {"keyChange", url("/key-change")}};
    }

    // The directory document served at directoryUrl(); tests may edit it.
    json directory;

    void route(const std::string& fullUrl, Route handler) { routes_[fullUrl] = std::move(handler); }

    Result<HttpResponse> send(const HttpRequest& request) override {
        ServerRequest req{request, {}, {}};
        if (request.method == "POST") {
            req.jws = decodeJws(request.body);
            checkNonce(req.jws);
        }
        auto it = routes_.find(request.url);
        HttpResponse response = it == routes_.end()
                                    ? problemResponse(404, "malformed", "no such resource")
                                    : it->second(req);
        // §6.5: nonces come with newNonce and with every POST response.
        bool wantsNonce = request.method == "POST" || request.url == newNonceUrl();
        if (wantsNonce && response.header("replay-nonce").empty() && !withholdNonces) {
            response.headers.emplace_back("replay-nonce", freshNonce());
        }
        req.response = response;
        log_.push_back(std::move(req));
        return response;
    }

    // A nonce this server will accept once (also usable in hand-made error responses).
    std::string freshNonce() {
        std::string n = "nonce-" + std::to_string(++nonceCounter_);
        issued_[n] = false;
        return n;
    }

    // Every request received, in order.
    [[nodiscard]] const std::vector<ServerRequest>& log() const { return log_; }
    // Requests to one URL, optionally only with `method`.
    [[nodiscard]] std::vector<ServerRequest> requestsTo(const std::string& fullUrl,
                                                        const std::string& method = "") const {
        std::vector<ServerRequest> out;
        for (const auto& r : log_) {
            if (r.http.url == fullUrl && (method.empty() || r.http.method == method)) {
                out.push_back(r);
            }
        }
        return out;
    }
    // POSTs whose nonce was never issued or was used twice.
    [[nodiscard]] const std::vector<std::string>& nonceViolations() const { return violations_; }

    bool withholdNonces = false; // when true, responses carry no Replay-Nonce

  private:
    void checkNonce(const DecodedJws& jws) {
        std::string nonce = jws.ok && jws.protectedHeader.contains("nonce") &&
                                    jws.protectedHeader["nonce"].is_string()
                                ? jws.protectedHeader["nonce"].get<std::string>()
                                : std::string();
        auto it = issued_.find(nonce);
        if (it == issued_.end()) {
            violations_.push_back("unknown nonce \"" + nonce + "\"");
        } else if (it->second) {
            violations_.push_back("reused nonce \"" + nonce + "\"");
        } else {
            it->second = true;
        }
    }

    std::map<std::string, Route> routes_;
    std::vector<ServerRequest> log_;
    std::map<std::string, bool> issued_; // nonce -> used
    std::vector<std::string> violations_;
    int nonceCounter_ = 0;
};

} // namespace certkeep::fakes
