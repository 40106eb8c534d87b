#pragma once
// Starting a program with posix_spawn (never fork+exec in our threaded process, never a shell):
// own process group, empty signal mask, default dispositions, stdin and output on pipes.

#include "common/result.hpp"

#include <string>
#include <sys/types.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace certkeep::hooks {

// Owns one file descriptor.
class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    [[nodiscard]] int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) {
            (void)::close(fd_);
            fd_ = -1;
        }
    }

  private:
    int fd_ = -1;
};

// A started program and our ends of its pipes, both non-blocking and close-on-exec.
struct StartedProcess {
    pid_t pid = -1; // also its process group id
    Fd input;       // its stdin
    Fd output;      // its stdout and stderr (one pipe, so their order is kept)
};

// Starts `path` with `argv` (argv[0] as the user wrote it) and exactly `env` ("NAME=value"). The
// child gets an empty signal mask (our threads block SIGINT/SIGTERM/SIGHUP for a signalfd),
// default dispositions (we ignore SIGPIPE), its own process group (a timeout stops all of it),
// and no descriptor but 0-2. Config error naming it when the kernel refuses to run it, Local
// error when pipes cannot be made.
Result<StartedProcess> spawnProcess(const std::string& path, const std::vector<std::string>& argv,
                                    const std::vector<std::string>& env);

} // namespace certkeep::hooks
