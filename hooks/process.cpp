#include "hooks/process.hpp"

#include "hooks/spawn.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <poll.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

namespace certkeep::hooks {

namespace {

using Clock = std::chrono::steady_clock;

// A descriptor that becomes readable when `pid` exits; -1 on kernels before 5.3. (glibc 2.36's
// <sys/pidfd.h> lacks extern "C", so the system call is made directly.)
int openPidfd(pid_t pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U));
}

// write(2) that never leaves a SIGPIPE behind when the reader is gone: SIGPIPE is blocked in
// this thread around the call and the one it raised, if any, consumed. errno as write left it.
ssize_t writeWithoutSigpipe(int fd, const char* data, std::size_t size) {
    sigset_t pipeOnly;
    sigemptyset(&pipeOnly);
    sigaddset(&pipeOnly, SIGPIPE);
    sigset_t previous;
    (void)pthread_sigmask(SIG_BLOCK, &pipeOnly, &previous);
    ssize_t n = ::write(fd, data, size);
    int savedErrno = errno;
    if (n < 0 && savedErrno == EPIPE) {
        const timespec zero{};
        (void)::sigtimedwait(&pipeOnly, nullptr, &zero); // EAGAIN when SIGPIPE is ignored
    }
    (void)pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    errno = savedErrno;
    return n;
}

// Watches one started hook until it has exited, feeding stdin and reading output meanwhile.
class Supervisor {
  public:
    Supervisor(pid_t pid, Fd input, Fd output, const ProcessSpec& spec)
        : pid_(pid), input_(std::move(input)), output_(std::move(output)), pidfd_(openPidfd(pid)),
          spec_(spec) {}

    ProcessEnd run();

  private:
    // Running: until it exits or the timeout. Draining: it exited; children it left may still
    // write for a moment. Terminating: SIGTERM sent to the group, SIGKILL at the deadline.
    enum class Phase { Running, Draining, Terminating };

    [[nodiscard]] bool finished() const;
    bool onDeadline();
    void pump();
    [[nodiscard]] int pollTimeoutMs() const;
    void writeInput();
    void readOutput();
    void reap(bool block);
    [[nodiscard]] bool groupGone() const;

    pid_t pid_;
    Fd input_;
    Fd output_;
    Fd pidfd_; // readable when the hook exits; without it (old kernel) waitpid is polled
    const ProcessSpec& spec_;
    std::size_t written_ = 0;
    Phase phase_ = Phase::Running;
    Clock::time_point deadline_;
    bool reaped_ = false;
    ProcessEnd end_;
};

ProcessEnd Supervisor::run() {
    deadline_ = Clock::now() + spec_.timeout;
    while (!finished()) {
        if (Clock::now() >= deadline_) {
            if (!onDeadline()) {
                break;
            }
            continue;
        }
        pump();
    }
    if (!reaped_) {
        reap(true); // after SIGKILL: no zombie is left behind
    }
    for (int i = 0; i < 16 && output_; ++i) {
        readOutput(); // what is already in the pipe
    }
    return end_;
}

bool Supervisor::finished() const {
    switch (phase_) {
    case Phase::Running:
        return false;
    case Phase::Draining:
        return !output_;
    case Phase::Terminating:
        return reaped_ && groupGone();
    }
    return true;
}

// The current deadline passed: escalate. False when supervision is over.
bool Supervisor::onDeadline() {
    switch (phase_) {
    case Phase::Running:
        end_.timedOut = true;
        (void)::kill(-pid_, SIGTERM);
        input_.reset();
        phase_ = Phase::Terminating;
        deadline_ = Clock::now() + spec_.killGrace;
        return true;
    case Phase::Draining:
        return false; // children still hold the pipe: stop reading, leave them be
    case Phase::Terminating:
        (void)::kill(-pid_, SIGKILL);
        return false;
    }
    return false;
}

int Supervisor::pollTimeoutMs() const {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
    // Without a pidfd to wake us, exits (and the group's end) are noticed by polling.
    const long cap = pidfd_ ? left : std::min<long>(left, 20);
    return static_cast<int>(std::max<long>(0, cap));
}

// One poll round over stdin, output and the pidfd.
void Supervisor::pump() {
    std::array<pollfd, 3> fds{};
    nfds_t count = 0;
    auto add = [&](const Fd& fd, short events) {
        if (!fd) {
            return -1;
        }
        fds.at(count) = pollfd{fd.get(), events, 0};
        return static_cast<int>(count++);
    };
    int in = add(input_, POLLOUT);
    int out = add(output_, POLLIN);
    int exited = add(pidfd_, POLLIN);
    if (::poll(fds.data(), count, pollTimeoutMs()) < 0) {
        return; // EINTR: the loop checks the deadline and polls again
    }
    if (in >= 0 && fds.at(in).revents != 0) {
        writeInput();
    }
    if (out >= 0 && fds.at(out).revents != 0) {
        readOutput();
    }
    if (!reaped_ && (exited < 0 || fds.at(exited).revents != 0)) {
        reap(false);
    }
}

void Supervisor::writeInput() {
    const std::string& input = spec_.input;
    while (written_ < input.size()) {
        ssize_t n =
            writeWithoutSigpipe(input_.get(), input.data() + written_, input.size() - written_);
        if (n > 0) {
            written_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return; // the pipe is full: poll says when it has room
        }
        break; // EPIPE: it closed its stdin or exited without reading, which is normal
    }
    input_.reset(); // all written: end of file for the hook
}

void Supervisor::readOutput() {
    std::array<char, 4096> buffer{};
    // Bounded, so a hook that writes without pause cannot keep the deadline from being seen.
    for (int i = 0; i < 16; ++i) {
        ssize_t n = ::read(output_.get(), buffer.data(), buffer.size());
        if (n > 0) {
            if (spec_.output) {
                spec_.output(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
            }
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return;
        }
        output_.reset(); // end of file: every writer closed it
        return;
    }
}

void Supervisor::reap(bool block) {
    int status = 0;
    pid_t got = 0;
    do {
        got = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (got < 0 && errno == EINTR);
    if (got != pid_) {
        return;
    }
    reaped_ = true;
    pidfd_.reset();
    input_.reset();
    if (WIFEXITED(status)) {
        end_.exitStatus = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        end_.signal = WTERMSIG(status);
    }
    if (phase_ == Phase::Running) {
        phase_ = Phase::Draining;
        deadline_ = Clock::now() + kDrainAfterExit;
    }
}

// True when no process of the hook's group is left (a reaped leader's pid stays reserved
// while its group has members, so the group id cannot name anyone else meanwhile).
bool Supervisor::groupGone() const {
    return ::kill(-pid_, 0) != 0 && errno == ESRCH;
}

} // namespace

Result<ProcessEnd> runProcess(const ProcessSpec& spec) {
    auto started = spawnProcess(spec.path, spec.argv, spec.env);
    if (!started) {
        return started.takeError();
    }
    if (spec.input.empty()) {
        started->input.reset();
    }
    Supervisor supervisor(started->pid, std::move(started->input), std::move(started->output),
                          spec);
    return supervisor.run();
}

} // namespace certkeep::hooks
