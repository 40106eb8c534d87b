// FsStore accounts: key, URL and contact in one account.json, and the older two-file layout.
#include "store/atomic_file.hpp"
#include "store/fs_store.hpp"
#include "store/records_json.hpp"

#include <algorithm>

namespace certkeep::store {

namespace fs = std::filesystem;

namespace {

// True when `pem` holds "-----BEGIN ...-----" followed by a whole "-----END ...-----" line.
bool hasCompletePemBlock(const std::string& pem) {
    auto begin = pem.find("-----BEGIN ");
    auto beginEnd = begin == std::string::npos ? begin : pem.find("-----", begin + 11);
    auto end = beginEnd == std::string::npos ? beginEnd : pem.find("-----END ", beginEnd + 5);
    return end != std::string::npos && pem.find("-----", end + 9) != std::string::npos;
}

// Refuses a key that is empty or obviously cut short; full parsing happens above the store.
Status checkStoredKey(const std::string& pem, const fs::path& where) {
    std::string why;
    if (pem.find_first_not_of(" \t\r\n") == std::string::npos) {
        why = "it is empty";
    } else if (!hasCompletePemBlock(pem)) {
        why = "it holds no complete PEM block (truncated?)";
    } else {
        return {};
    }
    return fail(ErrorKind::Config,
                "stored account key " + where.string() + " is unreadable: " + why +
                    "; restore it from a backup, or move " + where.filename().string() +
                    " away to register a new account");
}

// account.json of `dir`, parsed; nullopt when there is none.
Result<std::optional<StoredAccount>> readAccountJson(const DirFd& dir) {
    auto text = readFile(dir, "account.json");
    if (!text || !text->has_value()) {
        return text ? Result<std::optional<StoredAccount>>(std::nullopt) : text.takeError();
    }
    auto parsed = accountFromJson(**text);
    if (!parsed) {
        return fail(ErrorKind::Config,
                    dir.pathOf("account.json").string() + " is not a valid account record (" +
                        parsed.error().message + "); move it away to register a new account");
    }
    return std::optional<StoredAccount>(std::move(*parsed));
}

// The account in `dir`: account.json with its key, or the older layout (account.key beside an
// account.json without one, or alone after a crash). nullopt when there is no key.
Result<std::optional<AccountData>> readAccountDir(const DirFd& dir) {
    auto stored = readAccountJson(dir);
    if (!stored) {
        return stored.takeError();
    }
    if (stored->has_value() && (*stored)->hasKey) {
        AccountData account = std::move((*stored)->account);
        if (auto key = checkStoredKey(account.keyPem, dir.pathOf("account.json")); !key) {
            return key.takeError();
        }
        return std::optional<AccountData>(std::move(account));
    }
    auto key = readFile(dir, "account.key");
    if (!key || !key->has_value()) {
        return key ? Result<std::optional<AccountData>>(std::nullopt) : key.takeError();
    }
    if (auto checked = checkStoredKey(**key, dir.pathOf("account.key")); !checked) {
        return checked.takeError();
    }
    AccountData account = stored->has_value() ? std::move((*stored)->account) : AccountData{};
    account.keyPem = std::move(**key);
    return std::optional<AccountData>(std::move(account));
}

} // namespace

// A missing URL (older layout, crash before account.json) means "key known, URL unknown": the
// client can recover it from the key (RFC 8555 §7.3.1 onlyReturnExisting).
Result<std::optional<AccountData>> FsStore::loadAccount(const std::string& directoryUrl) {
    auto dir = openPath({"accounts", serverId(directoryUrl)}, false);
    if (!dir || !dir->has_value()) {
        return dir ? Result<std::optional<AccountData>>(std::nullopt) : dir.takeError();
    }
    auto account = readAccountDir(**dir);
    if (account && account->has_value()) {
        (*account)->directoryUrl = directoryUrl;
    }
    return account;
}

// One atomic write of key, URL and contact; then the older layout's key file goes, so it can
// never be paired with a URL it does not belong to.
Status FsStore::saveAccount(const std::string& directoryUrl, const AccountData& account) {
    AccountData stored = account;
    stored.directoryUrl = directoryUrl;
    auto text = accountToJson(stored);
    if (!text) {
        return text.takeError();
    }
    auto dir = makePath({"accounts", serverId(directoryUrl)});
    if (!dir) {
        return dir.takeError();
    }
    if (auto cleaned = removeStaleTemps(*dir, ".account.json.tmp-", false); !cleaned) {
        return cleaned;
    }
    if (auto written = writeFileAtomic(*dir, "account.json", *text, 0600); !written) {
        return written;
    }
    step("account-written");
    return removeFile(*dir, "account.key");
}

// Directories without an account.json are skipped: their server URL is not known.
Result<std::vector<AccountData>> FsStore::listAccounts() {
    auto accounts = openPath({"accounts"}, false);
    if (!accounts || !accounts->has_value()) {
        return accounts ? Result(std::vector<AccountData>{}) : accounts.takeError();
    }
    auto entries = (*accounts)->list();
    if (!entries) {
        return entries.takeError();
    }
    std::vector<AccountData> out;
    for (const auto& e : *entries) {
        if (e.type != EntryType::Directory && e.type != EntryType::Symlink) {
            continue;
        }
        auto dir = (*accounts)->openDir(e.name, false); // refuses a link
        if (!dir) {
            return dir.takeError();
        }
        if (!dir->has_value()) {
            continue; // removed meanwhile
        }
        auto account = readAccountDir(**dir);
        if (!account) {
            return account.takeError();
        }
        if (account->has_value() && !(*account)->directoryUrl.empty()) {
            out.push_back(std::move(**account));
        }
    }
    std::sort(out.begin(), out.end(), [](const AccountData& a, const AccountData& b) {
        return a.directoryUrl < b.directoryUrl;
    });
    return out;
}

} // namespace certkeep::store
