#pragma once
// Bookkeeping shared by the HTTP-01 solvers: which tokens are published, for which tasks.

#include "challenges/solver.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace certkeep::challenges {

// Tokens and the tasks that published them. Not synchronized: the owning solver locks.
// Usually one task per token; a repeated present() of the same task is idempotent, and a
// token stays published until the last task that presented it is cleaned up.
class PublishedTokens {
  public:
    enum class Removal {
        NotPublished, // the task had not published this token (e.g. a previous process did)
        StillUsed,    // another task still uses the token: keep serving it
        Last,         // the task was the last user: withdraw the response
    };

    // Records the task. Protocol error when the token is already published with another key
    // authorization (one URL cannot serve two bodies).
    Status add(const ChallengeTask& task);
    // Forgets the task and tells whether its token is still in use.
    Removal remove(const ChallengeTask& task);
    // The key authorization served for `token`, or nullptr when it is not published.
    [[nodiscard]] const std::string* keyAuthorization(const std::string& token) const;
    // Every published token with its key authorization, in token order.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> all() const;
    [[nodiscard]] bool empty() const { return entries_.empty(); }
    void clear() { entries_.clear(); }

  private:
    struct Entry {
        std::string keyAuthorization;
        std::set<std::string> owners; // "example.com", "*.example.com"
    };
    std::map<std::string, Entry> entries_;
};

// The name a task answers for, as people write it: "*.example.com" for a wildcard.
std::string taskName(const ChallengeTask& task);

} // namespace certkeep::challenges
