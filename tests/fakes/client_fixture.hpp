#pragma once
// Test helper: an acme::Client wired to a FakeAcmeServer, with a fresh ES256 account key and
// an injected sleep that records the requested waits instead of sleeping.

#include "acme/client.hpp"
#include "fakes/fake_ca.hpp"
#include "fakes/fake_transport.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace certkeep::fakes {

struct ClientFixture {
    FakeAcmeServer server;
    acme::KeySigner signer{generateKey(acme::KeyType::EcP256)};
    std::vector<std::chrono::milliseconds> sleeps;
    std::vector<std::string> logLines;
    std::unique_ptr<acme::Client> client;

    explicit ClientFixture(acme::ClientOptions options = {}) { reset(std::move(options)); }

    // Rebuilds the client with `options` (sleep and log are always injected).
    void reset(acme::ClientOptions options) {
        options.sleep = [this](std::chrono::milliseconds ms) { sleeps.push_back(ms); };
        options.log = [this](const std::string& line) { logLines.push_back(line); };
        client = std::make_unique<acme::Client>(server, signer, std::move(options));
    }

    // Loads the directory and sets the account URL, as a session would.
    void ready() {
        auto st = client->loadDirectory(server.directoryUrl());
        if (!st) {
            throw std::runtime_error("fixture: loading the directory failed: " +
                                     st.error().message);
        }
        client->setAccountUrl(server.accountUrl());
    }
};

} // namespace certkeep::fakes
