#include "common/file_trust.hpp"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

namespace certkeep {

namespace {

std::string octal(mode_t mode) {
    char buf[8];
    (void)std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

// One path component's verdict; "" when it is trusted.
std::string distrust(const std::string& path, const struct stat& st, bool isTarget) {
    uid_t me = ::geteuid();
    if (st.st_uid != 0 && st.st_uid != me) {
        return path + " is owned by uid " + std::to_string(st.st_uid) +
               ", not by root or the user running certkeep: chown it";
    }
    bool groupWritable = (st.st_mode & S_IWGRP) != 0 && st.st_gid != 0;
    bool otherWritable = (st.st_mode & S_IWOTH) != 0;
    if (!groupWritable && !otherWritable) {
        return "";
    }
    if (!isTarget && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0 && st.st_uid == 0) {
        return ""; // sticky root directory such as /tmp: entries cannot be replaced by others
    }
    return path + " is writable by other users (mode " + octal(st.st_mode) + "): chmod go-w " +
           path;
}

} // namespace

Status checkTrustedFile(const std::string& path, const std::string& what) {
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr) {
        return fail(ErrorKind::Config,
                    what + " " + path + " cannot be read: " + std::strerror(errno));
    }
    std::string current = resolved;
    bool isTarget = true;
    while (true) {
        struct stat st {};
        if (::stat(current.c_str(), &st) != 0) {
            std::string message = what;
            message.append(" ").append(path).append(": cannot check ").append(current);
            message.append(": ").append(std::strerror(errno));
            return fail(ErrorKind::Config, message);
        }
        if (std::string why = distrust(current, st, isTarget); !why.empty()) {
            std::string message = what;
            if (isTarget) {
                message.append(" ").append(why);
            } else {
                message.append(" ").append(path).append(" is not safe: the directory ").append(why);
            }
            return fail(ErrorKind::Config, message);
        }
        if (current == "/") {
            return {};
        }
        auto slash = current.find_last_of('/');
        current = slash == 0 ? "/" : current.substr(0, slash);
        isTarget = false;
    }
}

Result<std::string> readSecretFile(const std::string& path, const std::string& what, bool trusted) {
    if (trusted) {
        if (auto st = checkTrustedFile(path, what); !st) {
            return st.takeError();
        }
    }
    std::ifstream in(path);
    if (!in) {
        return fail(ErrorKind::Config,
                    what + ": cannot read " + path + ": " + std::strerror(errno));
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
    }
    if (text.empty()) {
        return fail(ErrorKind::Config, what + " " + path + " is empty");
    }
    return text;
}

} // namespace certkeep
