// The protocol client's order steps: order, authorizations, challenges, finalize, download.
#include "acme/client.hpp"
#include "acme/problem.hpp"
#include "common/base64url.hpp"
#include "common/url.hpp"

#include <algorithm>

namespace certkeep::acme {

using nlohmann::json;

namespace {

// At most this many alternate chains are taken from one download (RFC 8555 §7.4.2).
constexpr std::size_t kMaxAlternates = 10;

// §7.4: the identifiers of a new order as JSON; Usage error for an empty list or a type
// other than "dns" (§9.7.7) or "ip" (RFC 8738).
Result<json> identifiersJson(const std::vector<Identifier>& identifiers) {
    if (identifiers.empty()) {
        return fail(ErrorKind::Usage, "an order needs at least one identifier");
    }
    json ids = json::array();
    for (const auto& id : identifiers) {
        if ((id.type != "dns" && id.type != "ip") || id.value.empty()) {
            return fail(ErrorKind::Usage, "unsupported identifier \"" + id.type + ":" + id.value +
                                              "\": only dns and ip identifiers exist");
        }
        ids.push_back({{"type", id.type}, {"value", id.value}});
    }
    return ids;
}

} // namespace

// Honours Retry-After (§7.5.1, §7.4) but never waits longer than the cap; otherwise
// doubles from pollFirst.
std::chrono::milliseconds Client::pollDelay(int attempt, const HttpResponse& response) const {
    long after = retryAfterSeconds(response);
    if (after >= 0) {
        // A floor too: "Retry-After: 0" from a hostile server must not make us spin.
        return std::clamp(std::chrono::milliseconds(after * 1000), options_.pollFirst,
                          options_.pollMax);
    }
    auto delay = options_.pollFirst * (1LL << std::min(attempt, 10));
    return std::min(std::chrono::duration_cast<std::chrono::milliseconds>(delay), options_.pollMax);
}

// §7.4: newOrder; 201 with the order URL in Location. RFC 9773 §5 `replaces` and the
// profiles draft's `profile` are sent only when set.
Result<Order> Client::newOrder(const NewOrderRequest& request) {
    auto ids = identifiersJson(request.identifiers);
    if (!ids) {
        return ids.takeError();
    }
    json payload{{"identifiers", std::move(*ids)}};
    if (!request.replaces.empty()) {
        payload["replaces"] = request.replaces;
    }
    if (!request.profile.empty()) {
        payload["profile"] = request.profile;
    }
    auto response = post(Endpoint::NewOrder, directory_.newOrder, payload, "creating the order");
    if (!response) {
        return response.takeError();
    }
    std::string location = response->header("location");
    if (location.empty()) {
        return fail(ErrorKind::Protocol, "creating the order: the server gave no order URL");
    }
    if (auto st = requireHttps("the order URL (Location)", location); !st) {
        return fail(std::move(st).error().context("creating the order"));
    }
    auto order = parseOrder(response->body, location);
    if (order && order->authorizations.empty()) {
        return fail(ErrorKind::Protocol, "creating the order: the order has no authorizations");
    }
    return order;
}

// POST-as-GET an order by its URL (§7.1.3).
Result<Order> Client::fetchOrder(const std::string& url) {
    auto response = post(Endpoint::Order, url, std::nullopt, "fetching the order");
    if (!response) {
        return response.takeError();
    }
    return parseOrder(response->body, url);
}

// §7.5: POST-as-GET an authorization.
Result<Authorization> Client::fetchAuthorization(const std::string& url) {
    auto response = post(Endpoint::Authz, url, std::nullopt, "fetching an authorization");
    if (!response) {
        return response.takeError();
    }
    return parseAuthorization(response->body, url);
}

// §7.5.2: POST {status: deactivated}; the answer must say it is deactivated.
Status Client::deactivateAuthorization(const std::string& url) {
    json payload{{"status", "deactivated"}};
    auto response = post(Endpoint::Authz, url, payload, "deactivating an authorization");
    if (!response) {
        return response.takeError();
    }
    auto authz = parseAuthorization(response->body, url);
    if (!authz) {
        return authz.takeError();
    }
    if (authz->status != "deactivated") {
        return fail(ErrorKind::Protocol,
                    "deactivating the authorization of " + authz->identifier.value.substr(0, 80) +
                        ": the CA answered status \"" + authz->status.substr(0, 40) + "\"");
    }
    return {};
}

// §7.5.1: an empty JSON object tells the CA we are ready.
Status Client::respondChallenge(const Challenge& challenge) {
    auto response = post(Endpoint::Challenge, challenge.url, json::object(),
                         "answering the " + challenge.type + " challenge");
    if (!response) {
        return response.takeError();
    }
    return {};
}

// §7.5.1: poll with growing waits until the authorization is no longer pending.
Result<Authorization> Client::waitAuthorization(const std::string& url) {
    auto deadline = clock().now() + options_.pollDeadline;
    for (int attempt = 0;; ++attempt) {
        auto response = post(Endpoint::Authz, url, std::nullopt, "polling an authorization");
        if (!response) {
            return response.takeError();
        }
        auto authz = parseAuthorization(response->body, url);
        if (!authz) {
            return authz;
        }
        if (authz->status != "pending") {
            for (const auto& c : authz->challenges) { // why validation failed, for metrics
                if (c.error) {
                    countProblem(options_.counters, c.error->type);
                }
            }
            return authz;
        }
        if (clock().now() >= deadline) {
            return fail(ErrorKind::Timeout,
                        "the CA did not finish validating " + authz->identifier.value + " within " +
                            std::to_string(options_.pollDeadline.count()) + " s");
        }
        clock().sleepFor(pollDelay(attempt, *response));
    }
}

// §7.4: POST {"csr": base64url(DER)} to finalize.
Result<Order> Client::finalize(const Order& order, const std::string& csrDer) {
    json payload = {{"csr", base64urlEncode(csrDer)}};
    auto response = post(Endpoint::Finalize, order.finalize, payload, "finalizing the order");
    if (!response) {
        return response.takeError();
    }
    return parseOrder(response->body, order.url);
}

// §7.4: poll the order until it is valid or invalid. Every round sleeps, whatever the status
// (an unknown status must not turn into a busy loop against the CA).
Result<Order> Client::waitOrder(const Order& order) {
    auto deadline = clock().now() + options_.pollDeadline;
    Order current = order;
    // Issuance takes a moment after finalize.
    std::chrono::milliseconds delay = options_.pollFirst / 2;
    for (int attempt = 0;; ++attempt) {
        if (current.status == "valid" || current.status == "invalid") {
            return current;
        }
        clock().sleepFor(delay);
        if (clock().now() >= deadline) {
            return fail(ErrorKind::Timeout, "the CA did not issue the certificate within " +
                                                std::to_string(options_.pollDeadline.count()) +
                                                " s (order " + displayUrl(order.url) + ")");
        }
        auto response = post(Endpoint::Order, order.url, std::nullopt, "polling the order");
        if (!response) {
            return response.takeError();
        }
        auto next = parseOrder(response->body, order.url);
        if (!next) {
            return next.takeError();
        }
        current = std::move(*next);
        delay = pollDelay(attempt, *response);
    }
}

// §7.4.2: application/pem-certificate-chain; alternates come as Link rel="alternate" and
// must be https like every other URL we would request.
Result<DownloadedChain> Client::downloadCertificate(const std::string& url) {
    PostOptions options;
    options.accept = "application/pem-certificate-chain";
    auto response =
        post(Endpoint::Certificate, url, std::nullopt, "downloading the certificate", options);
    if (!response) {
        return response.takeError();
    }
    DownloadedChain chain;
    chain.pem = response->body;
    for (auto& alt : linksWithRel(*response, "alternate")) {
        if (auto st = requireHttps("an alternate chain URL", alt); !st) {
            return fail(std::move(st).error().context("downloading the certificate"));
        }
        if (chain.alternates.size() < kMaxAlternates) {
            chain.alternates.push_back(std::move(alt));
        }
    }
    return chain;
}

} // namespace certkeep::acme
