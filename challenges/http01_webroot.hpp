#pragma once
// HTTP-01 (RFC 8555 §8.3) through an existing web server's document root.

#include "challenges/published_tokens.hpp"
#include "challenges/solver.hpp"
#include "challenges/unique_fd.hpp"

#include <filesystem>
#include <mutex>
#include <string>

namespace certkeep::challenges {

// Writes DIR/.well-known/acme-challenge/<token> (0644, created directories 0755) and
// removes the file on cleanup. Every step is relative to directory descriptors; a symlink
// below DIR is followed only when root owns it (see webroot_fs.hpp).
class Http01Webroot : public Solver {
  public:
    // Opens dir and runs check(): Config error naming the path when it is unusable. The
    // directory is opened once, here, so one run writes and cleans up in the same place.
    static Result<std::unique_ptr<Http01Webroot>> create(const std::filesystem::path& dir);
    [[nodiscard]] std::string type() const override { return "http-01"; }
    // Preflight before contacting the CA: .well-known/acme-challenge exists as a directory we
    // may write, or can be created. Config error with a one-line reason naming the path.
    Status check();
    // Writes the task's token file (temp file + rename); Protocol error for a bad token.
    Status present(const ChallengeTask& task) override;
    // Re-reads every published token file through the directory descriptors until all hold
    // their key authorization; Timeout error naming the first file that does not.
    Status waitReady(std::chrono::steady_clock::time_point deadline) override;
    // Removes the token file unless another presented task uses it, also when an earlier
    // process wrote it, then the directories we created if they are empty again.
    Status cleanup(const ChallengeTask& task) override;
    // Removes every file this instance published; thread-safe, idempotent.
    void withdrawAll() override;

  private:
    struct Dirs {
        UniqueFd wellKnown;
        UniqueFd challenge;
    };
    Http01Webroot(std::filesystem::path dir, UniqueFd root)
        : dir_(std::move(dir)), root_(std::move(root)) {}
    [[nodiscard]] std::filesystem::path challengePath() const;
    // Opens .well-known/acme-challenge, creating the missing parts when `create`.
    Result<Dirs> openDirs(bool create);
    // "" when the token file holds keyAuth, else what is wrong with it.
    std::string unready(const std::string& token, const std::string& keyAuth);
    // Removes the directories openDirs() created, if they are empty again.
    void removeCreatedDirs(const Dirs& dirs);

    std::filesystem::path dir_; // as the operator named it, for messages
    UniqueFd root_;
    std::mutex mutex_; // guards everything below, and every filesystem step
    PublishedTokens published_;
    bool madeWellKnown_ = false; // we created .well-known
    bool madeChallenge_ = false; // we created .well-known/acme-challenge
};

} // namespace certkeep::challenges
