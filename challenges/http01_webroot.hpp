#pragma once
// HTTP-01 (RFC 8555 §8.3) through an existing web server's document root.

#include "challenges/solver.hpp"

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace certkeep::challenges {

// Writes DIR/.well-known/acme-challenge/<token> (0644, created directories 0755) and
// removes the file on cleanup.
class Http01Webroot : public Solver {
  public:
    // Config error when dir does not exist or is not a directory.
    static Result<std::unique_ptr<Http01Webroot>> create(const std::filesystem::path& dir);
    [[nodiscard]] std::string type() const override { return "http-01"; }
    Status present(const std::string& domain, const std::string& token,
                   const std::string& keyAuth) override;
    Status cleanup(const std::string& domain, const std::string& token) override;
    void withdrawAll() override;

  private:
    explicit Http01Webroot(std::filesystem::path dir) : dir_(std::move(dir)) {}
    // Creates .well-known/acme-challenge under dir_ as needed, remembering what it made.
    Status ensureChallengeDir();
    // Removes the directories ensureChallengeDir() made, if they are empty again.
    void removeCreatedDirs();

    std::filesystem::path dir_;
    std::mutex mutex_;                           // guards created_ across present/cleanup
    std::vector<std::filesystem::path> created_; // directories we made, outermost first
    std::vector<std::string> published_;         // tokens whose files are in place
};

} // namespace certkeep::challenges
