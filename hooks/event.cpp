#include "hooks/event.hpp"

#include <algorithm>

namespace certkeep::hooks {

namespace {

std::string joinSpaces(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : " ") + item;
    }
    return out;
}

// One fact under its environment name and its JSON key.
struct Field {
    const char* env;
    const char* json;
    const std::string HookEvent::*member;
};

constexpr Field kFields[] = {
    {"CERTKEEP_EVENT", "event", &HookEvent::event},
    {"CERTKEEP_NAME", "name", &HookEvent::name},
    {"CERTKEEP_LIVE_DIR", "live_dir", &HookEvent::liveDir},
    {"CERTKEEP_CERT", "cert", &HookEvent::cert},
    {"CERTKEEP_CHAIN", "chain", &HookEvent::chain},
    {"CERTKEEP_FULLCHAIN", "fullchain", &HookEvent::fullchain},
    {"CERTKEEP_KEY", "key", &HookEvent::key},
    {"CERTKEEP_SERIAL", "serial", &HookEvent::serial},
    {"CERTKEEP_NOT_AFTER", "not_after", &HookEvent::notAfter},
    {"CERTKEEP_ERROR", "error", &HookEvent::error},
    {"CERTKEEP_TIME_LEFT", "time_left", &HookEvent::timeLeft},
};

} // namespace

const std::vector<std::string>& knownEvents() {
    static const std::vector<std::string> events{kPre, kDeploy, kPost, kFailure, kAlert};
    return events;
}

bool isKnownEvent(const std::string& event) {
    const auto& all = knownEvents();
    return std::find(all.begin(), all.end(), event) != all.end();
}

std::map<std::string, std::string> hookEnvironment(const HookEvent& event) {
    std::map<std::string, std::string> env;
    for (const auto& f : kFields) {
        if (const std::string& v = event.*f.member; !v.empty()) {
            env[f.env] = v;
        }
    }
    if (!event.domains.empty()) {
        env["CERTKEEP_DOMAINS"] = joinSpaces(event.domains);
    }
    if (event.event == kPost) {
        env["CERTKEEP_RENEWED"] = joinSpaces(event.renewed);
        env["CERTKEEP_FAILED"] = joinSpaces(event.failed);
    }
    return env;
}

nlohmann::json hookJson(const HookEvent& event) {
    nlohmann::json doc = nlohmann::json::object();
    for (const auto& f : kFields) {
        if (const std::string& v = event.*f.member; !v.empty()) {
            doc[f.json] = v;
        }
    }
    if (!event.domains.empty()) {
        doc["domains"] = event.domains;
    }
    if (event.event == kPost) {
        doc["renewed"] = event.renewed;
        doc["failed"] = event.failed;
    }
    return doc;
}

} // namespace certkeep::hooks
