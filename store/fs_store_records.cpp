// FsStore per-certificate records: state/NAME/{settings,renewal,pending}.json.
#include "store/atomic_file.hpp"
#include "store/fs_store.hpp"
#include "store/records_json.hpp"

namespace certkeep::store {

namespace {

constexpr const char* kSettings = "settings.json";
constexpr const char* kRenewal = "renewal.json";
constexpr const char* kPending = "pending.json";

// Parses state/NAME/file; a broken one is a Config error naming the file and the way out.
template <typename T>
Result<std::optional<T>>
parseStored(Result<std::optional<std::string>> text, Result<T> (*parse)(const std::string&),
            const std::filesystem::path& root, const std::string& name, const char* file) {
    if (!text || !text->has_value()) {
        return text ? Result<std::optional<T>>(std::nullopt) : text.takeError();
    }
    auto record = parse(**text);
    if (!record) {
        auto path = root / "state" / name / file; // built only for the message
        return fail(ErrorKind::Config, path.string() + " is not a valid record (" +
                                           record.error().message + "); remove it to start over");
    }
    return std::optional<T>(std::move(*record));
}

} // namespace

Result<std::optional<std::string>> FsStore::readRecord(const std::string& name, const char* file) {
    if (auto valid = checkCertName(name); !valid) {
        return valid.takeError();
    }
    auto root = readRoot();
    if (!root || *root == nullptr) {
        return root ? Result<std::optional<std::string>>(std::nullopt) : root.takeError();
    }
    return readFileBelow(**root, {"state", name}, file);
}

// Records are small and some hold a private key: all are written 0600.
Status FsStore::writeRecord(const std::string& name, const char* file, Result<std::string> text) {
    if (auto valid = checkCertName(name); !valid) {
        return valid;
    }
    if (!text) {
        return text.takeError();
    }
    auto dir = makePath({"state", name});
    if (!dir) {
        return dir.takeError();
    }
    return writeFileAtomic(*dir, file, *text, 0600);
}

Result<std::optional<CertSettings>> FsStore::loadSettings(const std::string& name) {
    return parseStored(readRecord(name, kSettings), &settingsFromJson, root_, name, kSettings);
}

Status FsStore::saveSettings(const std::string& name, const CertSettings& settings) {
    return writeRecord(name, kSettings, settingsToJson(settings));
}

Result<RenewalState> FsStore::loadRenewalState(const std::string& name) {
    auto state = parseStored(readRecord(name, kRenewal), &renewalFromJson, root_, name, kRenewal);
    if (!state) {
        return state.takeError();
    }
    return state->value_or(RenewalState{});
}

Status FsStore::saveRenewalState(const std::string& name, const RenewalState& state) {
    return writeRecord(name, kRenewal, renewalToJson(state));
}

Result<std::optional<PendingOrder>> FsStore::loadPendingOrder(const std::string& name) {
    return parseStored(readRecord(name, kPending), &pendingFromJson, root_, name, kPending);
}

Status FsStore::savePendingOrder(const std::string& name, const PendingOrder& order) {
    return writeRecord(name, kPending, pendingToJson(order));
}

Status FsStore::removePendingOrder(const std::string& name) {
    if (auto valid = checkCertName(name); !valid) {
        return valid;
    }
    auto dir = openPath({"state", name}, false);
    if (!dir || !dir->has_value()) {
        return dir ? Status() : Status(dir.takeError());
    }
    return removeFile(**dir, kPending);
}

} // namespace certkeep::store
