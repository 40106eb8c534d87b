// Reading live/NAME: anything the store did not make there is refused, never replaced.
#include "store/live_link.hpp"

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

Result<std::optional<int>> readLiveLink(const DirFd& live, const std::string& name) {
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
    std::string prefix = "../archive/" + name + "/";
    int n = target->rfind(prefix, 0) == 0 ? parseVersionNumber(target->substr(prefix.size())) : 0;
    if (n == 0) {
        return foreignEntry(live, name, "a link to " + *target + " instead of " + prefix + "<N>");
    }
    return std::optional<int>(n);
}

} // namespace certkeep::store
