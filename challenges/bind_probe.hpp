#pragma once
// Why a listen address cannot be bound, for errors from libraries that drop errno.

#include "challenges/listen_address.hpp"

#include <string>

namespace certkeep::challenges {

// Binds a throw-away socket to addr to learn the errno, then says it in words with a hint:
// "Address already in use (stop the other server, or use --webroot)". Uses fallbackErrno
// when the probe unexpectedly succeeds.
std::string describeBindFailure(const ListenAddress& addr, int fallbackErrno);

} // namespace certkeep::challenges
