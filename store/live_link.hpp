#pragma once
// The live pointer of one certificate: live/NAME -> ../archive/NAME/<N>. It is the only link
// the store makes or reads, and it must have exactly that form.

#include "common/result.hpp"
#include "store/dir_fd.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace certkeep::store {

// A version number from its directory name (1-9 digits, not 0), or 0.
int parseVersionNumber(std::string_view text);

// "../archive/NAME/N": the target of live/NAME for version N.
std::string liveTarget(const std::string& name, int number);

// The version live/NAME points at, or nullopt when there is no live/NAME. Config error naming
// the path when live/NAME is anything but a link of the exact form above.
Result<std::optional<int>> readLiveLink(const DirFd& live, const std::string& name);

} // namespace certkeep::store
