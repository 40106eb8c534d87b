#pragma once
// Planning one certificate's renewal: what is live, where its renewal stands, whether the
// settings changed, the ARI window when the CA offers one, and the resulting decision.
// Internal to lifecycle/renewal.

#include "acme/client.hpp"
#include "lifecycle/renewal.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace certkeep::lifecycle {

// Per run, shared by its workers: each server's directory, loaded once by the first worker
// that needs it (the others wait for that one GET), and one signer the ARI clients are built
// with (ARI is a plain GET: it never signs).
class DirectoryCache {
  public:
    explicit DirectoryCache(acme::ClientOptions options) : options_(std::move(options)) {}
    // The directory of `server`, fetched through `transport` the first time; nullptr when it
    // could not be loaded and that error was already returned once in this run (one note per
    // server, not one per certificate).
    Result<const acme::Directory*> get(const std::string& server, acme::Transport& transport);
    [[nodiscard]] const acme::ClientOptions& options() const { return options_; }
    Result<const acme::Signer*> signer();

  private:
    Result<const acme::Signer*> signerLocked();

    struct Entry {
        std::optional<acme::Directory> directory;
        std::optional<Error> error; // the directory could not be loaded in this run
        bool reported = false;      // that error was returned once already
    };
    std::mutex mutex_; // held while loading
    acme::ClientOptions options_;
    std::unique_ptr<acme::KeySigner> signer_;
    std::map<std::string, Entry> entries_;
};

// Per worker thread: one ARI client per server on the worker's transport.
class AriSource {
  public:
    AriSource(acme::Transport& transport, DirectoryCache& directories)
        : transport_(transport), directories_(directories) {}
    // The window for certificate `certId` at `server`; nullopt when the CA offers no ARI, and
    // also when its directory could not be loaded and that error was already returned once.
    Result<std::optional<acme::RenewalInfo>> fetch(const std::string& server,
                                                   const std::string& certId);

  private:
    acme::Transport& transport_;
    DirectoryCache& directories_;
    std::map<std::string, std::unique_ptr<acme::Client>> clients_;
};

struct Plan {
    std::optional<CertFacts> live;
    int liveVersion = 0;
    store::RenewalState state;
    bool changed = false; // identifiers or key type differ from the live version's
    Decision decision;
    // From the live version's metadata, for status and metrics ("" / unset when unknown).
    std::string issuer;
    std::string serial;
    std::optional<TimePoint> chainNotAfter; // earliest notAfter of leaf + chain
    std::string chainEarliest;              // subject CN of that certificate
};

// Reads the store (no keys), refreshes the ARI window when it is stale (saving it in the
// renewal state, except in a dry run, which writes nothing) and decides. ARI failures are notes,
// never fatal: the lifetime rule applies.
Result<Plan> planCertificate(Services& services, AriSource* ari, const ManagedCertificate& cert,
                             bool force, bool dryRun = false);

} // namespace certkeep::lifecycle
