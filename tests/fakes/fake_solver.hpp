#pragma once
// Test fake for challenges::Solver: records present/cleanup calls; can refuse present().

#include "challenges/solver.hpp"

#include <set>
#include <string>
#include <vector>

namespace certkeep::fakes {

class FakeSolver : public challenges::Solver {
  public:
    struct Call {
        std::string domain;
        std::string token;
        std::string keyAuth; // "" for cleanup
    };

    explicit FakeSolver(std::string type = "http-01") : type_(std::move(type)) {}

    [[nodiscard]] std::string type() const override { return type_; }

    Status present(const std::string& domain, const std::string& token,
                   const std::string& keyAuth) override {
        ++presentAttempts;
        if (failPresentFor.count(domain) != 0U) {
            return fail(ErrorKind::Local, "fake solver: refusing to present for " + domain);
        }
        presented.push_back({domain, token, keyAuth});
        return {};
    }

    Status cleanup(const std::string& domain, const std::string& token) override {
        cleanedUp.push_back({domain, token, ""});
        return {};
    }

    int presentAttempts = 0;     // every present() call, also refused ones
    std::vector<Call> presented; // successful present() calls
    std::vector<Call> cleanedUp;
    std::set<std::string> failPresentFor; // domains whose present() fails

  private:
    std::string type_;
};

} // namespace certkeep::fakes
