#pragma once
// ACME Renewal Information (RFC 9773): the suggested renewal window of one certificate, read
// defensively from an unauthenticated GET the CA answers.

#include "common/result.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace certkeep::acme {

using TimePoint = std::chrono::system_clock::time_point;

// RFC 9773 §4.2 RenewalInfo object, with the §4.3 Retry-After of the response.
struct RenewalInfo {
    TimePoint start;            // suggestedWindow.start
    TimePoint end;              // suggestedWindow.end, always after start
    std::string explanationUrl; // shown to the operator, never fetched; "" when none
    // When to ask again (§4.3.2): clamped to [kMinRetryAfter, kMaxRetryAfter]; nullopt when
    // the header is absent or invalid (§4.3.3 calls that a long-term error: ask again later,
    // e.g. in six hours).
    std::optional<std::chrono::seconds> retryAfter;
};

// §4.3.2: "values under one minute could be treated as if they were one minute, and values
// over one day could be treated as if they were one day".
inline constexpr std::chrono::seconds kMinRetryAfter{60};
inline constexpr std::chrono::seconds kMaxRetryAfter{86400};
// A RenewalInfo document is a few hundred bytes; anything this large is not one.
inline constexpr std::size_t kMaxRenewalInfoBytes = 64 * 1024;

// Parses a RenewalInfo body (§4.2); retryAfterSeconds is the parsed Retry-After (-1 = none).
// Protocol error naming what is wrong for a body that is not JSON, lacks the window, has a
// time that is not RFC 3339, or whose end is not after its start (§4.2: "invalid").
Result<RenewalInfo> parseRenewalInfo(const std::string& body, long retryAfterSeconds,
                                     const std::string& url);

// True when `certId` has the shape of §4.1: two non-empty base64url parts joined by one ".".
bool isAriCertId(std::string_view certId);

} // namespace certkeep::acme
