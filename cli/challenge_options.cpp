// Challenge options on the command line, and layering them over settings.
#include "cli/challenge_options.hpp"

#include "cli/options.hpp"
#include "lifecycle/challenge_spec.hpp"

namespace certkeep::cli {

namespace po = boost::program_options;

void addDnsOptions(po::options_description& d) {
    d.add_options()("dns", po::value<std::string>(),
                    "answer DNS-01 through this provider: rfc2136 | exec | pdns")(
        "dns-server", po::value<std::string>(), "rfc2136: the server taking updates, ADDR:PORT")(
        "tsig-key-file", po::value<std::string>(),
        "rfc2136: TSIG key file as tsig-keygen writes it (or set CERTKEEP_TSIG_KEY)")(
        "dns-exec", po::value<std::string>(),
        "exec: program run as PROG present|cleanup FQDN VALUE")(
        "pdns-url", po::value<std::string>(), "pdns: PowerDNS API base URL")(
        "pdns-api-key-file", po::value<std::string>(),
        "pdns: file holding the API key (or set CERTKEEP_PDNS_API_KEY)")(
        "pdns-server-id", po::value<std::string>(), "pdns: server id (default localhost)")(
        "dns-resolver", po::value<std::string>(),
        "ADDR:PORT asked for SOA, NS and addresses (default: the system's resolvers)")(
        "dns-propagation", po::value<std::string>(),
        "authoritative (default: every authoritative server) | resolver | off")(
        "dns-timeout", po::value<std::string>(),
        "how long to wait for the records to propagate (default 2m)");
}

void addChallengeOptions(po::options_description& d) {
    d.add_options()("http-listen", po::value<std::string>(),
                    "built-in HTTP-01 responder address (default :80, IPv6 and IPv4)")(
        "webroot", po::value<std::string>(),
        "write HTTP-01 responses under DIR/.well-known/acme-challenge/")(
        "tls-alpn-listen", po::value<std::string>(),
        "answer TLS-ALPN-01 with a built-in responder on ADDR:PORT")("tls-alpn", po::bool_switch(),
                                                                     "answer TLS-ALPN-01 on :443");
    addDnsOptions(d);
}

Result<ChallengeLayer> challengeLayerFrom(const po::variables_map& vm) {
    auto opt = [&vm](const char* key) -> std::optional<std::string> {
        if (vm.count(key) == 0U || vm[key].defaulted()) {
            return std::nullopt;
        }
        return stringOption(vm, key);
    };
    ChallengeLayer l;
    l.httpListen = opt("http-listen");
    l.webroot = opt("webroot");
    l.tlsAlpnListen = opt("tls-alpn-listen");
    if (!l.tlsAlpnListen && vm.count("tls-alpn") != 0U && vm["tls-alpn"].as<bool>()) {
        l.tlsAlpnListen = ":443";
    }
    l.dns = opt("dns");
    l.dnsServer = opt("dns-server");
    l.tsigKeyFile = opt("tsig-key-file");
    l.dnsExec = opt("dns-exec");
    l.pdnsUrl = opt("pdns-url");
    l.pdnsApiKeyFile = opt("pdns-api-key-file");
    l.pdnsServerId = opt("pdns-server-id");
    l.dnsResolver = opt("dns-resolver");
    l.dnsPropagation = opt("dns-propagation");
    l.dnsTimeout = opt("dns-timeout");
    std::vector<std::string> chosen;
    if (l.httpListen) {
        chosen.emplace_back("--http-listen");
    }
    if (l.webroot) {
        chosen.emplace_back("--webroot");
    }
    if (l.tlsAlpnListen) {
        chosen.emplace_back("--tls-alpn-listen");
    }
    if (l.dns) {
        chosen.emplace_back("--dns");
    }
    if (chosen.size() > 1) {
        return fail(ErrorKind::Usage, chosen[0] + " and " + chosen[1] +
                                          " exclude each other: choose one way to answer the "
                                          "challenges");
    }
    return l;
}

void applyChallengeLayer(store::CertSettings& s, const ChallengeLayer& l) {
    auto set = [](std::string& field, const std::optional<std::string>& v) {
        if (v) {
            field = *v;
        }
    };
    if (l.selects()) { // one selection replaces the others
        s.httpListen = l.httpListen.value_or("");
        s.webroot = l.webroot.value_or("");
        s.tlsAlpnListen = l.tlsAlpnListen.value_or("");
        s.dns.provider = l.dns.value_or("");
    }
    set(s.dns.server, l.dnsServer);
    set(s.dns.tsigKeyFile, l.tsigKeyFile);
    set(s.dns.exec, l.dnsExec);
    set(s.dns.pdnsUrl, l.pdnsUrl);
    set(s.dns.pdnsApiKeyFile, l.pdnsApiKeyFile);
    set(s.dns.pdnsServerId, l.pdnsServerId);
    set(s.dns.resolver, l.dnsResolver);
    set(s.dns.propagation, l.dnsPropagation);
    set(s.dns.timeout, l.dnsTimeout);
    s.challenge = lifecycle::challengeTypeOf(s);
}

} // namespace certkeep::cli
