#pragma once
// Filesystem Store. Layout under the state directory (all directories 0700):
//   accounts/<server-id>/account.key   account private key, 0600
//   accounts/<server-id>/account.json  {"directory":..., "url":..., "contact":...}
//   archive/<NAME>/<N>/{cert,chain,fullchain,privkey}.pem + meta.json   (privkey 0600)
//   live/<NAME> -> ../archive/<NAME>/<N>   symlink, replaced atomically by rename(2)
//   locks/<key>.lock                       flock(2) files
// Every file is written as temp file + fsync + rename, then the directory is fsynced.

#include "store/store.hpp"

#include <filesystem>
#include <functional>
#include <string_view>

namespace certkeep::store {

class FsStore : public Store {
  public:
    // Test hook called between the steps of saveCertificate with the step's name
    // ("version-dir", "files-written", "symlink-created", "switched"); a test throws
    // from it to simulate a crash at that point.
    using StepHook = std::function<void(std::string_view step)>;

    // Does not touch the disk: directories are created on first write.
    explicit FsStore(std::filesystem::path root, StepHook hook = {});

    Result<std::optional<AccountData>> loadAccount(const std::string& directoryUrl) override;
    Status saveAccount(const std::string& directoryUrl, const AccountData& account) override;
    Result<int> saveCertificate(const std::string& name, const CertVersion& version) override;
    Result<std::optional<CertVersion>> loadLive(const std::string& name) override;
    Result<std::vector<std::string>> listCertificates() override;
    [[nodiscard]] std::string liveLocation(const std::string& name) const override;
    Result<LockPtr> lock(const std::string& key, int timeoutSeconds) override;

    // "acme-v02.api.letsencrypt.org_directory" style id: host[_port] + path, [A-Za-z0-9.-_] only.
    static std::string serverId(const std::string& directoryUrl);
    [[nodiscard]] const std::filesystem::path& root() const { return root_; }

  private:
    std::filesystem::path root_;
    StepHook hook_;
};

// Default state directory: /var/lib/certkeep as root, else $XDG_STATE_HOME/certkeep
// (falling back to $HOME/.local/state/certkeep).
std::filesystem::path defaultStateDir();

} // namespace certkeep::store
