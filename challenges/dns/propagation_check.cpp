// One round of the propagation check and its verdict: which servers show every expected TXT
// value, which still lag and what they answer instead.

#include "challenges/dns/propagation_check.hpp"

#include "challenges/dns/dns_message.hpp"
#include "challenges/dns/unreachable.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace certkeep::challenges::dns {

namespace {

constexpr int maxCnameHops = 8;
constexpr std::size_t maxShownValues = 4;
constexpr std::size_t maxShownChars = 80;

// True when `answer` holds every value (others may be there too).
bool hasAll(const Answer& answer, const std::vector<std::string>& values) {
    return answer.rcode == 0 && std::all_of(values.begin(), values.end(), [&](const auto& v) {
               return std::find(answer.txt.begin(), answer.txt.end(), v) != answer.txt.end();
           });
}

// A TXT value from a server, safe to print on one line: quoted, bytes outside printable ASCII
// escaped, long values cut.
std::string quoteValue(const std::string& value) {
    std::string out = "\"";
    for (std::size_t i = 0; i < value.size() && i < maxShownChars; ++i) {
        auto c = static_cast<unsigned char>(value[i]);
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0x0F];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + (value.size() > maxShownChars ? "...\"" : "\"");
}

// Follows, on the server that was asked, the CNAMEs of answers that name a target but carry no
// TXT for it (an authoritative server answers for its own zone only).
void followOnServers(Resolver& dns, const std::vector<Question>& questions,
                     std::vector<Result<Answer>>& results, std::chrono::milliseconds timeout) {
    std::vector<std::set<std::string>> seen(questions.size());
    for (int hop = 0; hop < maxCnameHops; ++hop) {
        std::vector<Question> next;
        std::vector<std::size_t> from;
        for (std::size_t i = 0; i < questions.size() && i < results.size(); ++i) {
            const auto& r = results[i];
            if (!r || r->rcode != 0 || !r->txt.empty() || r->cnames.empty()) {
                continue;
            }
            const std::string& target = r->cnames.back().second;
            if (seen[i].insert(target).second) {
                next.push_back(questions[i]);
                next.back().name = target;
                from.push_back(i);
            }
        }
        if (next.empty()) {
            return;
        }
        auto more = dns.ask(next, timeout);
        for (std::size_t j = 0; j < from.size() && j < more.size(); ++j) {
            results[from[j]] = std::move(more[j]);
        }
    }
}

} // namespace

std::string describeAnswer(const Answer& answer) {
    if (answer.rcode != 0) {
        return rcodeName(answer.rcode);
    }
    if (answer.txt.empty()) {
        return "no TXT";
    }
    std::string out = "TXT ";
    for (std::size_t i = 0; i < answer.txt.size() && i < maxShownValues; ++i) {
        out += (i == 0 ? "" : ", ") + quoteValue(answer.txt[i]);
    }
    if (answer.txt.size() > maxShownValues) {
        out += " and " + std::to_string(answer.txt.size() - maxShownValues) + " more";
    }
    return out;
}

Result<PropagationCheck> PropagationCheck::plan(const LookupContext& ctx,
                                                const std::vector<Expectation>& expected,
                                                PropagationMode mode) {
    PropagationCheck check;
    check.expected_ = expected;
    check.recursion_ = mode == PropagationMode::Resolver;
    for (std::size_t e = 0; e < expected.size(); ++e) {
        if (check.recursion_) {
            std::string label =
                ctx.resolver ? "resolver " + formatServerAddress(*ctx.resolver) : "system resolver";
            check.checks_.push_back(ServerCheck{e, label, {Probe{ctx.resolver, "", {}}}, false});
            continue;
        }
        const ZoneInfo& zone = expected[e].zone;
        if (zone.nameservers.empty()) {
            return fail(ErrorKind::NotFound, "no authoritative nameservers known for " +
                                                 expected[e].name + " (zone \"" + zone.zone +
                                                 "\"); check the zone's NS records");
        }
        for (const auto& ns : zone.nameservers) {
            if (ns.addresses.empty()) {
                return fail(ErrorKind::Network,
                            "nameserver " + ns.name + " of " + zone.zone +
                                " has no A or AAAA record, so " + expected[e].name +
                                " cannot be checked there; fix its address records or use "
                                "--dns-propagation resolver");
            }
            ServerCheck server{e, ns.name, {}, false};
            for (const auto& addr : ns.addresses) {
                server.probes.push_back(Probe{addr, formatServerAddress(addr), {}});
            }
            check.checks_.push_back(std::move(server));
        }
    }
    return check;
}

void PropagationCheck::poll(Resolver& dns, std::chrono::milliseconds timeout,
                            const std::function<void(const std::string&)>& note) {
    std::vector<Question> questions;
    std::vector<std::vector<Probe*>> askers; // the probes each question answers
    std::map<std::pair<std::string, std::string>, std::size_t> index;
    for (auto& check : checks_) {
        if (check.done) {
            continue;
        }
        const std::string& name = expected_[check.expectation].name;
        for (auto& probe : check.probes) {
            std::string where = probe.address ? formatServerAddress(*probe.address) : "";
            auto [it, added] = index.try_emplace({where, name}, questions.size());
            if (added) {
                questions.push_back(Question{probe.address, name, RecordType::TXT, recursion_});
                askers.emplace_back();
            }
            askers[it->second].push_back(&probe);
        }
    }
    auto results = dns.ask(questions, timeout);
    followOnServers(dns, questions, results, timeout);
    for (std::size_t i = 0; i < askers.size(); ++i) {
        for (Probe* probe : askers[i]) {
            probe->last =
                i < results.size()
                    ? results[i]
                    : Result<Answer>(makeError(ErrorKind::Internal, "no result from resolver"));
        }
    }
    evaluate(note);
}

void PropagationCheck::evaluate(const std::function<void(const std::string&)>& note) {
    for (auto& check : checks_) {
        if (check.done) {
            continue;
        }
        const auto& values = expected_[check.expectation].values;
        bool reachable = false;
        bool complete = true;
        for (const auto& probe : check.probes) {
            if (probe.last && probe.last->ok()) {
                reachable = true;
                complete = complete && hasAll(**probe.last, values);
            }
        }
        check.done = reachable && complete;
        if (!reachable || !note) {
            continue;
        }
        for (const auto& probe : check.probes) {
            if (probe.last && !probe.last->ok() &&
                noted_.insert(check.server + " " + probe.addressText).second) {
                note(check.server + " at " + probe.addressText + " is unreachable (" +
                     unreachableReason(probe.last->error(), probe.addressText) +
                     "); checking its other addresses");
            }
        }
    }
}

bool PropagationCheck::done() const {
    return std::all_of(checks_.begin(), checks_.end(), [](const auto& c) { return c.done; });
}

std::string PropagationCheck::describe(const ServerCheck& check, bool& unreachable) const {
    std::string lagging;
    std::string unreached;
    for (const auto& probe : check.probes) {
        if (!probe.last) {
            continue;
        }
        const std::string& at = probe.addressText;
        if (!probe.last->ok()) {
            const Error& error = probe.last->error();
            unreached += (unreached.empty() ? "" : ", ") +
                         (at.empty() ? "(" + error.message + ")"
                                     : "at " + at + " (" + unreachableReason(error, at) + ")");
        } else if (!hasAll(**probe.last, expected_[check.expectation].values)) {
            lagging += (lagging.empty() ? "" : "; on ") + check.server +
                       (at.empty() ? "" : " (" + at + ")") + ": it answers " +
                       describeAnswer(**probe.last);
        }
    }
    if (lagging.empty() && !unreached.empty()) {
        unreachable = true;
        return check.server + ": unreachable " + unreached;
    }
    return lagging;
}

Error PropagationCheck::failure(std::chrono::milliseconds waited) const {
    bool unreachable = false;
    std::string text;
    for (std::size_t e = 0; e < expected_.size(); ++e) {
        std::string items;
        for (const auto& check : checks_) {
            if (check.expectation == e && !check.done) {
                std::string item = describe(check, unreachable);
                items += item.empty() ? "" : (items.empty() ? "" : "; on ") + item;
            }
        }
        if (!items.empty()) {
            text += (text.empty() ? "" : "; ") + expected_[e].name + " not yet visible on " + items;
        }
    }
    text += " (gave up after " + formatDuration(waited) + ")";
    return makeError(unreachable ? ErrorKind::Network : ErrorKind::Timeout, text);
}

} // namespace certkeep::challenges::dns
