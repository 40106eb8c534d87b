// One FsStore used from many threads at once, as `renew --parallel N` does: every name gets
// complete versions with consecutive numbers, records and the shared account stay intact.
#include "store/fs_store.hpp"
#include "temp_dir.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

using certkeep::store::CertSettings;
using certkeep::store::CertVersion;
using certkeep::store::FsStore;
using certkeep::store::KeyAccess;
using certkeep::store::RenewalState;
using certkeep::store::test::entriesOf;
using certkeep::store::test::gidOf;
using certkeep::store::test::openableAs;
using certkeep::store::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr int kThreads = 8;
constexpr int kVersions = 4;
const std::string kServer = "https://ca.example/dir";

std::string nameOf(int t) {
    return "host" + std::to_string(t) + ".example";
}

// Content that names its certificate and version, so a mix-up shows.
CertVersion versionOf(int t, int v, const KeyAccess& access) {
    std::string tag = nameOf(t) + "/" + std::to_string(v);
    return {0,
            "cert " + tag,
            "chain " + tag,
            "fullchain " + tag,
            "-----BEGIN PRIVATE KEY-----\n" + tag + "\n-----END PRIVATE KEY-----\n",
            "{\"tag\":\"" + tag + "\"}",
            access};
}

// With root, half the names get key-group nogroup and half daemon: their ACL entries on the
// shared directories are added concurrently and must all survive.
KeyAccess accessOf(int t) {
    bool groups = ::geteuid() == 0 && gidOf("nogroup") != static_cast<gid_t>(-1) &&
                  gidOf("daemon") != static_cast<gid_t>(-1);
    if (!groups) {
        return {};
    }
    return {t % 2 == 0 ? "nogroup" : "daemon", 0640};
}

// What one renewal thread does for its name; counts what failed.
void renewLoop(FsStore& store, int t, std::atomic<int>& failures) {
    for (int v = 1; v <= kVersions; ++v) {
        auto saved = store.saveCertificate(nameOf(t), versionOf(t, v, accessOf(t)));
        RenewalState state;
        state.lastResult = "success";
        state.deployedVersion = saved ? *saved : -1;
        CertSettings settings;
        settings.identifiers = {"dns:" + nameOf(t)};
        bool ok = saved && *saved == v && store.saveRenewalState(nameOf(t), state) &&
                  store.saveSettings(nameOf(t), settings) &&
                  store.saveAccount(kServer,
                                    {"", "-----BEGIN K-----\n" + nameOf(t) + "\n-----END K-----\n",
                                     "u", "", ""}) &&
                  store.loadAccount(kServer).ok() && store.loadLiveMeta(nameOf(t)).ok();
        if (!ok) {
            ++failures;
        }
    }
}

} // namespace

TEST_CASE("one FsStore saves versions for 8 names from 8 threads at once", "[store][threads]") {
    TempDir tmp;
    FsStore store(tmp.path() / "state");
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] { renewLoop(store, t, failures); });
    }
    for (auto& th : threads) {
        th.join();
    }
    CHECK(failures == 0);

    auto names = store.listCertificates();
    REQUIRE(names.ok());
    REQUIRE(names->size() == kThreads);
    for (int t = 0; t < kThreads; ++t) {
        INFO(nameOf(t));
        CHECK(store.listVersions(nameOf(t)).value() == std::vector<int>{1, 2, 3, 4});
        for (int v = 1; v <= kVersions; ++v) {
            auto loaded = store.loadVersion(nameOf(t), v);
            REQUIRE(loaded.ok());
            CertVersion expected = versionOf(t, v, accessOf(t));
            CHECK(loaded->certPem == expected.certPem);
            CHECK(loaded->chainPem == expected.chainPem);
            CHECK(loaded->fullchainPem == expected.fullchainPem);
            CHECK(loaded->keyPem == expected.keyPem);
            CHECK(loaded->metaJson == expected.metaJson);
            CHECK(loaded->keyAccess == expected.keyAccess);
        }
        CHECK(store.loadLiveMeta(nameOf(t)).value()->first == kVersions);
        CHECK(store.loadRenewalState(nameOf(t)).value().deployedVersion == kVersions);
        CHECK(store.loadSettings(nameOf(t)).value()->identifiers.at(0) == "dns:" + nameOf(t));
        // Nothing temporary is left beside the versions.
        CHECK(entriesOf(tmp.path() / "state" / "archive" / nameOf(t)).size() == kVersions);
    }
    auto account = store.loadAccount(kServer);
    REQUIRE(account.ok());
    CHECK_THAT((*account)->keyPem, Catch::StartsWith("-----BEGIN K-----\nhost")); // one whole write
    CHECK(entriesOf(tmp.path() / "state" / "live").size() == kThreads);
    if (!accessOf(0).group.empty()) { // both groups' ACL entries survived the concurrent adds
        fs::path live = tmp.path() / "state" / "live";
        std::vector<fs::path> keys = {live / nameOf(0) / "privkey.pem",
                                      live / nameOf(1) / "privkey.pem"};
        fs::permissions(tmp.path(), fs::perms(0711));
        CHECK(openableAs(gidOf("nogroup"), keys) == 0b01);
        CHECK(openableAs(gidOf("daemon"), keys) == 0b10);
    }
}
