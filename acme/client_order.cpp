#include "acme/client.hpp"
#include "acme/problem.hpp"
#include "common/base64url.hpp"

#include <algorithm>

namespace certkeep::acme {

using nlohmann::json;

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

// §7.4: newOrder with DNS identifiers; 201 with the order URL in Location.
Result<Order> Client::newOrder(const std::vector<std::string>& domains) {
    json ids = json::array();
    for (const auto& d : domains) {
        ids.push_back({{"type", "dns"}, {"value", d}});
    }
    auto response = post(directory_.newOrder, json{{"identifiers", ids}}, "creating the order");
    if (!response) {
        return response.takeError();
    }
    std::string location = response->header("location");
    if (!isPlausibleUrl(location)) {
        return fail(ErrorKind::Protocol, "creating the order: the server gave no order URL");
    }
    auto order = parseOrder(response->body, location);
    if (order && (order->authorizations.empty() || !isPlausibleUrl(order->finalize))) {
        return fail(ErrorKind::Protocol,
                    "creating the order: the order has no authorizations or finalize URL");
    }
    return order;
}

Result<Authorization> Client::fetchAuthorization(const std::string& url) {
    auto response = post(url, std::nullopt, "fetching an authorization");
    if (!response) {
        return response.takeError();
    }
    return parseAuthorization(response->body, url);
}

// §7.5.1: an empty JSON object tells the CA we are ready.
Status Client::respondChallenge(const Challenge& challenge) {
    auto response =
        post(challenge.url, json::object(), "answering the " + challenge.type + " challenge");
    if (!response) {
        return response.takeError();
    }
    return {};
}

Result<Authorization> Client::waitAuthorization(const std::string& url) {
    auto deadline = std::chrono::steady_clock::now() + options_.pollDeadline;
    for (int attempt = 0;; ++attempt) {
        auto response = post(url, std::nullopt, "polling an authorization");
        if (!response) {
            return response.takeError();
        }
        auto authz = parseAuthorization(response->body, url);
        if (!authz || authz->status != "pending") {
            return authz;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return fail(ErrorKind::Timeout,
                        "the CA did not finish validating " + authz->identifier.value + " within " +
                            std::to_string(options_.pollDeadline.count()) + " s");
        }
        sleepFor(pollDelay(attempt, *response));
    }
}

// §7.4: POST {"csr": base64url(DER)} to finalize.
Result<Order> Client::finalize(const Order& order, const std::string& csrDer) {
    json payload = {{"csr", base64urlEncode(csrDer)}};
    auto response = post(order.finalize, payload, "finalizing the order");
    if (!response) {
        return response.takeError();
    }
    return parseOrder(response->body, order.url);
}

Result<Order> Client::waitOrder(const Order& order) {
    auto deadline = std::chrono::steady_clock::now() + options_.pollDeadline;
    Order current = order;
    for (int attempt = 0;; ++attempt) {
        if (current.status == "valid" || current.status == "invalid") {
            return current;
        }
        if (attempt == 0) {
            sleepFor(options_.pollFirst / 2); // issuance takes a moment after finalize
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return fail(ErrorKind::Timeout, "the CA did not issue the certificate within " +
                                                std::to_string(options_.pollDeadline.count()) +
                                                " s (order " + order.url + ")");
        }
        auto response = post(order.url, std::nullopt, "polling the order");
        if (!response) {
            return response.takeError();
        }
        auto next = parseOrder(response->body, order.url);
        if (!next) {
            return next.takeError();
        }
        current = std::move(*next);
        if (current.status == "processing" || current.status == "ready" ||
            current.status == "pending") {
            sleepFor(pollDelay(attempt, *response));
        }
    }
}

// §7.4.2: application/pem-certificate-chain; alternates come as Link rel="alternate".
Result<DownloadedChain> Client::downloadCertificate(const std::string& url) {
    auto response = post(url, std::nullopt, "downloading the certificate", false,
                         "application/pem-certificate-chain");
    if (!response) {
        return response.takeError();
    }
    DownloadedChain chain;
    chain.pem = response->body;
    for (auto& alt : linksWithRel(*response, "alternate")) {
        if (isPlausibleUrl(alt) && chain.alternates.size() < 10) {
            chain.alternates.push_back(std::move(alt));
        }
    }
    return chain;
}

} // namespace certkeep::acme
