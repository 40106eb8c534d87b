// Reading live/NAME: anything the store did not make there is refused, never replaced.
#include "store/live_link.hpp"

#include <cerrno>
#include <unistd.h>

namespace certkeep::store {

int parseVersionNumber(std::string_view text) {
    if (text.empty() || text.size() > 9 || text[0] == '0' ||
        text.find_first_not_of("0123456789") != std::string_view::npos) {
        return 0;
    }
    int n = 0;
    for (char c : text) {
        n = n * 10 + (c - '0');
    }
    return n;
}

std::string liveTarget(const std::string& name, int number) {
    return "../archive/" + name + "/" + std::to_string(number);
}

// The message for an entry at live/NAME that is not certkeep's link.
static Error foreignEntry(const DirFd& live, const std::string& name, const std::string& what) {
    return makeError(ErrorKind::Config, live.pathOf(name).string() + " is " + what +
                                            ", not certkeep's link; move it away");
}

// The version from a link target, or 0 when it is not "../archive/NAME/<N>".
static int versionFromTarget(std::string_view target, const std::string& name) {
    std::string prefix = "../archive/" + name + "/";
    return target.rfind(prefix, 0) == 0 ? parseVersionNumber(target.substr(prefix.size())) : 0;
}

// One readlinkat(2) when all is well (renew reads every name's link); anything else is looked
// at closely for the right message.
Result<std::optional<int>> readLiveLink(const DirFd& live, const std::string& name) {
    char buf[256];
    ssize_t len = ::readlinkat(live.fd(), name.c_str(), buf, sizeof buf);
    if (len < 0 && errno == ENOENT) {
        return std::optional<int>();
    }
    if (len > 0 && static_cast<size_t>(len) < sizeof buf) {
        if (int n = versionFromTarget({buf, static_cast<size_t>(len)}, name); n > 0) {
            return std::optional<int>(n);
        }
    }
    auto type = live.typeOf(name);
    if (!type) {
        return type.takeError();
    }
    switch (*type) {
    case EntryType::Missing:
        return std::optional<int>();
    case EntryType::Regular:
        return foreignEntry(live, name, "a regular file");
    case EntryType::Directory:
        return foreignEntry(live, name, "a directory");
    case EntryType::Other:
        return foreignEntry(live, name, "a special file");
    case EntryType::Symlink:
        break;
    }
    auto target = live.readLink(name);
    if (!target) {
        return target.takeError();
    }
    int n = versionFromTarget(*target, name);
    if (n == 0) {
        return foreignEntry(live, name,
                            "a link to " + *target + " instead of ../archive/" + name + "/<N>");
    }
    return std::optional<int>(n);
}

} // namespace certkeep::store
