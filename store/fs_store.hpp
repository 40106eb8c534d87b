#pragma once
// Filesystem Store. Layout under the state directory (directories 0700):
//   accounts/<server-id>/account.json   {"directory","url","contact","key"}, 0600, one write
//   archive/<NAME>/<N>/{cert,chain,fullchain,privkey}.pem + meta.json   (privkey 0600)
//   live/<NAME> -> ../archive/<NAME>/<N>  symlink, replaced atomically by rename(2)
//   state/<NAME>/{settings,renewal,pending}.json   records, 0600
//   locks/<key>.lock                      flock(2) files ("cert-NAME", "account-<server-id>")
// Every file is written as temp file + fsync + rename, then the directory is fsynced. All
// access goes through directory descriptors (openat, O_NOFOLLOW): a link inside the state
// directory is refused, except live/NAME. The state directory itself may be a link.
// Temporary entries end in "<tid>-<pid>" so that leftovers of a dead writer can be told apart:
//   archive/<NAME>/.tmp-<N>-<tid>-<pid>/   a version being written (holds the private key)
//   live/.<NAME>.tmp-<tid>-<pid>           the next live link before it is renamed over

#include "store/dir_fd.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string_view>

namespace certkeep::store {

class FsStore : public Store {
  public:
    // Test hook called between the steps of a write with the step's name; a test throws from
    // it to simulate a crash at that point. saveCertificate: "version-dir", "files-written",
    // "symlink-created", "switched". saveAccount: "account-written" (before the key file of
    // the older layout is removed).
    using StepHook = std::function<void(std::string_view step)>;

    // Does not touch the disk: directories are created on first write.
    explicit FsStore(std::filesystem::path root, StepHook hook = {});

    Result<std::optional<AccountData>> loadAccount(const std::string& directoryUrl) override;
    Status saveAccount(const std::string& directoryUrl, const AccountData& account) override;
    Result<std::vector<AccountData>> listAccounts() override;

    Result<int> saveCertificate(const std::string& name, const CertVersion& version) override;
    Result<std::optional<CertVersion>> loadLive(const std::string& name) override;
    Result<CertVersion> loadVersion(const std::string& name, int number) override;
    Result<std::vector<int>> listVersions(const std::string& name) override;
    Result<std::vector<std::string>> listCertificates() override;
    [[nodiscard]] std::string liveLocation(const std::string& name) const override;

    Result<std::optional<CertSettings>> loadSettings(const std::string& name) override;
    Status saveSettings(const std::string& name, const CertSettings& settings) override;
    Result<RenewalState> loadRenewalState(const std::string& name) override;
    Status saveRenewalState(const std::string& name, const RenewalState& state) override;
    Result<std::optional<PendingOrder>> loadPendingOrder(const std::string& name) override;
    Status savePendingOrder(const std::string& name, const PendingOrder& order) override;
    Status removePendingOrder(const std::string& name) override;

    Status checkWritable(const std::string& name) override;
    Status removeLeftovers(const std::string& name) override;

    Result<LockPtr> lockCertificate(const std::string& name, std::chrono::seconds timeout) override;
    Result<LockPtr> lockAccount(const std::string& directoryUrl,
                                std::chrono::seconds timeout) override;

    // "acme-v02.api.letsencrypt.org_directory" style id: host[_port] + path, [A-Za-z0-9.-_] only.
    static std::string serverId(const std::string& directoryUrl);
    [[nodiscard]] const std::filesystem::path& root() const { return root_; }

  private:
    // root/parts[0]/parts[1]/...; nullopt when one is missing and !create.
    [[nodiscard]] Result<std::optional<DirFd>> openPath(std::initializer_list<std::string> parts,
                                                        bool create) const;
    // The same, every directory created when missing.
    [[nodiscard]] Result<DirFd> makePath(std::initializer_list<std::string> parts) const;
    void step(std::string_view name) const;
    // The checks of checkWritable, with the errors as they come.
    Status probeWritable(const std::string& name);
    // Builds a version under a temporary name and claims the first free number for it.
    Result<int> writeVersion(const DirFd& archive, const CertVersion& version);
    Status switchLive(const DirFd& live, const std::string& name, int number);
    // state/NAME/<file>: nullopt when absent.
    Result<std::optional<std::string>> readRecord(const std::string& name, const char* file);
    Status writeRecord(const std::string& name, const char* file, Result<std::string> text);

    std::filesystem::path root_;
    StepHook hook_;
};

// Default state directory: /var/lib/certkeep as root, else $XDG_STATE_HOME/certkeep
// (falling back to $HOME/.local/state/certkeep).
std::filesystem::path defaultStateDir();

} // namespace certkeep::store
