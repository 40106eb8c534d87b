#pragma once
// The ACME account of one server: loaded from the store, found at the CA by its key, or created.
// Load, register and save happen under the store's account lock, so concurrent first runs end
// with one account whose key and URL belong together.

#include "acme/client.hpp"
#include "acme/crypto/jws.hpp"
#include "lifecycle/services.hpp"
#include "lifecycle/spec.hpp"

#include <memory>
#include <string>

namespace certkeep::lifecycle {

enum class AccountMode {
    Existing, // use the stored account; NotFound error when there is none (account show)
    Create,   // use the stored account, create one when there is none (issue)
    Register, // ask the CA about the stored account; register when it does not know it
};

// How the account came to be in this run.
enum class AccountOrigin { Stored, Found, Registered, Reregistered };

struct AccountSession {
    std::unique_ptr<acme::KeySigner> signer;
    std::unique_ptr<acme::Client> client; // directory loaded, account URL set
    std::string thumbprint;               // RFC 7638, for key authorizations
    store::AccountData account;
    AccountOrigin origin = AccountOrigin::Stored;
};

// Loads the directory and the account for spec.server as `mode` says.
Result<AccountSession> openAccount(Services& services, const AccountSpec& spec, AccountMode mode);

// The CA answered accountDoesNotExist for our stored URL (a reset CA, a deleted account):
// with --agree-tos registers the stored key again and replaces the URL (saying so); without
// it, a Usage error naming the fix.
Status recoverForgottenAccount(Services& services, const AccountSpec& spec,
                               AccountSession& session);

// True when `error` is the CA saying it does not know our account.
bool isAccountUnknown(const Error& error);

} // namespace certkeep::lifecycle
