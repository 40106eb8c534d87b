// Waiting for TXT records to show up where the CA will look: rounds of PropagationCheck::poll()
// at a short growing interval (x1.5, capped), never sleeping past the deadline.

#include "challenges/dns/propagation.hpp"

#include "challenges/dns/propagation_check.hpp"

#include <algorithm>

namespace certkeep::challenges::dns {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds minInterval{1};

// The next round's interval: x1.5, at most `max`.
milliseconds grow(milliseconds interval, milliseconds max) {
    return std::min(std::max(interval * 3 / 2, minInterval), std::max(max, minInterval));
}

} // namespace

Result<PropagationMode> parsePropagationMode(const std::string& text) {
    if (text == "authoritative") {
        return PropagationMode::Authoritative;
    }
    if (text == "resolver") {
        return PropagationMode::Resolver;
    }
    if (text == "off") {
        return PropagationMode::Off;
    }
    return fail(ErrorKind::Usage, "invalid DNS propagation check \"" + text +
                                      "\": use authoritative, resolver or off");
}

std::string propagationModeName(PropagationMode mode) {
    switch (mode) {
    case PropagationMode::Authoritative:
        return "authoritative";
    case PropagationMode::Resolver:
        return "resolver";
    case PropagationMode::Off:
        return "off";
    }
    return "authoritative";
}

Status waitForPropagation(LookupContext& ctx, const std::vector<Expectation>& expected,
                          const PropagationOptions& options, Clock& clock,
                          std::chrono::steady_clock::time_point deadline) {
    if (options.mode == PropagationMode::Off || expected.empty()) {
        return {};
    }
    auto check = PropagationCheck::plan(ctx, expected, options.mode);
    if (!check) {
        return check.takeError();
    }
    auto start = clock.now();
    milliseconds interval =
        std::max(std::min(options.firstInterval, options.maxInterval), minInterval);
    for (;;) {
        if (options.cancelled && options.cancelled()) {
            return fail(ErrorKind::Local, "interrupted while waiting for the DNS records of " +
                                              expected.front().name + " to propagate");
        }
        // A round may end up to one query timeout past the deadline: cutting the timeout
        // short would call a slow but working server unreachable.
        check->poll(ctx.dns, options.queryTimeout, options.note);
        if (check->done()) {
            return {};
        }
        auto now = clock.now();
        if (now >= deadline) {
            return check->failure(std::chrono::duration_cast<milliseconds>(now - start));
        }
        // Ceil: a sub-millisecond remainder still ends at (not before) the deadline.
        clock.sleepFor(std::min(interval, std::chrono::ceil<milliseconds>(deadline - now)));
        interval = grow(interval, options.maxInterval);
    }
}

} // namespace certkeep::challenges::dns
