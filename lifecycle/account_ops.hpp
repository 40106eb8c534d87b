#pragma once
// Operations on the stored ACME account of one server: key rollover (RFC 8555 §7.3.5) with
// the new key staged in the store before the CA is asked, contact update (§7.3.2) and
// deactivation (§7.3.6). Every change of the stored account happens under its lock.

#include "acme/crypto/key.hpp"
#include "acme/types.hpp"
#include "lifecycle/services.hpp"
#include "lifecycle/spec.hpp"
#include "store/records.hpp"

#include <optional>
#include <string>
#include <vector>

namespace certkeep::lifecycle {

// What a rollover did.
struct RolloverOutcome {
    std::string accountUrl;    // unchanged by a rollover
    std::string oldThumbprint; // RFC 7638, of the key replaced
    std::string newThumbprint;
    std::string newAlg; // "ES256", ...
};

// A rollover a previous run left in flight (AccountData::stagedKeyPem set) is settled by asking
// the CA, with onlyReturnExisting signed by the staged key (§7.3.1), whose account that key
// opens: ours -> the CA made the change, the staged key becomes the key; none -> the change
// never happened, the staged key is dropped. Either way the account is saved and a note says
// what happened. Precondition: the account lock is held and `account` is what the store holds.
// Network errors leave everything as it was (the next use asks again).
Status resolveStagedKey(Services& services, const AccountSpec& spec, store::AccountData& account);

// Takes the account lock, settles a staged key (resolveStagedKey), releases the lock. Success
// when there is no account or nothing was staged. Run before openAccount.
Status settleStagedKey(Services& services, const AccountSpec& spec);

// §7.3.5: a new key of type `alg` (nullopt = the current key's algorithm) is written to the
// store as the staged key, then keyChange is sent, then the new key replaces the old one. A
// refusal by the CA drops the staged key; a lost answer keeps it for resolveStagedKey.
// NotFound error when no account is stored; Usage error when it has no URL yet. Crash tests
// stop at the steps "rollover-key-staged" (stored, not sent) and "rollover-key-changed" (the CA
// switched keys, the store still has the old one as the key).
Result<RolloverOutcome> rolloverAccountKey(Services& services, const AccountSpec& spec,
                                           std::optional<acme::JwsAlg> alg);

// §7.3.2: the account's contact becomes "mailto:" + each email (empty = no contact) at the
// CA, then in the store. Returns the account as the CA answered.
Result<acme::Account> updateAccountContact(Services& services, const AccountSpec& spec,
                                           const std::vector<std::string>& emails);

// §7.3.6: deactivates the stored account at the CA, for good. The record stays in the store
// (its key still identifies it), so later requests fail with the CA's "deactivated" answer
// instead of silently registering a new account.
Result<acme::Account> deactivateAccount(Services& services, const AccountSpec& spec);

} // namespace certkeep::lifecycle
