// Which HTTP-01 tokens are published, and for which tasks (RFC 8555 §8.3).

#include "challenges/published_tokens.hpp"

namespace certkeep::challenges {

std::string taskName(const ChallengeTask& task) {
    return task.wildcard ? "*." + task.identifier : task.identifier;
}

Status PublishedTokens::add(const ChallengeTask& task) {
    auto it = entries_.find(task.token);
    if (it == entries_.end()) {
        entries_.emplace(task.token, Entry{task.keyAuthorization, {taskName(task)}});
        return {};
    }
    if (it->second.keyAuthorization != task.keyAuthorization) {
        return fail(ErrorKind::Protocol, "challenge token " + task.token + " for " +
                                             taskName(task) +
                                             " is already published with another key "
                                             "authorization");
    }
    it->second.owners.insert(taskName(task));
    return {};
}

PublishedTokens::Removal PublishedTokens::remove(const ChallengeTask& task) {
    auto it = entries_.find(task.token);
    if (it == entries_.end()) {
        return Removal::NotPublished;
    }
    it->second.owners.erase(taskName(task)); // a task that never presented it changes nothing
    if (!it->second.owners.empty()) {
        return Removal::StillUsed;
    }
    entries_.erase(it);
    return Removal::Last;
}

const std::string* PublishedTokens::keyAuthorization(const std::string& token) const {
    auto it = entries_.find(token);
    return it == entries_.end() ? nullptr : &it->second.keyAuthorization;
}

std::vector<std::pair<std::string, std::string>> PublishedTokens::all() const {
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(entries_.size());
    for (const auto& [token, entry] : entries_) {
        out.emplace_back(token, entry.keyAuthorization);
    }
    return out;
}

} // namespace certkeep::challenges
