#include "lifecycle/schedule.hpp"

#include "common/duration.hpp"
#include "lifecycle/version_meta.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace certkeep::lifecycle {

using std::chrono::seconds;

namespace {

constexpr seconds kMinute{60};
constexpr seconds kDay{86400};
constexpr double kMaxShareLeft = 0.9; // never due before a tenth of the lifetime has passed

std::string trim(const std::string& text) {
    auto begin = text.find_first_not_of(" \t");
    if (begin == std::string::npos) {
        return {};
    }
    return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// A plain decimal number: digits with at most one '.', e.g. "0.5", "33", ".25".
std::optional<double> parseDecimal(std::string_view text) {
    int digits = 0;
    int dots = 0;
    for (char c : text) {
        digits += std::isdigit(static_cast<unsigned char>(c)) != 0 ? 1 : 0;
        dots += c == '.' ? 1 : 0;
    }
    if (digits == 0 || dots > 1 || digits + dots != static_cast<int>(text.size())) {
        return std::nullopt;
    }
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// "1/3", "0.5" or "33%" as a number (not yet range-checked).
std::optional<double> parseShare(const std::string& text) {
    if (!text.empty() && text.back() == '%') {
        auto percent = parseDecimal(std::string_view(text).substr(0, text.size() - 1));
        return percent ? std::optional<double>(*percent / 100) : std::nullopt;
    }
    if (auto slash = text.find('/'); slash != std::string::npos) {
        auto num = parseDecimal(std::string_view(text).substr(0, slash));
        auto den = parseDecimal(std::string_view(text).substr(slash + 1));
        if (!num || !den || *den == 0) {
            return std::nullopt;
        }
        return *num / *den;
    }
    return parseDecimal(text);
}

bool hasLetter(const std::string& text) {
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
}

Unexpected badRenewBefore(const std::string& text, const std::string& why) {
    return fail(ErrorKind::Usage, "invalid renew-before \"" + text + "\": " + why +
                                      "; write the share of the lifetime left (1/3, 0.5, 33%) "
                                      "or the time left (30d, 12h)");
}

Unexpected badThreshold(const std::string& text, const std::string& why) {
    return fail(ErrorKind::Usage, "invalid expiry threshold \"" + text + "\": " + why +
                                      "; write the time left (14d, 12h) or a share of the "
                                      "lifetime (20%)");
}

seconds lifetimeOf(TimePoint notBefore, TimePoint notAfter) {
    return std::chrono::duration_cast<seconds>(notAfter - notBefore);
}

// The share of the lifetime left at which `policy` is due (not yet capped).
double shareLeft(const RenewBefore& policy, seconds lifetime) {
    switch (policy.kind) {
    case RenewBefore::Kind::Fraction:
        return policy.fraction;
    case RenewBefore::Kind::Duration:
        return static_cast<double>(policy.duration.count()) / static_cast<double>(lifetime.count());
    case RenewBefore::Kind::Default:
        break;
    }
    return lifetime <= 10 * kDay ? 0.5 : 1.0 / 3;
}

seconds scaled(seconds d, double share) {
    return seconds(std::llround(static_cast<double>(d.count()) * share));
}

// A random share of `span` in [0, span): a faulty Random cannot leave the range.
std::chrono::milliseconds randomPart(std::chrono::milliseconds span, Random& random) {
    double u = random.uniform();
    u = (u >= 0 && u < 1) ? u : 0;
    auto part = std::chrono::milliseconds(
        static_cast<long long>(std::floor(static_cast<double>(span.count()) * u)));
    return std::min(part, span - std::chrono::milliseconds(1));
}

} // namespace

Result<RenewBefore> parseRenewBefore(const std::string& text) {
    std::string t = trim(text);
    if (t.empty()) {
        return RenewBefore{};
    }
    if (hasLetter(t)) {
        auto d = parseDuration(t);
        if (!d) {
            return badRenewBefore(t, "not a duration");
        }
        return RenewBefore{RenewBefore::Kind::Duration, 0, *d};
    }
    auto share = parseShare(t);
    if (!share) {
        return badRenewBefore(t, "not a share of the lifetime");
    }
    if (!(*share > 0 && *share < 1)) {
        return badRenewBefore(t, "the share must be more than 0 and less than 1");
    }
    return RenewBefore{RenewBefore::Kind::Fraction, *share, seconds(0)};
}

Result<Threshold> parseThreshold(const std::string& text) {
    std::string t = trim(text);
    if (t.empty()) {
        return badThreshold(t, "it is empty");
    }
    if (t.back() == '%') {
        auto share = parseShare(t);
        if (!share || !(*share > 0 && *share < 1)) {
            return badThreshold(t, "the percentage must be more than 0 and less than 100");
        }
        return Threshold{true, *share, seconds(0)};
    }
    auto d = parseDuration(t);
    if (!d) {
        return badThreshold(t, "not a duration nor a percentage");
    }
    return Threshold{false, 0, *d};
}

seconds thresholdFor(const Threshold& threshold, seconds lifetime) {
    if (!threshold.percent) {
        return threshold.duration;
    }
    return scaled(std::max(lifetime, seconds(0)), threshold.fraction);
}

TimePoint renewalDue(TimePoint notBefore, TimePoint notAfter, const RenewBefore& policy) {
    seconds lifetime = lifetimeOf(notBefore, notAfter);
    if (lifetime <= seconds(0)) {
        return notBefore;
    }
    double share = std::min(shareLeft(policy, lifetime), kMaxShareLeft);
    if (!(share > 0)) {
        return notAfter; // defensive: a policy that leaves nothing is due at expiry
    }
    return notAfter - scaled(lifetime, share);
}

seconds backoffDelay(int consecutiveFailures, seconds lifetime) {
    if (consecutiveFailures <= 0) {
        return seconds(0);
    }
    static constexpr seconds kSteps[] = {kMinute, 10 * kMinute, 100 * kMinute, kDay};
    size_t step = std::min<size_t>(static_cast<size_t>(consecutiveFailures), std::size(kSteps));
    seconds delay = kSteps[step - 1];
    if (lifetime > seconds(0)) {
        delay = std::min(delay, lifetime / 10);
    }
    return std::max(delay, kMinute);
}

TimePoint nextAttemptAfterFailure(TimePoint now, int consecutiveFailures, seconds lifetime,
                                  std::optional<seconds> retryAfter) {
    TimePoint next = now + backoffDelay(consecutiveFailures, lifetime);
    if (retryAfter) {
        seconds wait = std::clamp(*retryAfter, seconds(0), 30 * kDay);
        next = std::max(next, now + wait);
    }
    return next;
}

// random_device gives 32 bits a call: two of them seed the 64-bit engine.
DefaultRandom::DefaultRandom() {
    std::random_device device;
    engine_.seed((static_cast<std::uint64_t>(device()) << 32) | device());
}

double DefaultRandom::uniform() {
    std::lock_guard lock(mutex_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

TimePoint pickInWindow(TimePoint start, TimePoint end, Random& random) {
    auto span = std::chrono::duration_cast<std::chrono::milliseconds>(end - start);
    if (span <= std::chrono::milliseconds(0)) {
        return start;
    }
    return start + randomPart(span, random);
}

std::chrono::milliseconds jitterDelay(seconds max, Random& random) {
    if (max <= seconds(0)) {
        return std::chrono::milliseconds(0);
    }
    return randomPart(std::chrono::duration_cast<std::chrono::milliseconds>(max), random);
}

namespace {

// "90-day", "160-hour", "30-minute": the lifetime as the operator thinks of it.
std::string describeLifetime(seconds lifetime) {
    long long hours = (lifetime.count() + 1800) / 3600;
    if (hours >= 48 && hours % 24 == 0) {
        return std::to_string(hours / 24) + "-day";
    }
    if (hours >= 1) {
        return std::to_string(hours) + "-hour";
    }
    return formatDuration(lifetime);
}

std::string describeShare(double share) {
    if (std::abs(share - 0.5) < 1e-9) {
        return "half";
    }
    if (std::abs(share - 1.0 / 3) < 1e-9) {
        return "a third";
    }
    char buf[32];
    (void)std::snprintf(buf, sizeof buf, "%.4g%%", share * 100);
    return buf;
}

// "a third of the 90-day lifetime left", "30d of the 90-day lifetime left", ...
std::string describePolicy(const RenewBefore& policy, seconds lifetime) {
    std::string of = " of the " + describeLifetime(lifetime) + " lifetime left";
    double share = shareLeft(policy, lifetime);
    if (share > kMaxShareLeft) {
        std::string asked = policy.kind == RenewBefore::Kind::Duration
                                ? formatDuration(policy.duration)
                                : describeShare(share);
        return describeShare(kMaxShareLeft) + of + ", the cap for renew-before " + asked;
    }
    if (policy.kind == RenewBefore::Kind::Duration) {
        return formatDuration(policy.duration) + of;
    }
    return describeShare(share) + of;
}

// The ARI time chosen for this very certificate, when the record is consistent (RFC 9773 §4.2).
std::optional<TimePoint> ariTime(const CertFacts& live, const store::RenewalState& s) {
    if (live.ariCertId.empty() || s.ariCertId != live.ariCertId || !s.ariChosen) {
        return std::nullopt;
    }
    TimePoint chosen = *s.ariChosen;
    TimePoint start = s.ariWindowStart.value_or(chosen);
    TimePoint end = s.ariWindowEnd.value_or(chosen);
    // A window ending after expiry would let the certificate lapse: the lifetime rule decides.
    if (start > end || chosen < start || chosen > end || end > live.notAfter) {
        return std::nullopt;
    }
    return chosen;
}

Decision due(DueReason reason, TimePoint at, std::string why) {
    return Decision{true, false, reason, at, std::move(why)};
}

std::string plural(int n, const std::string& word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string revokedWhy(const store::RenewalState& s) {
    std::string why = "due: version " + std::to_string(s.revokedVersion) + " was revoked";
    if (!s.revokedReason.empty()) {
        why += " (" + s.revokedReason + ")";
    }
    if (s.revokedAt) {
        why += " on " + isoTime(*s.revokedAt);
    }
    return why;
}

// The decision before backoff is considered.
Decision dueDecision(TimePoint now, const std::optional<CertFacts>& live,
                     const store::RenewalState& state, const RenewBefore& policy, bool force,
                     bool settingsChanged) {
    if (!live) {
        return due(DueReason::NeverIssued, now, "due: never issued");
    }
    if (state.revokedVersion != 0 && state.revokedVersion == live->version) {
        return due(DueReason::Revoked, state.revokedAt.value_or(now), revokedWhy(state));
    }
    if (now >= live->notAfter) {
        return due(DueReason::Expired, live->notAfter,
                   "due: expired on " + isoTime(live->notAfter));
    }
    if (settingsChanged) {
        return due(DueReason::Changed, now, "due: identifiers or key type changed");
    }
    auto ari = ariTime(*live, state);
    TimePoint at = ari ? *ari : renewalDue(live->notBefore, live->notAfter, policy);
    std::string rule = ari ? "the time picked in the CA's ARI renewal window"
                           : describePolicy(policy, lifetimeOf(live->notBefore, live->notAfter));
    Decision d;
    if (now >= at) {
        d = due(ari ? DueReason::AriWindow : DueReason::Lifetime, at,
                "due: " + rule + " (since " + isoTime(at) + ")");
    } else if (std::string until = "not due until " + isoTime(at) + " (" + rule + ")"; force) {
        d = due(DueReason::Forced, at, "forced: " + until);
    } else if (state.deployPending) {
        std::string err = state.deployError.empty() ? "the last deploy failed" : state.deployError;
        d = Decision{false, false, DueReason::DeployPending, at,
                     "deploy pending: " + err + "; retrying the deploy, " + until};
    } else {
        d = Decision{false, false, DueReason::NotDue, at, until};
    }
    d.ariBased = ari.has_value();
    return d;
}

} // namespace

Decision decide(TimePoint now, const std::optional<CertFacts>& live,
                const store::RenewalState& state, const RenewBefore& policy, bool force,
                bool settingsChanged) {
    Decision d = dueDecision(now, live, state, policy, force, settingsChanged);
    if (d.renew && !force && state.nextAttempt && *state.nextAttempt > now) {
        d.renew = false;
        d.backoffSkip = true;
        std::string limited = state.lastErrorKind == "rate-limited" ? ", rate limited" : "";
        d.why = "skipped: backing off after " + plural(state.consecutiveFailures, "failure") +
                limited + " until " + isoTime(*state.nextAttempt) + " (--force tries now); " +
                d.why;
    }
    return d;
}

std::string dueReasonName(DueReason reason) {
    switch (reason) {
    case DueReason::NotDue:
        return "not-due";
    case DueReason::Lifetime:
        return "lifetime";
    case DueReason::AriWindow:
        return "ari-window";
    case DueReason::Forced:
        return "forced";
    case DueReason::Changed:
        return "changed";
    case DueReason::NeverIssued:
        return "never-issued";
    case DueReason::Revoked:
        return "revoked";
    case DueReason::DeployPending:
        return "deploy-pending";
    case DueReason::Expired:
        return "expired";
    }
    return "unknown";
}

} // namespace certkeep::lifecycle
