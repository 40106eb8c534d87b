// Selecting and checking a certificate's challenge settings.
#include "lifecycle/challenge_spec.hpp"

#include "challenges/dns/propagation.hpp"
#include "challenges/dns/resolver.hpp"
#include "challenges/listen_address.hpp"
#include "common/duration.hpp"
#include "common/url.hpp"

namespace certkeep::lifecycle {

namespace {

Status usage(const std::string& message) {
    return fail(ErrorKind::Usage, message);
}

// A responder address the CA can reach: parses, and its port is not 0.
Status checkListen(const std::string& value, const char* option, const char* portHint) {
    auto addr = challenges::parseListenAddress(value);
    if (!addr) {
        return usage(std::string("--") + option + " " + value + ": " + addr.error().message);
    }
    if (addr->port == 0) {
        return usage(std::string("--") + option + " " + value +
                     ": port 0 is a random port the CA cannot know; give the port the CA "
                     "connects to (" +
                     portHint + ")");
    }
    return {};
}

Status checkDnsProvider(const store::DnsSettings& dns) {
    if (dns.provider == "rfc2136") {
        if (dns.server.empty()) {
            return usage("dns-01 through rfc2136 needs the server taking updates: give "
                         "--dns-server ADDR:PORT (config: dns-server)");
        }
        if (auto a = challenges::dns::parseServerAddress(dns.server); !a) {
            return usage("--dns-server " + dns.server + ": " + a.error().message);
        }
        return {};
    }
    if (dns.provider == "exec") {
        if (dns.exec.empty()) {
            return usage("dns-01 through exec needs the program: give --dns-exec PROG (config: "
                         "dns-exec)");
        }
        if (dns.exec.front() != '/') {
            return usage("--dns-exec " + dns.exec +
                         ": give the program's absolute path (timers and cron run elsewhere)");
        }
        return {};
    }
    if (dns.provider == "pdns") {
        if (dns.pdnsUrl.empty()) {
            return usage("dns-01 through pdns needs the PowerDNS API URL: give --pdns-url URL "
                         "(config: pdns-url)");
        }
        const std::string& u = dns.pdnsUrl;
        bool http = u.rfind("http://", 0) == 0 && u.size() > 7;
        if (!http && !isHttpsUrl(u)) {
            return usage("--pdns-url " + dns.pdnsUrl +
                         ": give the API's base URL, e.g. http://127.0.0.1:8081");
        }
        return {};
    }
    return usage("--dns " + dns.provider + ": unknown DNS provider: use rfc2136, exec or pdns");
}

Status checkDnsCommon(const store::DnsSettings& dns) {
    if (!dns.resolver.empty()) {
        if (auto a = challenges::dns::parseServerAddress(dns.resolver); !a) {
            return usage("--dns-resolver " + dns.resolver + ": " + a.error().message);
        }
    }
    if (!dns.propagation.empty()) {
        if (auto m = challenges::dns::parsePropagationMode(dns.propagation); !m) {
            return usage("--dns-propagation: " + m.error().message);
        }
    }
    if (!dns.timeout.empty()) {
        if (auto d = parseDuration(dns.timeout); !d) {
            return usage("--dns-timeout: " + d.error().message);
        }
    }
    return {};
}

} // namespace

std::string challengeTypeOf(const store::CertSettings& settings) {
    if (!settings.dns.provider.empty()) {
        return "dns-01";
    }
    if (!settings.tlsAlpnListen.empty()) {
        return "tls-alpn-01";
    }
    return "http-01";
}

Result<ChallengeSpec> challengeSpecOf(const store::CertSettings& settings) {
    ChallengeSpec spec;
    spec.type = challengeTypeOf(settings);
    if (spec.type == "dns-01") {
        if (auto st = checkDnsProvider(settings.dns); !st) {
            return st.takeError();
        }
        if (auto st = checkDnsCommon(settings.dns); !st) {
            return st.takeError();
        }
        spec.dns = settings.dns;
    } else if (spec.type == "tls-alpn-01") {
        if (auto st = checkListen(settings.tlsAlpnListen, "tls-alpn-listen", "443"); !st) {
            return st.takeError();
        }
        spec.tlsAlpnListen = settings.tlsAlpnListen;
    } else {
        spec.httpListen = settings.httpListen;
        spec.webroot = settings.webroot;
        if (spec.webroot.empty()) {
            auto listen = spec.httpListen.empty() ? std::string(":80") : spec.httpListen;
            if (auto st = checkListen(listen, "http-listen", "80"); !st) {
                return st.takeError();
            }
        }
    }
    return spec;
}

Status checkWildcards(const std::vector<acme::Identifier>& ids, const ChallengeSpec& challenge) {
    if (challenge.type == "dns-01") {
        return {};
    }
    for (const auto& id : ids) {
        if (id.value.rfind("*.", 0) == 0) {
            return usage("wildcard " + id.value + " cannot be validated with " + challenge.type +
                         ": wildcards need the dns-01 challenge (give --dns PROVIDER)");
        }
    }
    return {};
}

} // namespace certkeep::lifecycle
