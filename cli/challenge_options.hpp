#pragma once
// The challenge options shared by issue, renew, serve and `dns preflight`, and how one layer of
// them (the command line, a config table) is laid over stored settings: a layer that selects a
// challenge (http-listen, webroot, tls-alpn-listen, dns) replaces the other selections; the
// DNS-01 details (server, key file, resolver...) are taken key by key.

#include "common/result.hpp"
#include "store/records.hpp"

#include <boost/program_options.hpp>
#include <optional>
#include <string>

namespace certkeep::cli {

struct ChallengeLayer {
    std::optional<std::string> httpListen, webroot, tlsAlpnListen, dns, dnsServer, tsigKeyFile,
        dnsExec, pdnsUrl, pdnsApiKeyFile, pdnsServerId, dnsResolver, dnsPropagation, dnsTimeout;
    [[nodiscard]] bool selects() const { return httpListen || webroot || tlsAlpnListen || dns; }
};

// --http-listen --webroot --tls-alpn-listen --tls-alpn --dns --dns-server --tsig-key-file
// --dns-exec --pdns-url --pdns-api-key-file --pdns-server-id --dns-resolver --dns-propagation
// --dns-timeout.
void addChallengeOptions(boost::program_options::options_description& d);
// The DNS options alone (for `dns preflight`).
void addDnsOptions(boost::program_options::options_description& d);

// The layer given in `vm`. Usage error when two challenges are selected at once.
Result<ChallengeLayer> challengeLayerFrom(const boost::program_options::variables_map& vm);

// Lays `layer` over `s` and sets s.challenge to the challenge the result selects.
void applyChallengeLayer(store::CertSettings& s, const ChallengeLayer& layer);

} // namespace certkeep::cli
