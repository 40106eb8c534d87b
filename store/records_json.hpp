#pragma once
// The JSON form of the store's records. Readers ignore members they do not know and take
// defaults for missing ones; a wrong type or a malformed time is a Config error naming the
// member (the caller adds the file). Times are RFC 3339 UTC strings, absent ones null.

#include "common/result.hpp"
#include "store/records.hpp"

#include <string>

namespace certkeep::store {

// account.json: {"directory","url","contact","key"[,"stagedKey"]}: "stagedKey" only while a key
// rollover is in flight. Files of the older layout have no "key"
// (it was in account.key beside them): hasKey tells the two apart.
struct StoredAccount {
    AccountData account; // directoryUrl from "directory"
    bool hasKey = false;
};
Result<std::string> accountToJson(const AccountData& account);
Result<StoredAccount> accountFromJson(const std::string& text);

Result<std::string> settingsToJson(const CertSettings& settings);
Result<CertSettings> settingsFromJson(const std::string& text);

Result<std::string> renewalToJson(const RenewalState& state);
Result<RenewalState> renewalFromJson(const std::string& text);

Result<std::string> pendingToJson(const PendingOrder& order);
Result<PendingOrder> pendingFromJson(const std::string& text);

// metrics.json: {"counters": {"<series>": n, ...}, "gauges": {"<series>": x, ...}}. Counters are
// unsigned integers; a gauge that is not finite is written "NaN", "+Inf" or "-Inf" (as the
// Prometheus text format spells them: JSON has no such numbers). (metrics_json.cpp)
Result<std::string> metricsToJson(const MetricsRecord& metrics);
Result<MetricsRecord> metricsFromJson(const std::string& text);

} // namespace certkeep::store
