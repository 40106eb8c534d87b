#pragma once
// sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET ("READY=1", "STOPPING=1",
// "STATUS=..."), so a Type=notify unit knows when `serve` is up. Nothing happens when the
// variable is unset (not started by systemd).

#include <string>

namespace certkeep::cli {

// Sends `state`; false when $NOTIFY_SOCKET is set but the message could not be sent.
bool notifySystemd(const std::string& state);

} // namespace certkeep::cli
