#pragma once
// The renewal state record is read-modify-written under the certificate's lock, so that two
// runs never overwrite each other's outcome with a stale copy.

#include "lifecycle/services.hpp"

#include <functional>
#include <string>

namespace certkeep::lifecycle {

// Locks `name`, loads its state, applies `change`, saves it (uninterruptible), returns it.
Result<store::RenewalState>
updateRenewalState(Services& services, const std::string& name,
                   const std::function<void(store::RenewalState&)>& change);

// Same, when the caller already holds the certificate's lock.
Result<store::RenewalState>
updateRenewalStateLocked(Services& services, const std::string& name,
                         const std::function<void(store::RenewalState&)>& change);

} // namespace certkeep::lifecycle
