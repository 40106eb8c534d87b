#pragma once
// Test helper: an acme::Client wired to a FakeAcmeServer, with a fresh ES256 account key and
// a FakeClock, so polling records its waits instead of sleeping.

#include "acme/client.hpp"
#include "fakes/fake_ca.hpp"
#include "fakes/fake_clock.hpp"
#include "fakes/fake_transport.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace certkeep::fakes {

struct ClientFixture {
    FakeAcmeServer server;
    acme::KeySigner signer{generateKey(acme::KeyType::EcP256)};
    FakeClock clock;
    std::vector<std::chrono::milliseconds>& sleeps = clock.sleeps; // every wait of the client
    std::vector<std::string> logLines;
    std::unique_ptr<acme::Client> client;

    explicit ClientFixture(acme::ClientOptions options = {}) { reset(std::move(options)); }
    ClientFixture(const ClientFixture&) = delete;
    ClientFixture& operator=(const ClientFixture&) = delete;

    // Rebuilds the client with `options` (clock and log are always injected).
    void reset(acme::ClientOptions options) {
        options.clock = &clock;
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
