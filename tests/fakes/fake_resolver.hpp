#pragma once
// Test fake for challenges::dns::Resolver: scripted answers per (server, name, type), answers
// that change once a question has been asked N times (a secondary catching up), servers that
// cannot be reached, and a log of every batch. Thread-safe.

#include "challenges/dns/resolver.hpp"
#include "challenges/dns/unreachable.hpp"

#include <chrono>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace certkeep::fakes {

class FakeResolver : public challenges::dns::Resolver {
  public:
    using Answer = challenges::dns::Answer;
    using Question = challenges::dns::Question;
    using RecordType = challenges::dns::RecordType;
    using Server = std::optional<challenges::dns::ServerAddress>; // nullopt: system resolver

    // `server` answers (name, type) with `answer` from now on.
    void answer(const Server& server, const std::string& name, RecordType type, Answer answer) {
        answerAfter(server, name, type, 0, std::move(answer));
    }
    // `server` answers (name, type) with `answer` once that question has been asked `asked`
    // times before; earlier askings get the script with the next lower count (or fallback).
    void answerAfter(const Server& server, const std::string& name, RecordType type, int asked,
                     Answer answer) {
        std::lock_guard lock(mutex_);
        scripts_[key(server, name, type)][asked] = std::move(answer);
    }
    // Every question to `server` fails: no reply within the timeout when `reason` is empty,
    // else unreachable for `reason` ("Network is unreachable").
    void unreachable(const challenges::dns::ServerAddress& server, const std::string& reason = "") {
        std::lock_guard lock(mutex_);
        unreachable_[challenges::dns::formatServerAddress(server)] = reason;
    }
    // The answer to every question not scripted (default: NXDOMAIN, no SOA).
    void fallback(Answer answer) {
        std::lock_guard lock(mutex_);
        fallback_ = std::move(answer);
    }

    std::vector<Result<Answer>> ask(const std::vector<Question>& questions,
                                    std::chrono::milliseconds timeout) override {
        std::lock_guard lock(mutex_);
        batches_.push_back(questions);
        timeouts_.push_back(timeout);
        std::vector<Result<Answer>> results;
        for (const auto& q : questions) {
            results.push_back(respond(q, timeout));
        }
        return results;
    }

    // Every batch asked, in order.
    std::vector<std::vector<Question>> batches() const {
        std::lock_guard lock(mutex_);
        return batches_;
    }
    // Every question asked, in order, batches flattened.
    std::vector<Question> asked() const {
        std::lock_guard lock(mutex_);
        std::vector<Question> all;
        for (const auto& batch : batches_) {
            all.insert(all.end(), batch.begin(), batch.end());
        }
        return all;
    }
    // How many times (server, name, type) was asked.
    int count(const Server& server, const std::string& name, RecordType type) const {
        std::lock_guard lock(mutex_);
        auto it = counts_.find(key(server, name, type));
        return it == counts_.end() ? 0 : it->second;
    }
    std::vector<std::chrono::milliseconds> timeouts() const {
        std::lock_guard lock(mutex_);
        return timeouts_;
    }

    // Answers to script with.
    static Answer txt(std::vector<std::string> values) {
        Answer a = authoritative();
        a.txt = std::move(values);
        return a;
    }
    static Answer rcode(int code) {
        Answer a = authoritative();
        a.rcode = code;
        return a;
    }
    static Answer nxdomain(const std::string& soaOwner = "") {
        Answer a = rcode(3);
        a.soaOwner = soaOwner;
        return a;
    }
    // NOERROR without records; `soaOwner` in the authority section when not empty.
    static Answer noData(const std::string& soaOwner = "") {
        Answer a = authoritative();
        a.soaOwner = soaOwner;
        return a;
    }
    // The zone apex's SOA in the answer section.
    static Answer soa(const std::string& zone, const std::string& primary) {
        Answer a = noData(zone);
        a.targets = {primary};
        return a;
    }
    static Answer ns(std::vector<std::string> names) {
        Answer a = authoritative();
        a.targets = std::move(names);
        return a;
    }
    static Answer addresses(std::vector<std::string> ips) {
        Answer a = authoritative();
        a.addresses = std::move(ips);
        return a;
    }
    static Answer cname(const std::string& owner, const std::string& target) {
        Answer a = authoritative();
        a.cnames = {{owner, target}};
        return a;
    }

  private:
    using Key = std::tuple<std::string, std::string, RecordType>;

    static Answer authoritative() {
        Answer a;
        a.authoritative = true;
        return a;
    }
    static std::string serverText(const Server& server) {
        return server ? challenges::dns::formatServerAddress(*server) : "system";
    }
    static Key key(const Server& server, const std::string& name, RecordType type) {
        return {serverText(server), name, type};
    }

    Result<Answer> respond(const Question& q, std::chrono::milliseconds timeout) {
        std::string where = serverText(q.server);
        int asked = counts_[key(q.server, q.name, q.type)]++;
        if (auto it = unreachable_.find(where); it != unreachable_.end()) {
            return it->second.empty() ? challenges::dns::noReplyError(where, timeout)
                                      : challenges::dns::unreachableError(where, it->second);
        }
        auto script = scripts_.find(key(q.server, q.name, q.type));
        if (script == scripts_.end()) {
            return fallback_;
        }
        auto step = script->second.upper_bound(asked); // first script that starts later
        if (step == script->second.begin()) {
            return fallback_;
        }
        return std::prev(step)->second;
    }

    mutable std::mutex mutex_;
    std::map<Key, std::map<int, Answer>> scripts_;
    std::map<Key, int> counts_;
    std::map<std::string, std::string> unreachable_;
    Answer fallback_ = nxdomain();
    std::vector<std::vector<Question>> batches_;
    std::vector<std::chrono::milliseconds> timeouts_;
};

} // namespace certkeep::fakes
