#include "cli/console.hpp"

#include "cli/exit_codes.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ostream>

namespace certkeep::cli {

int reportError(const Error& error, Console& console) {
    console.err << "certkeep: error: " << error.message << "\n";
    return exitCodeFor(error.kind);
}

std::function<void(const std::string&)> verboseLogger(Console& console) {
    if (console.verbose == 0) {
        return {};
    }
    auto start = std::chrono::steady_clock::now();
    return [&console, start](const std::string& line) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
        console.err << "certkeep: [" << ms << " ms] " << line << "\n";
    };
}

std::function<void(const std::string&)> noteLogger(Console& console) {
    return [&console](const std::string& line) { console.err << "certkeep: " << line << "\n"; };
}

int finishOutput(Console& console, int code, const std::string& done) {
    errno = 0;
    console.out.flush();
    if (console.out) {
        return code;
    }
    int err = errno;
    console.err << "certkeep: error: cannot write to standard output"
                << (err != 0 ? std::string(": ") + std::strerror(err) : std::string()) << " ("
                << done << ")\n";
    return kLocal;
}

} // namespace certkeep::cli
