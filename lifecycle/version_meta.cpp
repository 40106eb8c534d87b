#include "lifecycle/version_meta.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

namespace certkeep::lifecycle {

std::string isoTime(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    (void)std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

namespace {

// The certificate of leaf + chain that expires first (its notAfter and subject CN): status
// and metrics report an intermediate that expires before the leaf. The leaf when the chain
// does not parse (it was checked before it got here).
std::pair<std::chrono::system_clock::time_point, std::string>
earliestInChain(const IssuedCertificate& cert) {
    std::pair<std::chrono::system_clock::time_point, std::string> earliest{cert.info.notAfter,
                                                                           cert.info.subjectCn};
    auto pems = acme::splitPemChain(cert.chainPem);
    if (!pems) {
        return earliest;
    }
    for (const auto& pem : *pems) {
        if (auto info = acme::inspectCertPem(pem); info && info->notAfter < earliest.first) {
            earliest = {info->notAfter, info->subjectCn};
        }
    }
    return earliest;
}

} // namespace

std::string metaJson(const AccountSpec& account, const CertificateSpec& spec,
                     const IssuedCertificate& cert, std::chrono::system_clock::time_point now) {
    nlohmann::json meta = {
        {"domains", identifierValues(spec.identifiers)},
        {"identifiers", identifierKeys(spec.identifiers)},
        {"server", account.server.directoryUrl},
        {"key_type", acme::keyTypeName(spec.keyType)},
        {"serial", cert.info.serialHex},
        {"issuer", cert.info.issuerCn},
        {"chain_top_issuer", cert.topIssuer},
        {"not_before", isoTime(cert.info.notBefore)},
        {"not_after", isoTime(cert.info.notAfter)},
        {"issued_at", isoTime(now)},
        {"order", cert.orderUrl},
    };
    auto [chainNotAfter, chainEarliest] = earliestInChain(cert);
    meta["chain_not_after"] = isoTime(chainNotAfter);
    meta["chain_earliest"] = chainEarliest;
    if (!cert.info.ariCertId.empty()) { // RFC 9773 §4.1, for renewal information
        meta["ari_cert_id"] = cert.info.ariCertId;
    }
    return meta.dump(2) + "\n";
}

store::CertSettings settingsOf(const AccountSpec& account, const CertificateSpec& spec) {
    store::CertSettings s;
    s.identifiers = identifierKeys(spec.identifiers);
    s.keyType = acme::keyTypeName(spec.keyType);
    s.challenge = spec.challenge.type;
    s.httpListen = spec.challenge.httpListen;
    s.webroot = spec.challenge.webroot;
    s.tlsAlpnListen = spec.challenge.tlsAlpnListen;
    s.dns = spec.challenge.dns;
    s.server = account.server.directoryUrl;
    s.caBundle = account.server.caBundle;
    s.preferredChain = spec.preferredChain;
    s.profile = spec.profile;
    return s;
}

} // namespace certkeep::lifecycle
