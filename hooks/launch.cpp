#include "hooks/launch.hpp"

#include "common/file_trust.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace certkeep::hooks {

namespace {

enum class Verdict { Runnable, Missing, NotRegular, NotExecutable };

Verdict examine(const std::string& path, int& savedErrno) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        savedErrno = errno;
        return Verdict::Missing;
    }
    if (!S_ISREG(st.st_mode)) {
        return Verdict::NotRegular;
    }
    // AT_EACCESS: the effective ids decide, as they will for execve.
    if (::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) != 0) {
        return Verdict::NotExecutable;
    }
    return Verdict::Runnable;
}

// Config error for a program given with a path that cannot run; success when it can.
Status checkGiven(const std::string& path, const std::string& event) {
    int savedErrno = 0;
    std::string what = event + " hook program " + path;
    switch (examine(path, savedErrno)) {
    case Verdict::Runnable:
        return {};
    case Verdict::Missing:
        return fail(ErrorKind::Config, what + " cannot be found (" + std::strerror(savedErrno) +
                                           "): check the path in the hook setting");
    case Verdict::NotRegular:
        return fail(ErrorKind::Config, what + " is not a regular file: give a program's path");
    case Verdict::NotExecutable:
        break;
    }
    return fail(ErrorKind::Config, what + " is not executable: chmod +x " + path);
}

// The first runnable `program` in the absolute entries of `searchPath`; Config error otherwise.
Result<std::string> searchPath(const std::string& program, const std::string& event,
                               const std::string& path) {
    std::string notExecutable;
    std::string_view rest = path;
    while (true) {
        auto colon = rest.find(':');
        std::string_view dir = rest.substr(0, colon);
        if (!dir.empty() && dir.front() == '/') {
            std::string candidate = std::string(dir) + "/" + program;
            int savedErrno = 0;
            Verdict verdict = examine(candidate, savedErrno);
            if (verdict == Verdict::Runnable) {
                return candidate;
            }
            if (verdict == Verdict::NotExecutable && notExecutable.empty()) {
                notExecutable = candidate;
            }
        }
        if (colon == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(colon + 1);
    }
    std::string what = event + " hook program " + program;
    if (!notExecutable.empty()) {
        return fail(ErrorKind::Config,
                    what + " found as " + notExecutable + " is not executable: chmod +x it");
    }
    return fail(ErrorKind::Config,
                what + " was not found in PATH (" + path + "): give its full path or install it");
}

// `value` made fit for an environment entry.
std::string envValue(std::string value) {
    std::replace(value.begin(), value.end(), '\0', '?'); // a NUL would end the entry early
    if (value.size() > kMaxEnvValue) {
        std::size_t cut = kMaxEnvValue;
        while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) {
            --cut; // do not split a UTF-8 sequence
        }
        value.resize(cut);
    }
    return value;
}

} // namespace

Result<std::string> resolveHookProgram(const std::string& program, const std::string& event,
                                       const std::string& searchPathValue) {
    std::string path;
    if (program.find('/') != std::string::npos) {
        if (auto given = checkGiven(program, event); !given) {
            return given.takeError();
        }
        path = program;
    } else {
        auto found = searchPath(program, event, searchPathValue);
        if (!found) {
            return found.takeError();
        }
        path = std::move(found.value());
    }
    // Root runs it: no other user may be able to replace it (as sudo and cron require).
    if (::geteuid() == 0) {
        if (auto trusted = checkTrustedFile(path, event + " hook program"); !trusted) {
            return trusted.takeError();
        }
    }
    return path;
}

std::string processPath() {
    const char* path = std::getenv("PATH"); // NOLINT(concurrency-mt-unsafe): read only
    return path != nullptr && *path != '\0' ? std::string(path) : std::string(kDefaultPath);
}

std::vector<std::string> childEnvironment(const HookEvent& event,
                                          const std::vector<std::string>& dropEnv) {
    std::vector<std::string> env;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        std::string_view text = *entry;
        std::string_view name = text.substr(0, text.find('='));
        bool dropped = std::find(dropEnv.begin(), dropEnv.end(), name) != dropEnv.end();
        if (!dropped && !name.starts_with("CERTKEEP_")) {
            env.emplace_back(text);
        }
    }
    for (const auto& [name, value] : hookEnvironment(event)) {
        env.push_back(name + "=" + envValue(value));
    }
    return env;
}

} // namespace certkeep::hooks
