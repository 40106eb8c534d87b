#include "cli/options.hpp"

#include "cli/command.hpp"
#include "cli/email.hpp"
#include "common/duration.hpp"
#include "common/file_trust.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

po::options_description globalOptions() {
    po::options_description d("global options");
    d.add_options()("config", po::value<std::string>(),
                    "config file (default /etc/certkeep/certkeep.toml, when it exists)")(
        "server", po::value<std::string>(),
        "ACME directory URL (https), or letsencrypt (default) | letsencrypt-staging")(
        "ca-bundle", po::value<std::string>(),
        "PEM file of CAs that sign the ACME server's TLS certificate")(
        "state-dir", po::value<std::string>(),
        "state directory (default /var/lib/certkeep as root, else $XDG_STATE_HOME/certkeep)")(
        "email", po::value<std::string>(), "contact address for a new account")(
        "agree-tos", po::bool_switch(), "agree to the CA's terms of service")(
        "eab-kid", po::value<std::string>(), "External Account Binding key id")(
        "eab-hmac-key-file", po::value<std::string>(),
        "file holding the External Account Binding HMAC key (base64url)")(
        "eab-hmac-key", po::value<std::string>(),
        "the HMAC key itself (prefer the file or $CERTKEEP_EAB_HMAC_KEY: the process list is "
        "public)")("account-key-type", po::value<std::string>(),
                   "key of a new account: es256 (default) | es384 | rs256")(
        "verbose,v", po::value<int>()->implicit_value(1)->zero_tokens(),
        "print each protocol step to stderr")("help,h", po::bool_switch(), "show this help")(
        "version", po::bool_switch(), "show the version");
    return d;
}

// The options of one command, or of all (for the first parse), without duplicates.
po::options_description commandOptions(const CommandDef* only) {
    po::options_description d("command options");
    std::set<std::string> seen;
    for (const auto& cmd : commandRegistry()) {
        if ((only != nullptr && &cmd != only) || !cmd.addOptions) {
            continue;
        }
        po::options_description mine;
        cmd.addOptions(mine);
        for (const auto& opt : mine.options()) {
            if (seen.insert(opt->long_name()).second) {
                d.add(opt);
            }
        }
    }
    return d;
}

std::string joinWords(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        out += (out.empty() ? "" : " ") + w;
    }
    return out;
}

std::string usageText() {
    std::ostringstream out;
    out << "usage: certkeep [global options] COMMAND [command options]\n\ncommands:\n";
    for (const auto& cmd : commandRegistry()) {
        std::string synopsis = cmd.synopsis;
        synopsis.resize(std::max<std::size_t>(synopsis.size(), 34), ' ');
        out << "  " << synopsis << " " << cmd.summary << "\n";
    }
    out << "\n" << globalOptions() << "\n" << commandOptions(nullptr);
    return out.str();
}

// The command whose words are the longest prefix of `words`.
const CommandDef& pickCommand(const std::vector<std::string>& words) {
    const CommandDef* best = nullptr;
    for (const auto& cmd : commandRegistry()) {
        bool prefix = cmd.words.size() <= words.size() &&
                      std::equal(cmd.words.begin(), cmd.words.end(), words.begin());
        if (prefix && (best == nullptr || cmd.words.size() > best->words.size())) {
            best = &cmd;
        }
    }
    std::string names;
    for (const auto& cmd : commandRegistry()) {
        names += (names.empty() ? "" : ", ") + joinWords(cmd.words);
    }
    if (words.empty()) {
        throw UsageError("no command given: use one of " + names + " (see certkeep --help)");
    }
    if (best == nullptr) {
        throw UsageError("unknown command \"" + joinWords(words) + "\": use one of " + names);
    }
    if (words.size() > best->words.size() + best->maxOperands) {
        throw UsageError("unexpected argument \"" + words[best->words.size()] + "\" after \"" +
                         joinWords(best->words) + "\" (see certkeep --help)");
    }
    return *best;
}

// Options of other commands are refused by name rather than silently ignored.
void refuseForeignOptions(const po::variables_map& vm, const CommandDef& cmd) {
    po::options_description global = globalOptions();
    po::options_description mine = commandOptions(&cmd);
    for (const auto& [name, value] : vm) {
        if (name == "command-words" || value.defaulted() ||
            global.find_nothrow(name, false) != nullptr ||
            mine.find_nothrow(name, false) != nullptr) {
            continue;
        }
        throw UsageError("--" + name + " is not an option of \"" + joinWords(cmd.words) +
                         "\" (see certkeep --help)");
    }
}

// The server: an alias or an https URL. http is refused: certkeep talks https only to a CA.
std::string serverFrom(const po::variables_map& vm) {
    std::string given = vm.count("server") != 0U ? stringOption(vm, "server") : "letsencrypt";
    std::string url = resolveServer(given);
    if (url.rfind("http://", 0) == 0) {
        throw UsageError("--server " + url +
                         ": certkeep talks to a CA over https only; use the https:// URL");
    }
    if (url.rfind("https://", 0) != 0 || url.size() <= 8) {
        throw UsageError("--server \"" + url +
                         "\" is not a URL: give the ACME directory URL (https://...) or "
                         "letsencrypt / letsencrypt-staging");
    }
    return url;
}

void readEab(const po::variables_map& vm, GlobalOptions& g) {
    g.eabKid = stringOption(vm, "eab-kid");
    g.eabHmacKey = stringOption(vm, "eab-hmac-key");
    std::string file = stringOption(vm, "eab-hmac-key-file");
    if (!file.empty() && !g.eabHmacKey.empty()) {
        throw UsageError("give the EAB HMAC key once: --eab-hmac-key or --eab-hmac-key-file");
    }
    if (!file.empty()) {
        auto key = readSecretFile(file, "--eab-hmac-key-file", false);
        if (!key) {
            throw UsageError(key.error().message);
        }
        g.eabHmacKey = *key;
    }
    if (g.eabHmacKey.empty() && !g.eabKid.empty()) { // the variable only completes --eab-kid
        const char* env = std::getenv("CERTKEEP_EAB_HMAC_KEY");
        g.eabHmacKey = env != nullptr ? env : "";
    }
    if (g.eabKid.empty() != g.eabHmacKey.empty()) {
        throw UsageError("External Account Binding needs both --eab-kid and the HMAC key "
                         "(--eab-hmac-key-file FILE or $CERTKEEP_EAB_HMAC_KEY)");
    }
}

GlobalOptions readGlobal(const po::variables_map& vm) {
    GlobalOptions g;
    g.server = serverFrom(vm);
    g.serverGiven = vm.count("server") != 0U;
    g.caBundle = stringOption(vm, "ca-bundle");
    g.stateDir = stringOption(vm, "state-dir");
    g.email = stringOption(vm, "email");
    if (!g.email.empty()) {
        if (auto why = emailProblem(g.email); !why.empty()) {
            throw UsageError("invalid --email \"" + g.email + "\": " + why);
        }
    }
    g.agreeTos = vm["agree-tos"].as<bool>();
    readEab(vm, g);
    g.accountKeyTypeGiven = vm.count("account-key-type") != 0U;
    g.accountKeyType = g.accountKeyTypeGiven ? stringOption(vm, "account-key-type") : "es256";
    g.verbose = vm.count("verbose") != 0U ? 1 : 0;
    g.configGiven = vm.count("config") != 0U;
    g.config = stringOption(vm, "config");
    return g;
}

} // namespace

std::string stringOption(const po::variables_map& vm, const char* key) {
    if (vm.count(key) == 0U) {
        return {};
    }
    std::string value = vm[key].as<std::string>();
    if (value.empty()) {
        throw UsageError(std::string("--") + key + " is empty: give a value or leave it out");
    }
    return value;
}

Result<std::chrono::seconds> durationOption(const po::variables_map& vm, const char* key,
                                            std::chrono::seconds fallback) {
    if (vm.count(key) == 0U) {
        return fallback;
    }
    auto d = parseDuration(stringOption(vm, key));
    if (!d) {
        return fail(ErrorKind::Usage, std::string("--") + key + ": " + d.error().message);
    }
    return *d;
}

std::string resolveServer(const std::string& nameOrUrl) {
    if (nameOrUrl == "letsencrypt") {
        return "https://acme-v02.api.letsencrypt.org/directory";
    }
    if (nameOrUrl == "letsencrypt-staging") {
        return "https://acme-staging-v02.api.letsencrypt.org/directory";
    }
    return nameOrUrl;
}

namespace {

// The command argv names, before the options are parsed (for the exit code of a parse error):
// the longest registered prefix of the words that are neither options nor option values.
const CommandDef* guessCommand(int argc, const char* const* argv,
                               const po::options_description& all) {
    std::vector<std::string> words;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.size() < 2 || arg[0] != '-') {
            words.push_back(arg);
            continue;
        }
        if (arg.find('=') != std::string::npos) {
            continue;
        }
        const auto* opt = arg[1] == '-' ? all.find_nothrow(arg.substr(2), false) : nullptr;
        if (opt != nullptr && opt->semantic()->max_tokens() > 0) {
            ++i; // its value
        }
    }
    const CommandDef* best = nullptr;
    for (const auto& cmd : commandRegistry()) {
        if (cmd.words.size() <= words.size() &&
            std::equal(cmd.words.begin(), cmd.words.end(), words.begin()) &&
            (best == nullptr || cmd.words.size() > best->words.size())) {
            best = &cmd;
        }
    }
    return best;
}

} // namespace

Invocation parseCommandLine(int argc, const char* const* argv) {
    po::options_description all;
    all.add(globalOptions()).add(commandOptions(nullptr));
    all.add_options()("command-words", po::value<std::vector<std::string>>(), "");
    po::positional_options_description positional;
    positional.add("command-words", -1);
    Invocation inv;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  inv.vm);
        po::notify(inv.vm);
    } catch (const po::error& e) {
        const CommandDef* guess = guessCommand(argc, argv, all);
        throw UsageError(std::string(e.what()) + " (see certkeep --help)",
                         guess != nullptr ? guess->usageExit : 2);
    }
    inv.helpText = usageText();
    if (inv.vm["help"].as<bool>()) {
        inv.help = true;
        return inv;
    }
    if (inv.vm["version"].as<bool>()) {
        inv.version = true;
        return inv;
    }
    auto words = inv.vm.count("command-words") != 0U
                     ? inv.vm["command-words"].as<std::vector<std::string>>()
                     : std::vector<std::string>{};
    try {
        inv.command = &pickCommand(words);
    } catch (const UsageError& e) {
        const CommandDef* guess = guessCommand(argc, argv, all);
        throw UsageError(e.what(), guess != nullptr ? guess->usageExit : 2);
    }
    inv.operands.assign(words.begin() + static_cast<std::ptrdiff_t>(inv.command->words.size()),
                        words.end());
    try {
        refuseForeignOptions(inv.vm, *inv.command);
        inv.global = readGlobal(inv.vm);
    } catch (const UsageError& e) {
        throw UsageError(e.what(), inv.command->usageExit);
    }
    return inv;
}

} // namespace certkeep::cli
