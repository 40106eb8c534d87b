// The webroot's directory layout: symlinks planted by others are refused, the operator's
// root-owned ones are followed, and check() (the preflight before contacting the CA)
// names what is wrong.

#include "challenges/http01.hpp"
#include "webroot_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep;
using namespace certkeep::challenges;
using namespace certkeep::testing;

namespace {

const std::string kToken = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";

ChallengeTask task(const std::string& token) {
    return {"example.com", false, token, token + ".thumb"};
}

// Changing owners needs root (the tests normally run as root in the build container).
bool canChown() {
    if (::geteuid() == 0) {
        return true;
    }
    WARN("not running as root: skipping a test that needs files owned by other users");
    return false;
}

// Runs f with the effective uid set to `uid`, back to root afterwards (also on a throw).
template <typename F> auto asUser(uid_t uid, F f) {
    struct Restore {
        ~Restore() { (void)::seteuid(0); }
    };
    REQUIRE(::seteuid(uid) == 0);
    Restore restore;
    return f();
}

void checkRefusedSymlink(const Status& st, const fs::path& link) {
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Config);
    CHECK(st.error().message == "webroot: " + link.string() +
                                    " is a symlink owned by uid 65534; refusing to follow it "
                                    "(remove it, or make it a directory)");
}

} // namespace

TEST_CASE("webroot refuses a .well-known symlink owned by another user",
          "[challenges][webroot][symlink]") {
    if (!canChown()) {
        return;
    }
    TempDir root;
    TempDir target;
    fs::path link = root.path / ".well-known";
    symlinkOwnedBy(target.path, link, kNobody);

    auto created = Http01Webroot::create(root.path);
    REQUIRE_FALSE(created.ok());
    checkRefusedSymlink(Status(created.error()), link);

    // Planted after the preflight: present() and cleanup() refuse as well.
    fs::remove(link);
    auto solver = makeWebroot(root.path);
    symlinkOwnedBy(target.path, link, kNobody);
    checkRefusedSymlink(solver->present(task(kToken)), link);
    checkRefusedSymlink(solver->cleanup(task(kToken)), link);
    CHECK(fs::is_empty(target.path)); // nothing was created or written through the link
}

TEST_CASE("webroot refuses an acme-challenge symlink owned by another user",
          "[challenges][webroot][symlink]") {
    if (!canChown()) {
        return;
    }
    TempDir root;
    TempDir target;
    fs::create_directory(root.path / ".well-known");
    fs::path link = challengeDir(root.path);
    symlinkOwnedBy(target.path, link, kNobody);

    auto created = Http01Webroot::create(root.path);
    REQUIRE_FALSE(created.ok());
    checkRefusedSymlink(Status(created.error()), link);

    fs::remove(link);
    auto solver = makeWebroot(root.path);
    symlinkOwnedBy(target.path, link, kNobody);
    checkRefusedSymlink(solver->present(task(kToken)), link);
    CHECK(fs::is_empty(target.path));
}

TEST_CASE("webroot follows a root-owned symlink to a root-owned directory",
          "[challenges][webroot][symlink]") {
    if (!canChown()) {
        return;
    }
    TempDir root;
    TempDir shared; // e.g. one challenge directory shared by several sites
    symlinkOwnedBy(shared.path, root.path / ".well-known", 0);

    auto solver = makeWebroot(root.path);
    REQUIRE(solver->present(task(kToken)).ok());
    CHECK(readFile(shared.path / "acme-challenge" / kToken) == kToken + ".thumb");
    REQUIRE(solver->cleanup(task(kToken)).ok());
    CHECK_FALSE(fs::exists(shared.path / "acme-challenge")); // we made it, it is empty again
    CHECK(fs::is_directory(shared.path));
    CHECK(fs::is_symlink(root.path / ".well-known")); // the operator's link stays
}

TEST_CASE("webroot refuses a root-owned symlink to a directory another user owns",
          "[challenges][webroot][symlink]") {
    if (!canChown()) {
        return;
    }
    TempDir root;
    TempDir foreign;
    REQUIRE(::chown(foreign.path.c_str(), kNobody, kNobody) == 0);
    fs::path link = root.path / ".well-known";
    symlinkOwnedBy(foreign.path, link, 0);

    auto created = Http01Webroot::create(root.path);
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().kind == ErrorKind::Config);
    CHECK_THAT(created.error().message,
               Catch::StartsWith("webroot: " + link.string() + " is a symlink to " +
                                 foreign.path.string()) &&
                   Catch::Contains("owned by uid 65534") && Catch::Contains("refusing"));
}

TEST_CASE("webroot check names a missing webroot or one that is not a directory",
          "[challenges][webroot][check]") {
    TempDir root;
    auto missing = Http01Webroot::create(root.path / "nope");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::Config);
    CHECK(missing.error().message ==
          "webroot: " + (root.path / "nope").string() + " does not exist");

    writeFile(root.path / "file", "x");
    auto notDir = Http01Webroot::create(root.path / "file");
    REQUIRE_FALSE(notDir.ok());
    CHECK(notDir.error().kind == ErrorKind::Config);
    CHECK(notDir.error().message ==
          "webroot: " + (root.path / "file").string() + " is not a directory");
}

TEST_CASE("webroot check refuses a file where a directory must be",
          "[challenges][webroot][check]") {
    TempDir root;
    SECTION(".well-known is a file") {
        writeFile(root.path / ".well-known", "a file where a directory should be");
        auto r = Http01Webroot::create(root.path);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Config);
        CHECK(r.error().message ==
              "webroot: " + (root.path / ".well-known").string() + " is not a directory");
    }
    SECTION("acme-challenge is a file") {
        fs::create_directory(root.path / ".well-known");
        writeFile(challengeDir(root.path), "x");
        auto r = Http01Webroot::create(root.path);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Config);
        CHECK(r.error().message ==
              "webroot: " + challengeDir(root.path).string() + " is not a directory");
    }
}

TEST_CASE("webroot check needs write access where it must create or write",
          "[challenges][webroot][check]") {
    if (!canChown()) {
        return;
    }
    TempDir root; // owned by root; made world-readable so that nobody can look inside
    fs::permissions(root.path, fs::perms(0755));

    SECTION("nothing exists yet: the webroot itself must be writable") {
        auto r = asUser(kNobody, [&] { return Http01Webroot::create(root.path); });
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::Config);
        CHECK_THAT(r.error().message, Catch::StartsWith("webroot: " + root.path.string() +
                                                        " is not writable for uid 65534"));
    }
    SECTION("acme-challenge exists: it must be writable") {
        fs::create_directories(challengeDir(root.path));
        fs::permissions(challengeDir(root.path), fs::perms(0755));
        fs::permissions(root.path / ".well-known", fs::perms(0755));
        auto r = asUser(kNobody, [&] { return Http01Webroot::create(root.path); });
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message,
                   Catch::StartsWith("webroot: " + challengeDir(root.path).string() +
                                     " is not writable for uid 65534"));
        REQUIRE(::chown(challengeDir(root.path).c_str(), kNobody, kNobody) == 0);
        auto ok = asUser(kNobody, [&] { return Http01Webroot::create(root.path); });
        CHECK(ok.ok());
    }
    SECTION("a writable webroot passes, and check() leaves no trace") {
        auto solver = makeWebroot(root.path);
        CHECK(solver->check().ok());
        CHECK(fs::is_empty(root.path));
    }
}
