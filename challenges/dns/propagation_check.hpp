#pragma once
// The state of one waitForPropagation(): which server is asked about which name at which
// address, what each said last, and which servers already show every value. One poll() is one
// round; the waiting between rounds lives in propagation.cpp.

#include "challenges/dns/propagation.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace certkeep::challenges::dns {

// One address of one server, asked about one expectation, and what it said last.
struct Probe {
    std::optional<ServerAddress> address; // nullopt: the system's resolvers
    std::string addressText;              // "127.0.0.2:53"; "" when the server's name says it
    std::optional<Result<Answer>> last;   // empty until the first round
};

// One server for one expectation: done once it shows every value (see waitForPropagation).
struct ServerCheck {
    std::size_t expectation = 0;
    std::string server; // "ns2.example.com", "resolver 127.0.0.1:53"
    std::vector<Probe> probes;
    bool done = false;
};

class PropagationCheck {
  public:
    // The servers to ask: every address of every nameserver of each expectation's zone
    // (Authoritative), or the context's resolver (Resolver). NotFound error when a zone has no
    // nameservers, Network error when a nameserver has no address to ask.
    static Result<PropagationCheck>
    plan(const LookupContext& ctx, const std::vector<Expectation>& expected, PropagationMode mode);

    // One round: asks every address of every server not yet done, in one batch (the same name
    // at the same address asked once), follows CNAMEs the servers did not resolve themselves,
    // then marks servers done and tells `note` (may be empty) once per address that cannot be
    // reached while another address of its server answers.
    void poll(Resolver& dns, std::chrono::milliseconds timeout,
              const std::function<void(const std::string&)>& note);

    // True when every server of every expectation is done.
    [[nodiscard]] bool done() const;

    // The error after the last round: Timeout naming every address still without the values
    // and what it answers, Network when some server could not be reached at any address.
    [[nodiscard]] Error failure(std::chrono::milliseconds waited) const;

  private:
    void evaluate(const std::function<void(const std::string&)>& note);
    [[nodiscard]] std::string describe(const ServerCheck& check, bool& unreachable) const;

    std::vector<Expectation> expected_; // names and values (zones unused after plan)
    bool recursion_ = false;            // RD bit: set only when asking a resolver
    std::vector<ServerCheck> checks_;
    std::set<std::string> noted_; // "server address" already told to `note`
};

// How an answer that lacks values reads in messages: "TXT \"old\"", "NXDOMAIN", "no TXT".
std::string describeAnswer(const Answer& answer);

} // namespace certkeep::challenges::dns
