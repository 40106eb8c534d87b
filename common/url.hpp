#pragma once
// URL helpers shared by every layer: the https-only rule and URLs fit to show to people.

#include <string>

namespace certkeep {

// True for an absolute https URL of plausible size without spaces or control characters.
bool isHttpsUrl(const std::string& url);
// The URL as shown in messages: "user:pass@" removed, control characters replaced, and
// long URLs shortened. Never use the result to make a request.
std::string displayUrl(const std::string& url);

} // namespace certkeep
