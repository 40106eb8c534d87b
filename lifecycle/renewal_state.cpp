#include "lifecycle/renewal_state.hpp"

namespace certkeep::lifecycle {

Result<store::RenewalState>
updateRenewalStateLocked(Services& services, const std::string& name,
                         const std::function<void(store::RenewalState&)>& change) {
    auto state = services.store.loadRenewalState(name);
    if (!state) {
        return state.takeError();
    }
    change(*state);
    ShutdownGate::Section section(services.gate);
    if (auto st = services.store.saveRenewalState(name, *state); !st) {
        return st.takeError();
    }
    return state;
}

Result<store::RenewalState>
updateRenewalState(Services& services, const std::string& name,
                   const std::function<void(store::RenewalState&)>& change) {
    auto lock = services.store.lockCertificate(name, services.flow.lockTimeout);
    if (!lock) {
        return lock.takeError();
    }
    return updateRenewalStateLocked(services, name, change);
}

} // namespace certkeep::lifecycle
