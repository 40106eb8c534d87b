// The signal path, in a forked child each time: a store write in progress finishes before the
// exit, the challenge responses are withdrawn, the exit code is 128+signal, and signals that
// are none of ours (SIGUSR2) do not switch the handling off.
#include "cli/interrupt.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using certkeep::ShutdownGate;
using certkeep::cli::InterruptGuard;

namespace {

// Appends one line to the pipe, so the parent sees the order of events.
void mark(int fd, const char* what) {
    std::string line = std::string(what) + "\n";
    (void)!::write(fd, line.data(), line.size());
}

// Runs `body` in a child with the pipe's write end; returns its wait status and what it wrote.
template <typename Body> std::pair<int, std::string> inChild(Body body) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        body(fds[1]);
        ::_exit(99); // the guard should have exited first
    }
    ::close(fds[1]);
    std::string out;
    char buf[256];
    ssize_t n = 0;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) {
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {status, out};
}

} // namespace

TEST_CASE("SIGTERM during a store write: the write finishes, then challenges are withdrawn, "
          "exit 143",
          "[cli][interrupt]") {
    auto [status, out] = inChild([](int fd) {
        ::dup2(::open("/dev/null", O_WRONLY), STDERR_FILENO);
        ShutdownGate gate;
        InterruptGuard guard(gate, [fd] { mark(fd, "withdrawn"); });
        {
            ShutdownGate::Section write(gate);
            ::kill(::getpid(), SIGTERM);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            mark(fd, "write done");
        }
        std::this_thread::sleep_for(std::chrono::seconds(5));
    });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 143);
    CHECK(out == "write done\nwithdrawn\n");
}

TEST_CASE("SIGINT exits 130 and withdraws once", "[cli][interrupt]") {
    auto [status, out] = inChild([](int fd) {
        ::dup2(::open("/dev/null", O_WRONLY), STDERR_FILENO);
        ShutdownGate gate;
        InterruptGuard guard(gate, [fd] { mark(fd, "withdrawn"); });
        ::kill(::getpid(), SIGINT);
        std::this_thread::sleep_for(std::chrono::seconds(5));
    });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK(out == "withdrawn\n");
}

TEST_CASE("an outside SIGUSR2 does not turn the TERM handling off", "[cli][interrupt]") {
    auto [status, out] = inChild([](int fd) {
        ::dup2(::open("/dev/null", O_WRONLY), STDERR_FILENO);
        ::signal(SIGUSR2, SIG_IGN); // as a process that does not use it would
        ShutdownGate gate;
        InterruptGuard guard(gate, [fd] { mark(fd, "withdrawn"); });
        ::kill(::getpid(), SIGUSR2);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        ::kill(::getpid(), SIGTERM);
        std::this_thread::sleep_for(std::chrono::seconds(5));
    });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 143);
    CHECK(out == "withdrawn\n");
}

TEST_CASE("the guard stops cleanly without a signal and the signals act normally again",
          "[cli][interrupt]") {
    auto [status, out] = inChild([](int fd) {
        ShutdownGate gate;
        {
            InterruptGuard guard(gate, [fd] { mark(fd, "withdrawn"); });
        }
        mark(fd, "guard gone");
        ::kill(::getpid(), SIGTERM); // default action now: terminated by the signal
        std::this_thread::sleep_for(std::chrono::seconds(5));
    });
    CHECK(out == "guard gone\n");
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
}
