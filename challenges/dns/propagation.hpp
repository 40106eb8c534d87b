#pragma once
// Waiting until TXT records are visible where the CA will look: on every address of every
// authoritative server of their zone (or only on the resolver), polled with a short growing
// interval until a deadline. No fixed sleeps.

#include "challenges/dns/zone.hpp"
#include "common/clock.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace certkeep::challenges::dns {

enum class PropagationMode { Authoritative, Resolver, Off };
// "authoritative" | "resolver" | "off"; Usage error naming the value and the three choices.
Result<PropagationMode> parsePropagationMode(const std::string& text);
std::string propagationModeName(PropagationMode mode);

// Records that must all be visible at one name (the end of its CNAME chain).
struct Expectation {
    std::string name;                // where the values were written: "_acme-challenge.example.com"
    std::vector<std::string> values; // every one must be present (others may be there too)
    ZoneInfo zone;                   // its zone and servers (Authoritative mode)
};

struct PropagationOptions {
    PropagationMode mode = PropagationMode::Authoritative;
    std::chrono::milliseconds firstInterval{200}; // then x1.5 per round, at most maxInterval
    std::chrono::milliseconds maxInterval{5000};
    std::chrono::milliseconds queryTimeout{2000};
    // Told once per server address that cannot be reached while another address of the same
    // server answers ("ns1.example.com at [2001:db8::1]:53 is unreachable (Network is
    // unreachable); checking its other addresses"). May be empty.
    std::function<void(const std::string&)> note;
    // Polled between rounds; true stops the wait with a Local error "interrupted". May be empty.
    std::function<bool()> cancelled;
};

// Polls until every expectation's values are seen on every authoritative server (on at least
// one reachable address of each, every reachable address agreeing), or on the resolver in
// Resolver mode; Off returns at once. CNAMEs in answers are followed. All expectations are
// asked in parallel each round. Timeout error when `deadline` passes, naming each server that
// still answers something else and what it answers: "_acme-challenge.example.com not yet
// visible on ns2.example.com (127.0.0.2:53): it answers TXT \"old\"; on ns3 (...): NXDOMAIN".
// Network error when a server cannot be reached on any address.
Status waitForPropagation(LookupContext& ctx, const std::vector<Expectation>& expected,
                          const PropagationOptions& options, Clock& clock,
                          std::chrono::steady_clock::time_point deadline);

} // namespace certkeep::challenges::dns
