#pragma once
// Filesystem Store. Layout under the state directory (directories 0700):
//   accounts/<server-id>/account.json   {"directory","url","contact","key"[,"stagedKey"]}, 0600
//   archive/<NAME>/<N>/{cert,chain,fullchain,privkey}.pem + meta.json   (privkey 0600)
//   live/<NAME> -> ../archive/<NAME>/<N>  symlink, replaced atomically by rename(2)
//   state/<NAME>/{settings,renewal,pending}.json   records, 0600
//   locks/<key>.lock                      flock(2) files ("cert-NAME", "account-<server-id>",
//                                         "metrics")
//   metrics.json                          {"counters","gauges"}, 0644 (no secrets)
// key-group G / key-mode M (KeyAccess): privkey.pem gets group G and mode M, archive/<NAME>
// and <N> become G's with mode 0750, and the state root, archive/ and live/ give G search
// permission only (a POSIX ACL entry g:G:--x); accounts/, state/ and locks/ stay 0700.
// Every file is written as temp file + fsync + rename, then the directory is fsynced. All
// access goes through directory descriptors (openat, O_NOFOLLOW): a link inside the state
// directory is refused, except live/NAME. The state directory itself may be a link. Reads
// that renew makes for every name (records, live link, meta.json) take one openat2(2) with
// RESOLVE_NO_SYMLINKS each, from descriptors of the state directory and live/ kept open.
// Safe for concurrent use by many threads: no member changes after construction except
// those read descriptors, set once under a mutex.
// Temporary entries end in "<tid>-<pid>" so that leftovers of a dead writer can be told apart:
//   archive/<NAME>/.tmp-<N>-<tid>-<pid>/   a version being written (holds the private key)
//   live/.<NAME>.tmp-<tid>-<pid>           the next live link before it is renamed over
//   archive/<NAME>/.rm-<N>-<tid>-<pid>/    a version being removed
//   {archive,state}/.<NAME>.rm-<tid>-<pid>/ a certificate being removed

#include "store/dir_fd.hpp"
#include "store/key_access.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string_view>

namespace certkeep::store {

class FsStore : public Store {
  public:
    // Test hook called between the steps of a write with the step's name; a test throws from
    // it to simulate a crash at that point. saveCertificate: "version-dir", "files-written",
    // "symlink-created", "switched". saveAccount: "account-written" (before the key file of
    // the older layout is removed). removeVersion: "version-renamed". removeCertificate:
    // "live-removed", "archive-renamed", "state-renamed".
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
    Result<std::optional<std::pair<int, std::string>>>
    loadLiveMeta(const std::string& name) override;
    Status removeVersion(const std::string& name, int number) override;
    Status removeCertificate(const std::string& name) override;
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

    Result<MetricsRecord> loadMetrics() override;
    Result<MetricsRecord> updateMetrics(const std::map<std::string, std::uint64_t>& counterDeltas,
                                        const std::map<std::string, double>& gauges) override;

    // "acme-v02.api.letsencrypt.org_directory" style id: host[_port] + path, [A-Za-z0-9.-_] only.
    static std::string serverId(const std::string& directoryUrl);
    [[nodiscard]] const std::filesystem::path& root() const { return root_; }

  private:
    // Descriptors of the state directory and of live/ for reads, opened at the first read that
    // finds them and then kept (renew reads thousands of names): nullptr while missing.
    // Writes always open the path afresh, so a state directory replaced meanwhile is used.
    [[nodiscard]] Result<const DirFd*> readRoot() const;
    [[nodiscard]] Result<const DirFd*> readLive() const;
    // root/parts[0]/parts[1]/...; nullopt when one is missing and !create.
    [[nodiscard]] Result<std::optional<DirFd>> openPath(std::initializer_list<std::string> parts,
                                                        bool create) const;
    // The same, every directory created when missing.
    [[nodiscard]] Result<DirFd> makePath(std::initializer_list<std::string> parts) const;
    void step(std::string_view name) const;
    // The checks of checkWritable, with the errors as they come.
    Status probeWritable(const std::string& name);
    // Builds a version under a temporary name and claims the first free number for it.
    Result<int> writeVersion(const DirFd& archive, const CertVersion& version,
                             const ResolvedKeyAccess& access);
    // key-group: search permission on the shared directories above archive/NAME, which becomes
    // the group's.
    Status grantKeyPath(const DirFd& archiveName, const DirFd& live, gid_t gid);
    Status switchLive(const DirFd& live, const std::string& name, int number);
    // ".NAME.rm-": archive/NAME and state/NAME are renamed to this + owner before removal.
    static std::string removalPrefix(const std::string& name);
    // state/NAME/<file>: nullopt when absent.
    Result<std::optional<std::string>> readRecord(const std::string& name, const char* file);
    Status writeRecord(const std::string& name, const char* file, Result<std::string> text);
    // metrics.json in `root` parsed; an empty record when absent.
    [[nodiscard]] Result<MetricsRecord> readMetrics(const DirFd& root) const;

    std::filesystem::path root_;
    StepHook hook_;
    // The read descriptors: set once under cacheMutex_, never replaced, so the pointers handed
    // out stay valid. Every other member is immutable: one FsStore serves many threads.
    mutable std::mutex cacheMutex_;
    mutable std::optional<DirFd> rootFd_;
    mutable std::optional<DirFd> liveFd_;
};

// Default state directory: /var/lib/certkeep as root, else $XDG_STATE_HOME/certkeep
// (falling back to $HOME/.local/state/certkeep).
std::filesystem::path defaultStateDir();

} // namespace certkeep::store
