// FsStore::removeLeftovers: temporary entries of writers that are gone are removed (they can
// hold a private key); those of a writer that may still be running are kept.
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

using certkeep::ErrorKind;
using certkeep::store::CertVersion;
using certkeep::store::FsStore;
using certkeep::store::PendingOrder;
using certkeep::store::test::deadPid;
using certkeep::store::test::entriesOf;
using certkeep::store::test::present;
using certkeep::store::test::TempDir;
using certkeep::store::test::writeText;
namespace fs = std::filesystem;

namespace {

// A child process that stays alive until the object is destroyed.
class LiveProcess {
  public:
    LiveProcess() {
        pid_ = ::fork();
        if (pid_ == 0) {
            ::pause();
            ::_exit(0);
        }
    }
    ~LiveProcess() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    LiveProcess(const LiveProcess&) = delete;
    LiveProcess& operator=(const LiveProcess&) = delete;
    [[nodiscard]] std::string pid() const { return std::to_string(pid_); }

  private:
    pid_t pid_;
};

// A thread of this process that stays alive until the object is destroyed.
class LiveThread {
  public:
    LiveThread() : thread_([this] { run(); }) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return tid_ != 0; });
    }
    ~LiveThread() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        thread_.join();
    }
    LiveThread(const LiveThread&) = delete;
    LiveThread& operator=(const LiveThread&) = delete;
    [[nodiscard]] std::string tid() const { return std::to_string(tid_); }

  private:
    void run() {
        std::unique_lock lock(mutex_);
        tid_ = ::gettid();
        changed_.notify_all();
        changed_.wait(lock, [this] { return stop_; });
    }
    std::mutex mutex_;
    std::condition_variable changed_;
    pid_t tid_ = 0;
    bool stop_ = false;
    std::thread thread_;
};

// A half-written version directory holding a private key.
void plantVersionDir(const fs::path& dir) {
    fs::create_directories(dir);
    writeText(dir / "privkey.pem", "-----BEGIN PRIVATE KEY-----\nsecret\n");
}

CertVersion sample() {
    return {0, "cert", "chain", "fullchain", "key", "{}", {}};
}

} // namespace

TEST_CASE("removeLeftovers removes temporaries of gone writers and keeps live ones",
          "[store][leftovers]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    REQUIRE(FsStore(root).saveCertificate("a.example", sample()).ok());
    REQUIRE(FsStore(root).savePendingOrder("a.example", PendingOrder{}).ok());
    fs::path archive = root / "archive" / "a.example";
    fs::path live = root / "live";
    fs::path state = root / "state" / "a.example";
    LiveProcess other;
    LiveThread sibling;
    const std::string dead = std::to_string(deadPid());
    const std::string self = std::to_string(::getpid());
    const std::string me = std::to_string(::gettid()) + "-" + self;

    const std::vector<fs::path> gone = {
        archive / (".tmp-3-" + dead),    // older name: pid only
        archive / (".tmp-4-77-" + dead), // thread 77 of a dead process
        archive / (".tmp-5-" + me),      // this very thread: not writing now
        archive / (".tmp-6-" + self),    // an earlier process that had our pid
        archive / (".probe-" + dead),
        live / (".a.example.tmp-" + dead),
        state / (".pending.json.tmp-1-" + dead),
        archive / (".rm-2-" + dead),                  // a version being removed
        root / "archive" / (".a.example.rm-" + dead), // a certificate being removed
        root / "state" / (".a.example.rm-" + me),
    };
    const std::vector<fs::path> kept = {
        archive / (".tmp-3-" + other.pid()),                // a process that is running
        archive / (".tmp-7-" + sibling.tid() + "-" + self), // a running thread of ours
        live / (".a.example.tmp-" + other.pid()),
        live / (".b.example.tmp-" + dead), // another name's: not ours to touch
        archive / ".tmp-x-" / "notes",     // not a temporary name
        archive / "notes",
        archive / (".rm-2-" + other.pid()),           // still being removed
        root / "archive" / (".b.example.rm-" + dead), // another name's
    };
    for (const auto& p : gone) {
        p.parent_path() == live ? fs::create_symlink("../archive/a.example/9", p)
                                : plantVersionDir(p);
    }
    for (const auto& p : kept) {
        p.parent_path() == live ? fs::create_symlink("../archive/a.example/9", p)
                                : plantVersionDir(p);
    }
    REQUIRE(FsStore(root).removeLeftovers("a.example").ok());
    for (const auto& p : gone) {
        INFO("should be gone: " << p);
        CHECK_FALSE(present(p));
    }
    for (const auto& p : kept) {
        INFO("should be kept: " << p);
        CHECK(present(p));
    }
    CHECK(present(archive / "1" / "privkey.pem"));
    CHECK(present(live / "a.example"));
    CHECK(present(state / "pending.json"));
}

TEST_CASE("removeLeftovers on a store without the name succeeds and creates nothing",
          "[store][leftovers]") {
    TempDir tmp;
    FsStore store(tmp.path() / "state");
    CHECK(store.removeLeftovers("a.example").ok());
    CHECK_FALSE(present(tmp.path() / "state"));
    auto bad = store.removeLeftovers("../a");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::Usage);
}

TEST_CASE("saveCertificate removes leftovers first", "[store][leftovers]") {
    TempDir tmp;
    const fs::path& root = tmp.path();
    FsStore store(root);
    REQUIRE(store.saveCertificate("a.example", sample()).ok());
    fs::path leftover = root / "archive" / "a.example" / (".tmp-2-" + std::to_string(deadPid()));
    plantVersionDir(leftover);
    auto r = store.saveCertificate("a.example", sample());
    REQUIRE(r.ok());
    CHECK(*r == 2);
    CHECK(entriesOf(root / "archive" / "a.example") == std::set<std::string>{"1", "2"});
}
