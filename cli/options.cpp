#include "cli/options.hpp"

#include <boost/program_options.hpp>
#include <cstdlib>
#include <sstream>

namespace certkeep::cli {

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "usage: certkeep [global options] COMMAND [command options]\n"
    "\n"
    "commands:\n"
    "  issue -d DOMAIN [-d DOMAIN ...]   get a certificate (HTTP-01)\n"
    "  account register                 create (or find) the ACME account\n"
    "  account show                     show the stored account and its status\n";

po::options_description globalOptions() {
    po::options_description d("global options");
    d.add_options()("server", po::value<std::string>()->default_value("letsencrypt"),
                    "ACME directory URL, or letsencrypt | letsencrypt-staging")(
        "ca-bundle", po::value<std::string>(),
        "PEM file of CAs that sign the ACME server's TLS certificate")(
        "state-dir", po::value<std::string>(),
        "state directory (default /var/lib/certkeep as root, else $XDG_STATE_HOME/certkeep)")(
        "email", po::value<std::string>(), "contact address for the account")(
        "agree-tos", po::bool_switch(), "agree to the CA's terms of service")(
        "eab-kid", po::value<std::string>(), "External Account Binding key id")(
        "eab-hmac-key", po::value<std::string>(),
        "External Account Binding HMAC key, base64url (or $CERTKEEP_EAB_HMAC_KEY)")(
        "account-key-type", po::value<std::string>()->default_value("es256"),
        "account key: es256 | es384 | rs256")(
        "verbose,v", po::value<int>()->implicit_value(1)->zero_tokens(),
        "print each protocol step to stderr")("help,h", po::bool_switch(), "show this help")(
        "version", po::bool_switch(), "show the version");
    return d;
}

po::options_description issueOptions() {
    po::options_description d("issue options");
    d.add_options()("domain,d", po::value<std::vector<std::string>>()->composing(),
                    "a name for the certificate (repeatable)")(
        "name", po::value<std::string>(),
        "certificate name in the store (default: the first domain)")(
        "key-type", po::value<std::string>()->default_value("ec-p256"),
        "ec-p256 | ec-p384 | rsa2048 | rsa3072 | rsa4096")(
        "http-listen", po::value<std::string>(),
        "built-in HTTP-01 responder address (default :80)")(
        "webroot", po::value<std::string>(),
        "write HTTP-01 responses under DIR/.well-known/acme-challenge/")(
        "preferred-chain", po::value<std::string>(),
        "prefer the chain whose top certificate is issued by this CN");
    return d;
}

// The value of a string option; an option given with an empty value is an error, so that
// an unset shell variable ("--name $NAME") never silently falls back to a default.
std::string str(const po::variables_map& vm, const char* key) {
    if (vm.count(key) == 0U) {
        return {};
    }
    std::string value = vm[key].as<std::string>();
    if (value.empty()) {
        throw UsageError(std::string("--") + key + " is empty: give a value or leave it out");
    }
    return value;
}

void rejectIssueOptions(const po::variables_map& vm, const std::string& command) {
    for (const char* key : {"domain", "name", "http-listen", "webroot", "preferred-chain"}) {
        if (vm.count(key) != 0U) {
            throw UsageError(std::string("--") + key + " is only for \"issue\", not \"" + command +
                             "\"");
        }
    }
    if (!vm["key-type"].defaulted()) {
        throw UsageError("--key-type is only for \"issue\", not \"" + command + "\"");
    }
}

Command pickCommand(const std::vector<std::string>& words, const po::variables_map& vm) {
    if (words.empty()) {
        throw UsageError("no command given: use issue, account register or account show "
                         "(see certkeep --help)");
    }
    const std::string& cmd = words[0];
    if (cmd == "issue") {
        if (words.size() > 1) {
            throw UsageError("unexpected argument \"" + words[1] +
                             "\": give domains with -d DOMAIN");
        }
        return Command::Issue;
    }
    if (cmd == "account") {
        rejectIssueOptions(vm, "account");
        if (words.size() == 2 && words[1] == "register") {
            return Command::AccountRegister;
        }
        if (words.size() == 2 && words[1] == "show") {
            return Command::AccountShow;
        }
        throw UsageError("use \"account register\" or \"account show\"");
    }
    throw UsageError("unknown command \"" + cmd +
                     "\": use issue, account register or account show");
}

} // namespace

std::string resolveServer(const std::string& nameOrUrl) {
    if (nameOrUrl == "letsencrypt") {
        return "https://acme-v02.api.letsencrypt.org/directory";
    }
    if (nameOrUrl == "letsencrypt-staging") {
        return "https://acme-staging-v02.api.letsencrypt.org/directory";
    }
    return nameOrUrl;
}

Invocation parseCommandLine(int argc, const char* const* argv) {
    po::options_description all;
    all.add(globalOptions()).add(issueOptions());
    all.add_options()("command-words", po::value<std::vector<std::string>>(), "");
    po::positional_options_description positional;
    positional.add("command-words", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(std::string(e.what()) + " (see certkeep --help)");
    }
    Invocation inv;
    std::ostringstream help;
    help << kUsage << "\n" << globalOptions() << "\n" << issueOptions();
    inv.helpText = help.str();
    if (vm["help"].as<bool>()) {
        return inv;
    }
    if (vm["version"].as<bool>()) {
        inv.command = Command::Version;
        return inv;
    }
    auto words = vm.count("command-words") != 0U
                     ? vm["command-words"].as<std::vector<std::string>>()
                     : std::vector<std::string>{};
    inv.command = pickCommand(words, vm);

    GlobalOptions& g = inv.global;
    g.server = resolveServer(str(vm, "server"));
    if (g.server.rfind("https://", 0) != 0 && g.server.rfind("http://", 0) != 0) {
        throw UsageError("--server \"" + g.server +
                         "\" is not a URL: give the ACME directory URL (https://...) or "
                         "letsencrypt / letsencrypt-staging");
    }
    g.caBundle = str(vm, "ca-bundle");
    g.stateDir = str(vm, "state-dir");
    g.email = str(vm, "email");
    g.agreeTos = vm["agree-tos"].as<bool>();
    g.eabKid = str(vm, "eab-kid");
    g.eabHmacKey = str(vm, "eab-hmac-key");
    if (g.eabHmacKey.empty() && !g.eabKid.empty()) { // the variable only completes --eab-kid
        const char* env = std::getenv("CERTKEEP_EAB_HMAC_KEY");
        g.eabHmacKey = env != nullptr ? env : "";
    }
    if (g.eabKid.empty() != g.eabHmacKey.empty()) {
        throw UsageError("External Account Binding needs both --eab-kid and --eab-hmac-key");
    }
    g.accountKeyType = str(vm, "account-key-type");
    g.verbose = vm.count("verbose") != 0U ? 1 : 0;

    IssueOptions& i = inv.issue;
    if (vm.count("domain") != 0U) {
        i.domains = vm["domain"].as<std::vector<std::string>>();
        for (const auto& d : i.domains) {
            if (d.empty()) {
                throw UsageError("-d/--domain is empty: give a domain name");
            }
        }
    }
    i.name = str(vm, "name");
    i.keyType = str(vm, "key-type");
    i.httpListen = str(vm, "http-listen");
    i.webroot = str(vm, "webroot");
    i.preferredChain = str(vm, "preferred-chain");
    if (!i.httpListen.empty() && !i.webroot.empty()) {
        throw UsageError("--http-listen and --webroot exclude each other: choose one");
    }
    return inv;
}

} // namespace certkeep::cli
