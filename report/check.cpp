// `certkeep check`: Nagios plugin output (summary line with perfdata first, then one line per
// target at risk, worst first) and the Nagios exit code.
#include "report/check.hpp"

#include "report/format.hpp"

#include <algorithm>
#include <array>

namespace certkeep::report {

namespace {

// Nagios states, numbered as the exit codes.
enum class State { Ok = 0, Warning = 1, Critical = 2, Unknown = 3 };

constexpr std::array<const char*, 4> kStateNames{"OK", "WARNING", "CRITICAL", "UNKNOWN"};

const char* nameOf(State s) {
    return kStateNames[static_cast<std::size_t>(s)];
}

// Icinga's ranking: CRITICAL > UNKNOWN > WARNING > OK.
int rankOf(State s) {
    switch (s) {
    case State::Critical:
        return 3;
    case State::Unknown:
        return 2;
    case State::Warning:
        return 1;
    case State::Ok:
        break;
    }
    return 0;
}

struct Verdict {
    const CheckTarget* target = nullptr;
    State state = State::Unknown;
    std::size_t earliest = 0;     // index in the chain of the certificate expiring first
    std::chrono::seconds left{0}; // time left to it (negative once expired)
};

// Text from outside (labels, subjects, problems) on one line, without '|', which would start
// perfdata in Nagios output.
std::string plain(std::string_view text) {
    std::string out = oneLine(text);
    std::replace(out.begin(), out.end(), '|', '/');
    return out;
}

// A perfdata label: single-quoted, a quote doubled, '=' (the separator) replaced.
std::string perfLabel(const std::string& label) {
    std::string out = "'";
    for (char c : plain(label)) {
        out += c == '\'' ? std::string("''") : c == '=' ? std::string("_") : std::string(1, c);
    }
    return out + "'";
}

Verdict judge(const CheckTarget& t, TimePoint now) {
    Verdict v{&t, State::Unknown, 0, {}};
    if (!t.problem.empty() || t.chain.empty()) {
        return v;
    }
    for (std::size_t i = 1; i < t.chain.size(); ++i) {
        if (t.chain[i].notAfter < t.chain[v.earliest].notAfter) {
            v.earliest = i;
        }
    }
    v.left = secondsUntil(t.chain[v.earliest].notAfter, now);
    v.state = v.left <= t.critBefore   ? State::Critical
              : v.left <= t.warnBefore ? State::Warning
                                       : State::Ok;
    return v;
}

// "<STATE>: <label> expires in 3d4h (2026-12-01T00:00:00Z)" and its variants.
std::string detailLine(const Verdict& v) {
    const CheckTarget& t = *v.target;
    std::string line = std::string(nameOf(v.state)) + ": " + plain(t.label);
    if (v.state == State::Unknown) {
        return line + ": " + plain(t.problem.empty() ? "no certificate found" : t.problem) + "\n";
    }
    if (v.earliest > 0) {
        line += ": intermediate \"" + plain(t.chain[v.earliest].subject) + "\"";
    }
    std::string when =
        v.left.count() < 0 ? humanDuration(v.left) : "expires in " + humanDuration(v.left);
    return line + " " + when + " (" + timeText(t.chain[v.earliest].notAfter) + ")\n";
}

// One `'label'=<left>s;<warn>:;<crit>:;;` per target that has a time left.
std::string perfdata(const std::vector<Verdict>& verdicts) {
    std::string out;
    for (const auto& v : verdicts) {
        if (v.state == State::Unknown) {
            continue;
        }
        out += out.empty() ? "" : " ";
        out += perfLabel(v.target->label) + "=" + std::to_string(v.left.count()) + "s;" +
               std::to_string(v.target->warnBefore.count()) + ":;" +
               std::to_string(v.target->critBefore.count()) + ":;;";
    }
    return out;
}

} // namespace

CheckOutcome evaluateCheck(const std::vector<CheckTarget>& targets, TimePoint now) {
    if (targets.empty()) {
        return {3, "CERTKEEP UNKNOWN - no certificates to check\n"};
    }
    std::vector<Verdict> verdicts;
    std::array<int, 4> counts{};
    State worst = State::Ok;
    for (const auto& t : targets) {
        verdicts.push_back(judge(t, now));
        State s = verdicts.back().state;
        ++counts[static_cast<std::size_t>(s)];
        worst = rankOf(s) > rankOf(worst) ? s : worst;
    }
    std::string out = std::string("CERTKEEP ") + nameOf(worst) + " - " + std::to_string(counts[2]) +
                      " critical, " + std::to_string(counts[1]) + " warning, " +
                      std::to_string(counts[3]) + " unknown, " + std::to_string(counts[0]) + " ok";
    std::string perf = perfdata(verdicts);
    out += perf.empty() ? "\n" : " | " + perf + "\n";
    std::stable_sort(verdicts.begin(), verdicts.end(), [](const Verdict& a, const Verdict& b) {
        return rankOf(a.state) > rankOf(b.state);
    });
    for (const auto& v : verdicts) {
        if (v.state != State::Ok) {
            out += detailLine(v);
        }
    }
    return {static_cast<int>(worst), out};
}

} // namespace certkeep::report
