#include "hooks/spawn.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>

namespace certkeep::hooks {

namespace {

struct Pipe {
    Fd read;
    Fd write;
};

Unexpected systemError(const std::string& what) {
    return fail(ErrorKind::Local, what + ": " + std::strerror(errno));
}

// A close-on-exec pipe whose ends are >= 3, so the child's dup2 onto 0-2 never clobbers one.
Result<Pipe> makePipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        return systemError("cannot create a pipe for a hook");
    }
    std::array<Fd, 2> ends{Fd(fds[0]), Fd(fds[1])};
    for (auto& end : ends) {
        if (end.get() < 3) {
            Fd high(::fcntl(end.get(), F_DUPFD_CLOEXEC, 3));
            if (!high) {
                return systemError("cannot create a pipe for a hook");
            }
            end = std::move(high);
        }
    }
    return Pipe{std::move(ends[0]), std::move(ends[1])};
}

bool setNonBlocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

// posix_spawn attributes and file actions, destroyed on every path.
struct SpawnSetup {
    posix_spawnattr_t attr{};
    posix_spawn_file_actions_t actions{};
    SpawnSetup() {
        (void)posix_spawnattr_init(&attr);
        (void)posix_spawn_file_actions_init(&actions);
    }
    ~SpawnSetup() {
        (void)posix_spawn_file_actions_destroy(&actions);
        (void)posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
    SpawnSetup(SpawnSetup&&) = delete;
    SpawnSetup& operator=(SpawnSetup&&) = delete;
};

// The attributes and file actions spawnProcess promises. 0 or an errno value.
int prepareSpawn(SpawnSetup& setup, int stdinFd, int outputFd) {
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    const auto flags =
        static_cast<short>(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    // Braced initialisation runs left to right: the file actions keep this order.
    const std::array<int, 8> results{
        posix_spawnattr_setsigmask(&setup.attr, &none),
        posix_spawnattr_setsigdefault(&setup.attr, &all),
        posix_spawnattr_setpgroup(&setup.attr, 0),
        posix_spawnattr_setflags(&setup.attr, flags),
        posix_spawn_file_actions_adddup2(&setup.actions, stdinFd, STDIN_FILENO),
        posix_spawn_file_actions_adddup2(&setup.actions, outputFd, STDOUT_FILENO),
        posix_spawn_file_actions_adddup2(&setup.actions, outputFd, STDERR_FILENO),
        posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1),
    };
    for (int rc : results) {
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

std::vector<char*> pointersTo(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (const auto& s : strings) {
        out.push_back(const_cast<char*>(s.c_str())); // NOLINT: posix_spawn's signature
    }
    out.push_back(nullptr);
    return out;
}

// Starts the program; Config error naming it when the kernel refuses to run it.
Result<pid_t> spawn(const std::string& path, const std::vector<std::string>& argvStrings,
                    const std::vector<std::string>& envStrings, int stdinFd, int outputFd) {
    SpawnSetup setup;
    if (int rc = prepareSpawn(setup, stdinFd, outputFd); rc != 0) {
        return fail(ErrorKind::Local, "cannot prepare to start " + path + ": " + std::strerror(rc));
    }
    auto argv = pointersTo(argvStrings);
    auto envp = pointersTo(envStrings);
    pid_t pid = -1;
    int rc =
        ::posix_spawn(&pid, path.c_str(), &setup.actions, &setup.attr, argv.data(), envp.data());
    if (rc == 0) {
        return pid;
    }
    std::string hint;
    if (rc == ENOEXEC) {
        hint = ": a script needs a #! line naming its interpreter";
    } else if (rc == ENOENT) {
        hint = ": the interpreter on its #! line does not exist";
    } else if (rc == E2BIG) {
        hint = ": its arguments and environment are too large";
    }
    return fail(ErrorKind::Config,
                "cannot start hook program " + path + " (" + std::strerror(rc) + ")" + hint);
}

} // namespace

Result<StartedProcess> spawnProcess(const std::string& path, const std::vector<std::string>& argv,
                                    const std::vector<std::string>& env) {
    auto input = makePipe();
    if (!input) {
        return input.takeError();
    }
    auto output = makePipe();
    if (!output) {
        return output.takeError();
    }
    if (!setNonBlocking(input->write.get()) || !setNonBlocking(output->read.get())) {
        return systemError("cannot set up the pipes of a hook");
    }
    auto pid = spawn(path, argv, env, input->read.get(), output->write.get());
    if (!pid) {
        return pid.takeError();
    }
    // The child's ends are closed here: EOF on output comes when it (and its children) close
    // theirs.
    return StartedProcess{*pid, std::move(input->write), std::move(output->read)};
}

} // namespace certkeep::hooks
