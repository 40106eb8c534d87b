#pragma once
// Planning one certificate's renewal: what is live, where its renewal stands, whether the
// settings changed, the ARI window when the CA offers one, and the resulting decision.
// Internal to lifecycle/renewal.

#include "acme/client.hpp"
#include "lifecycle/renewal.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace certkeep::lifecycle {

// Per worker thread: one directory and ARI client per server, on the worker's transport.
class AriSource {
  public:
    AriSource(acme::Transport& transport, acme::ClientOptions options)
        : transport_(transport), options_(std::move(options)) {}
    // The window for certificate `certId` at `server`; nullopt when the CA offers no ARI, and
    // also when its directory could not be loaded and that error was already returned once
    // (one note per server, not one per certificate).
    Result<std::optional<acme::RenewalInfo>> fetch(const std::string& server,
                                                   const std::string& certId);

  private:
    struct Entry {
        std::unique_ptr<acme::KeySigner> signer; // never signs: ARI is a plain GET
        std::unique_ptr<acme::Client> client;
        std::optional<Error> error; // the directory could not be loaded in this run
        bool reported = false;      // that error was returned once already
    };
    Result<Entry*> entryFor(const std::string& server);

    acme::Transport& transport_;
    acme::ClientOptions options_;
    std::map<std::string, Entry> entries_;
};

struct Plan {
    std::optional<CertFacts> live;
    int liveVersion = 0;
    store::RenewalState state;
    bool changed = false; // identifiers or key type differ from the live version's
    Decision decision;
};

// Reads the store (no keys), refreshes the ARI window when it is stale (saving it in the
// renewal state) and decides. ARI failures are notes, never fatal: the lifetime rule applies.
Result<Plan> planCertificate(Services& services, AriSource* ari, const ManagedCertificate& cert,
                             bool force);

} // namespace certkeep::lifecycle
