#include "challenges/dns01/exec_provider.hpp"

#include <cctype>
#include <deque>

namespace certkeep::challenges::dns01 {

namespace {

constexpr std::size_t tailLines = 3;
constexpr std::size_t maxLineChars = 200;

std::string describe(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) {
        return std::to_string(d.count() / 1000) + "s";
    }
    return std::to_string(d.count()) + "ms";
}

// One output line fit for a one-line message: trimmed, control characters replaced, capped.
std::string cleanLine(const std::string& line) {
    std::string out;
    for (char c : line) {
        out.push_back(std::iscntrl(static_cast<unsigned char>(c)) != 0 ? ' ' : c);
    }
    std::size_t first = out.find_first_not_of(' ');
    if (first == std::string::npos) {
        return "";
    }
    out = out.substr(first, out.find_last_not_of(' ') - first + 1);
    if (out.size() > maxLineChars) {
        out = out.substr(0, maxLineChars) + "...";
    }
    return out;
}

// The last three non-empty lines of the program's output, joined with " / ".
std::string outputTail(const std::string& output) {
    std::deque<std::string> last;
    std::size_t start = 0;
    while (start < output.size()) {
        std::size_t end = output.find('\n', start);
        end = end == std::string::npos ? output.size() : end;
        std::string line = cleanLine(output.substr(start, end - start));
        if (!line.empty()) {
            last.push_back(std::move(line));
            if (last.size() > tailLines) {
                last.pop_front();
            }
        }
        start = end + 1;
    }
    std::string joined;
    for (const auto& line : last) {
        joined += (joined.empty() ? "" : " / ") + line;
    }
    return joined.empty() ? "(no output)" : joined;
}

} // namespace

ExecProvider::ExecProvider(ExecOptions options, ProgramRunner run)
    : options_(std::move(options)), run_(std::move(run)) {}

Status ExecProvider::present(const TxtRecord& record) {
    return run("present", record);
}

Status ExecProvider::cleanup(const TxtRecord& record) {
    return run("cleanup", record);
}

// lego's exec / acme.sh dnsapi contract: PROG ACTION FQDN VALUE, the same in the environment.
Status ExecProvider::run(const std::string& action, const TxtRecord& record) {
    ProgramRun request;
    request.path = options_.program;
    request.argv = {options_.program, action, record.fqdn, record.value};
    request.env = {"CERTKEEP_DNS_FQDN=" + record.fqdn, "CERTKEEP_DNS_VALUE=" + record.value};
    if (!record.zone.empty()) {
        request.env.push_back("CERTKEEP_DNS_ZONE=" + record.zone);
    }
    request.timeout = options_.timeout;
    std::string what = "dns exec: " + options_.program + " " + action + " " + record.fqdn;
    auto outcome = run_(request);
    if (!outcome) {
        return fail(std::move(outcome).error().context(what + " could not start"));
    }
    if (outcome->timedOut) {
        return fail(ErrorKind::Timeout, what + " timed out after " + describe(options_.timeout) +
                                            " and was stopped: " + outputTail(outcome->output));
    }
    if (outcome->exitCode != 0) {
        std::string how = outcome->exitCode < 0 ? "killed by a signal"
                                                : "exit " + std::to_string(outcome->exitCode);
        return fail(ErrorKind::Local,
                    what + " failed (" + how + "): " + outputTail(outcome->output));
    }
    return {};
}

} // namespace certkeep::challenges::dns01
