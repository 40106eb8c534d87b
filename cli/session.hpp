#pragma once
// Wiring shared by the commands: store, transport, account key, protocol client, account.

#include "acme/client.hpp"
#include "acme/crypto/jws.hpp"
#include "cli/options.hpp"
#include "store/store.hpp"

#include <functional>
#include <memory>
#include <string>

namespace certkeep::cli {

using Logger = std::function<void(const std::string&)>;

struct Session {
    store::StorePtr store;
    std::string stateDir;
    acme::TransportPtr transport;
    std::unique_ptr<acme::KeySigner> signer;
    std::unique_ptr<acme::Client> client;
    std::string thumbprint;      // RFC 7638 thumbprint of the account key
    store::AccountData account;  // as stored (url set once registered)
    bool accountCreated = false; // this run registered the account
};
using SessionPtr = std::unique_ptr<Session>;

// The state directory the options select.
std::string stateDirFor(const GlobalOptions& global);

// Opens the store and the CA connection, loads the directory and the account.
// With registerIfMissing, creates the account (ToS, EAB checked first) and stores it only
// once the CA confirmed it; otherwise a missing account is a NotFound error.
Result<SessionPtr> openSession(const GlobalOptions& global, bool registerIfMissing,
                               const Logger& log);

} // namespace certkeep::cli
