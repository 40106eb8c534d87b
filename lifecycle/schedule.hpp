#pragma once
// When to renew: the renew-before policy, backoff after failures, ARI windows (RFC 9773),
// jitter, and the one decision `renew` takes per certificate. Pure functions of the times they
// are given: the clock and randomness are the caller's, so tests control both.

#include "common/result.hpp"
#include "store/records.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace certkeep::lifecycle {

using TimePoint = std::chrono::system_clock::time_point;

// renew-before: "" = default; a fraction of the lifetime left ("1/3", "0.5", "33%"), or a
// duration left ("30d", "12h").
struct RenewBefore {
    enum class Kind { Default, Fraction, Duration } kind = Kind::Default;
    double fraction = 0;              // Kind::Fraction, in (0, 1)
    std::chrono::seconds duration{0}; // Kind::Duration, > 0
};
// Usage error naming the text and the forms accepted; a fraction must be in (0, 1).
Result<RenewBefore> parseRenewBefore(const std::string& text);

// warn/crit thresholds: a duration ("14d") or a share of the lifetime ("20%").
struct Threshold {
    bool percent = false;
    double fraction = 0;              // percent: the share of the lifetime, in (0, 1)
    std::chrono::seconds duration{0}; // !percent
};
// Usage error naming the text and the forms accepted (an empty text is refused too: the
// caller applies its own default when the setting is absent).
Result<Threshold> parseThreshold(const std::string& text);
// The time left below which the threshold is crossed, for a certificate of this lifetime.
std::chrono::seconds thresholdFor(const Threshold& threshold, std::chrono::seconds lifetime);

// When a certificate valid [notBefore, notAfter] becomes due. Default: a third of the lifetime
// left, half when the lifetime is 10 days or less (Let's Encrypt's guidance); Fraction: that
// share left; Duration: that much left. Never before a tenth of the lifetime has passed: a
// renew-before of 30d on a 6-day certificate (or "0.95") is due at notBefore + 10% of the
// lifetime, not at once, or every run would renew again. A lifetime <= 0 is due at notBefore.
TimePoint renewalDue(TimePoint notBefore, TimePoint notAfter, const RenewBefore& policy);

// How long to wait after `consecutiveFailures` failures in a row: 1 min, 10 min, 100 min, then
// daily; each step capped at a tenth of the lifetime (a 24-hour certificate is retried at least
// every 2.4 hours) but never below 1 minute. 0 when there was no failure; no cap when the
// lifetime is unknown (<= 0, a certificate never issued).
std::chrono::seconds backoffDelay(int consecutiveFailures, std::chrono::seconds lifetime);

// The next attempt after a failure: now + backoffDelay, or the CA's Retry-After (rateLimited,
// RFC 8555 §6.6) when that is later. A Retry-After is untrusted input: negative counts as 0 and
// more than 30 days as 30 days (no CA limit is longer than a week).
TimePoint nextAttemptAfterFailure(TimePoint now, int consecutiveFailures,
                                  std::chrono::seconds lifetime,
                                  std::optional<std::chrono::seconds> retryAfter);

// Randomness behind an interface, so tests choose the values.
class Random {
  public:
    virtual ~Random() = default;
    // A uniform value in [0, 1). Safe to call from several threads.
    virtual double uniform() = 0;
};
using RandomPtr = std::unique_ptr<Random>;

// std::mt19937_64 seeded from std::random_device, behind a mutex.
class DefaultRandom : public Random {
  public:
    DefaultRandom();
    double uniform() override;

  private:
    std::mutex mutex_;
    std::mt19937_64 engine_;
};

// A uniformly random time in [start, end) (RFC 9773 §4.2); start when the window is empty or
// inverted. A window already in the past yields a past time: the caller renews now.
TimePoint pickInWindow(TimePoint start, TimePoint end, Random& random);

// A random delay in [0, max) for --jitter (fleets on one timer); 0 when max <= 0.
std::chrono::milliseconds jitterDelay(std::chrono::seconds max, Random& random);

// The live certificate, as far as the decision needs it.
struct CertFacts {
    TimePoint notBefore;
    TimePoint notAfter;
    int version = 0;       // store version number
    std::string ariCertId; // RFC 9773 §4.1 cert ID of this certificate; "" when unknown
};

enum class DueReason {
    NotDue,
    Lifetime,      // the renew-before share or duration is left
    AriWindow,     // the time chosen inside the CA's renewal window has come
    Forced,        // --force on a certificate that was not due
    Changed,       // identifiers or key type changed since it was issued
    NeverIssued,   // declared but never issued
    Revoked,       // the live version was revoked (certkeep revoke)
    DeployPending, // not a renewal: the last deploy failed, retry the deploy hooks
    Expired,
};

struct Decision {
    bool renew = false;       // order a new certificate now
    bool backoffSkip = false; // it would be renewed, but the backoff's next attempt is ahead
    DueReason reason = DueReason::NotDue; // why it is due (kept when backoffSkip)
    TimePoint dueAt{};     // when it became or becomes due (forced: when it would have; now for
                           // never issued and changed)
    std::string why;       // one line for the operator, times in RFC 3339
    bool ariBased = false; // dueAt is the time picked in the CA's ARI window (else the lifetime
                           // rule or an event such as never issued)
};

// One certificate's decision at `now`. Due, in this order: never issued, revoked (the live
// version), expired, settings changed, then the ARI time when state holds one for this very
// certificate (ariCertId matches, ariChosen set, window not past notAfter), else renewalDue;
// `force` renews what is not due. Not due but state.deployPending: reason DeployPending,
// renew false. A due certificate whose state.nextAttempt is still ahead is skipped
// (backoffSkip) unless forced.
Decision decide(TimePoint now, const std::optional<CertFacts>& live,
                const store::RenewalState& state, const RenewBefore& policy, bool force,
                bool settingsChanged);

// "lifetime", "ari-window", ...: a stable name for JSON and logs.
std::string dueReasonName(DueReason reason);

} // namespace certkeep::lifecycle
