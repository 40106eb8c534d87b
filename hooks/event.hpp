#pragma once
// What a hook is told about one event: the facts, as the environment (CERTKEEP_*) and as one
// JSON object on stdin. hooks/ knows no ACME and no store layout: the caller fills in paths.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace certkeep::hooks {

// The events, in the order a run fires them.
inline constexpr const char* kPre = "pre";         // once per run, before the first renewal
inline constexpr const char* kDeploy = "deploy";   // after a certificate was renewed and stored
inline constexpr const char* kPost = "post";       // once at the end, when anything happened
inline constexpr const char* kFailure = "failure"; // a renewal failed
inline constexpr const char* kAlert = "alert";     // near expiry and still not renewed

// True for the event names above.
bool isKnownEvent(const std::string& event);
// The known event names, for messages ("pre, deploy, post, failure, alert").
const std::vector<std::string>& knownEvents();

struct HookEvent {
    std::string event; // kPre, kDeploy, ...
    // Per-certificate events (deploy, failure, alert); empty for pre and post.
    std::string name;
    std::vector<std::string> domains;
    std::string liveDir;
    std::string cert;
    std::string chain;
    std::string fullchain;
    std::string key;
    std::string serial;   // hex
    std::string notAfter; // RFC 3339
    std::string error;    // failure: the one-line error
    std::string timeLeft; // alert: e.g. "3d4h"
    // post: the names renewed and failed in this run.
    std::vector<std::string> renewed;
    std::vector<std::string> failed;
};

// CERTKEEP_EVENT, CERTKEEP_NAME, CERTKEEP_DOMAINS (space-separated), CERTKEEP_LIVE_DIR,
// CERTKEEP_CERT, CERTKEEP_CHAIN, CERTKEEP_FULLCHAIN, CERTKEEP_KEY, CERTKEEP_SERIAL,
// CERTKEEP_NOT_AFTER, CERTKEEP_ERROR, CERTKEEP_TIME_LEFT, CERTKEEP_RENEWED, CERTKEEP_FAILED:
// only the ones that have a value.
std::map<std::string, std::string> hookEnvironment(const HookEvent& event);
// The same facts as one JSON object with snake_case keys ("event", "name", "domains" as an
// array, "live_dir", ..., "renewed"/"failed" as arrays).
nlohmann::json hookJson(const HookEvent& event);

} // namespace certkeep::hooks
