#pragma once
// The Network errors a Resolver gives for a server it could not reach, in one wording shared by
// the c-ares resolver and the test fake, and the reason read back out of them for notes.

#include "common/result.hpp"

#include <chrono>
#include <string>

namespace certkeep::challenges::dns {

// "2s", "1.5s", "500ms".
inline std::string formatDuration(std::chrono::milliseconds d) {
    auto ms = d.count();
    if (ms < 1000) {
        return std::to_string(ms) + "ms";
    }
    std::string text = std::to_string(ms / 1000);
    if (ms % 1000 != 0) {
        text += "." + std::to_string((ms % 1000) / 100);
    }
    return text + "s";
}

// "no answer from 127.0.0.2:53 within 2s".
inline Error noReplyError(const std::string& server, std::chrono::milliseconds timeout) {
    return makeError(ErrorKind::Network,
                     "no answer from " + server + " within " + formatDuration(timeout));
}

// "no answer from [2001:db8::1]:53 (Network is unreachable)".
inline Error unreachableError(const std::string& server, const std::string& reason) {
    return makeError(ErrorKind::Network, "no answer from " + server + " (" + reason + ")");
}

// What an error of the two above says about `server`: "Network is unreachable", "no answer
// within 2s"; any other error's whole message.
inline std::string unreachableReason(const Error& error, const std::string& server) {
    const std::string prefix = "no answer from " + server;
    const std::string& text = error.message;
    if (text.rfind(prefix + " (", 0) == 0 && text.back() == ')') {
        return text.substr(prefix.size() + 2, text.size() - prefix.size() - 3);
    }
    if (text.rfind(prefix + " ", 0) == 0) {
        return "no answer " + text.substr(prefix.size() + 1);
    }
    return text;
}

} // namespace certkeep::challenges::dns
