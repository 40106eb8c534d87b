// The `hooks` table: event -> array of argument vectors. Hooks run with execve, never through
// a shell, so a command is written as its argv: hooks.deploy = [["systemctl", "reload", "nginx"]].
#include "cli/config/reader.hpp"
#include "cli/config/suggest.hpp"
#include "hooks/event.hpp"

namespace certkeep::cli::config {

namespace {

using Argv = std::vector<std::string>;

const char* const kExample = "[[\"systemctl\", \"reload\", \"nginx\"]]";

std::string eventList() {
    std::string out;
    const auto& events = hooks::knownEvents();
    for (std::size_t i = 0; i < events.size(); ++i) {
        out += (i == 0 ? "" : i + 1 == events.size() ? " or " : ", ") + events[i];
    }
    return out;
}

// One argument; false (with a problem) when it is not a non-empty string.
bool readArgument(const toml::node& arg, const std::string& where, bool first, Argv& argv,
                  std::vector<Problem>& problems) {
    const auto* text = arg.as_string();
    if (text == nullptr) {
        problems.push_back(problemAt(arg.source(), "each argument in " + where +
                                                       " must be a string, not " + typeName(arg)));
        return false;
    }
    const std::string& s = text->get();
    if (s.empty()) {
        problems.push_back(problemAt(arg.source(), "an empty argument in " + where +
                                                       ": remove it or give its value"));
        return false;
    }
    if (first && s.find_first_of(" \t") != std::string::npos) {
        problems.push_back(
            problemAt(arg.source(), "the program \"" + s + "\" in " + where +
                                        " has spaces: give each argument as its own string, e.g. " +
                                        kExample));
        return false;
    }
    if (first && s.find('/') != std::string::npos && s.front() != '/') {
        problems.push_back(problemAt(arg.source(), "the program \"" + s + "\" in " + where +
                                                       " is a relative path: give an absolute "
                                                       "path or a name found in PATH"));
        return false;
    }
    argv.push_back(s);
    return true;
}

// One command: a non-empty array of non-empty strings.
void readCommand(const toml::node& command, const std::string& where, std::vector<Argv>& out,
                 std::vector<Problem>& problems) {
    const auto* parts = command.as_array();
    if (parts == nullptr) {
        problems.push_back(
            problemAt(command.source(),
                      "each command in " + where + " must be an argument vector like " +
                          "[\"systemctl\", \"reload\", \"nginx\"], not " + typeName(command)));
        return;
    }
    if (parts->empty()) {
        problems.push_back(problemAt(command.source(), "an empty command in " + where +
                                                           ": give the program and its arguments"));
        return;
    }
    Argv argv;
    bool ok = true;
    for (std::size_t i = 0; i < parts->size(); ++i) {
        ok = readArgument((*parts)[i], where, i == 0, argv, problems) && ok;
    }
    if (ok) {
        out.push_back(std::move(argv));
    }
}

// The commands of one event.
void readEvent(const std::string& event, const toml::node& value, std::vector<Argv>& out,
               std::vector<Problem>& problems) {
    std::string where = "hooks." + event;
    if (value.is_string()) {
        problems.push_back(
            problemAt(value.source(), where +
                                          " is a shell string, and hooks run without a "
                                          "shell: write an argument vector, e.g. " +
                                          where + " = " + kExample));
        return;
    }
    const auto* commands = value.as_array();
    if (commands == nullptr) {
        problems.push_back(
            problemAt(value.source(), where + " must be an array of commands, e.g. " + where +
                                          " = " + kExample + ", not " + typeName(value)));
        return;
    }
    if (!commands->empty() && commands->is_homogeneous(toml::node_type::string)) {
        problems.push_back(problemAt(value.source(),
                                     where + " must be a list of commands: " + "write " + kExample +
                                         " (double brackets), one inner array "
                                         "per command"));
        return;
    }
    for (const auto& command : *commands) {
        readCommand(command, where, out, problems);
    }
}

} // namespace

void readHooks(const toml::node& value, std::map<std::string, std::vector<Argv>>& out,
               std::vector<Problem>& problems) {
    const auto* events = value.as_table();
    if (events == nullptr) {
        std::string why = value.is_string() ? "hooks run without a shell, so a command is an "
                                              "argument vector per event"
                                            : "hooks is a table of events";
        problems.push_back(problemAt(value.source(), why + ": write hooks.deploy = " + kExample +
                                                         " (hooks is " + typeName(value) +
                                                         " here)"));
        return;
    }
    for (const auto& [key, commands] : *events) {
        std::string event(key.str());
        if (!hooks::isKnownEvent(event)) {
            problems.push_back(problemAt(key.source(), "unknown hook event \"" + event + "\"" +
                                                           didYouMean(event, hooks::knownEvents()) +
                                                           ": use " + eventList()));
            continue;
        }
        readEvent(event, commands, out[event], problems);
    }
}

} // namespace certkeep::cli::config
