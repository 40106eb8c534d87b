// HTTP-01 (RFC 8555 §8.3) webroot: publish the key authorization as a static file that an
// existing web server serves. Writes are temp file + fsync + rename (never half-served).

#include "challenges/http01_webroot.hpp"

#include "challenges/webroot_fs.hpp"

#include <cerrno>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

namespace certkeep::challenges {

namespace fs = std::filesystem;

namespace {

constexpr const char* kWellKnown = ".well-known";
constexpr const char* kChallenge = "acme-challenge";
constexpr auto kRecheckEvery = std::chrono::milliseconds(20);

Unexpected invalidToken(const ChallengeTask& task) {
    return fail(ErrorKind::Protocol,
                "server sent an invalid challenge token for " + taskName(task));
}

bool isNotFound(const Error& e) {
    return e.kind == ErrorKind::NotFound;
}

} // namespace

Result<std::unique_ptr<Http01Webroot>> Http01Webroot::create(const fs::path& dir) {
    auto root = openWebroot(dir);
    if (!root) {
        return root.takeError();
    }
    std::unique_ptr<Http01Webroot> solver(new Http01Webroot(dir, std::move(*root)));
    if (auto st = solver->check(); !st) {
        return st.takeError();
    }
    return solver;
}

fs::path Http01Webroot::challengePath() const {
    return dir_ / kWellKnown / kChallenge;
}

Status Http01Webroot::check() {
    std::lock_guard lock(mutex_);
    auto wellKnown = openWebrootDir(root_.get(), dir_, kWellKnown, false);
    if (!wellKnown) {
        return isNotFound(wellKnown.error()) ? checkWritable(root_.get(), dir_)
                                             : Status(wellKnown.takeError());
    }
    auto challenge = openWebrootDir(wellKnown->fd.get(), dir_ / kWellKnown, kChallenge, false);
    if (!challenge) {
        return isNotFound(challenge.error()) ? checkWritable(wellKnown->fd.get(), dir_ / kWellKnown)
                                             : Status(challenge.takeError());
    }
    return checkWritable(challenge->fd.get(), challengePath());
}

Result<Http01Webroot::Dirs> Http01Webroot::openDirs(bool create) {
    auto wellKnown = openWebrootDir(root_.get(), dir_, kWellKnown, create);
    if (!wellKnown) {
        return wellKnown.takeError();
    }
    madeWellKnown_ = madeWellKnown_ || wellKnown->created;
    auto challenge = openWebrootDir(wellKnown->fd.get(), dir_ / kWellKnown, kChallenge, create);
    if (!challenge) {
        return challenge.takeError();
    }
    madeChallenge_ = madeChallenge_ || challenge->created;
    return Dirs{std::move(wellKnown->fd), std::move(challenge->fd)};
}

// RFC 8555 §8.3: the resource at /.well-known/acme-challenge/<token> is the key authorization.
Status Http01Webroot::present(const ChallengeTask& task) {
    if (!isValidToken(task.token)) { // before any path is built from it
        return invalidToken(task);
    }
    std::lock_guard lock(mutex_);
    auto dirs = openDirs(true);
    if (!dirs) {
        return dirs.takeError();
    }
    if (auto st = published_.add(task); !st) {
        return st;
    }
    auto st =
        writeFileAt(dirs->challenge.get(), challengePath(), task.token, task.keyAuthorization);
    if (!st) {
        (void)published_.remove(task);
    }
    return st;
}

std::string Http01Webroot::unready(const std::string& token, const std::string& keyAuth) {
    auto dirs = openDirs(false);
    if (!dirs) {
        return dirs.error().message;
    }
    auto content = readFileAt(dirs->challenge.get(), challengePath(), token, keyAuth.size() + 1);
    if (!content) {
        return content.error().message;
    }
    if (*content != keyAuth) {
        return "webroot: " + (challengePath() / token).string() +
               " does not hold the key authorization";
    }
    return "";
}

Status Http01Webroot::waitReady(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        std::string problem;
        {
            std::lock_guard lock(mutex_);
            for (const auto& [token, keyAuth] : published_.all()) {
                problem = unready(token, keyAuth);
                if (!problem.empty()) {
                    break;
                }
            }
        }
        if (problem.empty()) {
            return {};
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return fail(ErrorKind::Timeout, "not ready in time: " + problem);
        }
        std::this_thread::sleep_for(kRecheckEvery);
    }
}

// Directories are removed by name relative to their parent's descriptor; rmdir only ever
// removes an empty directory, so a swapped-in one with content survives.
void Http01Webroot::removeCreatedDirs(const Dirs& dirs) {
    if (madeChallenge_) {
        if (::unlinkat(dirs.wellKnown.get(), kChallenge, AT_REMOVEDIR) != 0 && errno != ENOENT) {
            return; // still holds other tokens (ENOTEMPTY); try again on the next cleanup
        }
        madeChallenge_ = false;
    }
    if (madeWellKnown_) {
        if (::unlinkat(root_.get(), kWellKnown, AT_REMOVEDIR) != 0 && errno != ENOENT) {
            return;
        }
        madeWellKnown_ = false;
    }
}

Status Http01Webroot::cleanup(const ChallengeTask& task) {
    if (!isValidToken(task.token)) { // before any path is built from it
        return invalidToken(task);
    }
    std::lock_guard lock(mutex_);
    if (published_.remove(task) == PublishedTokens::Removal::StillUsed) {
        return {}; // another task of this run still needs the file
    }
    auto dirs = openDirs(false);
    if (!dirs) {
        return isNotFound(dirs.error()) ? Status() : Status(dirs.takeError());
    }
    if (auto st = removeFileAt(dirs->challenge.get(), challengePath(), task.token); !st) {
        return st;
    }
    removeCreatedDirs(*dirs);
    return {};
}

void Http01Webroot::withdrawAll() {
    std::lock_guard lock(mutex_);
    auto dirs = openDirs(false);
    if (dirs) {
        for (const auto& [token, keyAuth] : published_.all()) {
            (void)removeFileAt(dirs->challenge.get(), challengePath(), token);
        }
        removeCreatedDirs(*dirs);
    }
    published_.clear();
}

} // namespace certkeep::challenges
