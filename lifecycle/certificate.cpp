#include "lifecycle/certificate.hpp"

#include "common/ip.hpp"
#include "common/url.hpp"

#include <algorithm>

namespace certkeep::lifecycle {

namespace {

Result<std::string> topIssuerOf(const std::string& pem) {
    auto certs = acme::splitPemChain(pem);
    if (!certs) {
        return certs.takeError();
    }
    auto info = acme::inspectCertPem(certs->back());
    if (!info) {
        return info.takeError();
    }
    return info->issuerCn;
}

// True when the leaf names `id` (DNS names exactly, IP addresses in canonical form).
bool certNames(const acme::CertInfo& info, const acme::Identifier& id) {
    if (id.type == "ip") {
        std::string want = canonicalIp(id.value);
        return std::any_of(info.ipAddresses.begin(), info.ipAddresses.end(),
                           [&](const std::string& ip) { return canonicalIp(ip) == want; });
    }
    return std::find(info.dnsNames.begin(), info.dnsNames.end(), id.value) != info.dnsNames.end();
}

} // namespace

Result<std::size_t> choosePreferredChain(const std::vector<std::string>& chains,
                                         const std::string& preferred) {
    if (chains.empty()) {
        return fail(ErrorKind::Protocol, "the CA sent no certificate chain");
    }
    if (!preferred.empty()) {
        for (std::size_t i = 0; i < chains.size(); ++i) {
            auto top = topIssuerOf(chains[i]);
            if (top && *top == preferred) {
                return i;
            }
        }
    }
    return std::size_t{0};
}

Result<IssuedCertificate> assembleIssued(const std::string& pem, const acme::PrivateKey& key,
                                         const std::vector<acme::Identifier>& identifiers,
                                         const std::string& orderUrl) {
    auto certs = acme::splitPemChain(pem);
    if (!certs) {
        return fail(std::move(certs).error().context("the downloaded certificate"));
    }
    if (auto linked = acme::verifyChainLinks(*certs); !linked) {
        return fail(ErrorKind::Protocol, "the CA sent a chain that does not link (" +
                                             linked.error().message + "); not storing it");
    }
    const std::string& leaf = certs->front();
    auto matches = acme::certMatchesKey(leaf, key);
    if (!matches || !*matches) {
        return fail(ErrorKind::Protocol,
                    "the CA returned a certificate that does not match our key; not storing it");
    }
    auto info = acme::inspectCertPem(leaf);
    if (!info) {
        return info.takeError();
    }
    for (const auto& id : identifiers) {
        if (!certNames(*info, id)) {
            return fail(ErrorKind::Protocol,
                        "the CA returned a certificate without " + id.value + "; not storing it");
        }
    }
    auto keyPem = key.toPem();
    if (!keyPem) {
        return keyPem.takeError();
    }
    IssuedCertificate out;
    out.certPem = leaf;
    for (std::size_t i = 1; i < certs->size(); ++i) {
        out.chainPem += (*certs)[i];
    }
    out.fullchainPem = out.certPem + out.chainPem;
    out.keyPem = std::move(*keyPem);
    out.info = std::move(*info);
    out.orderUrl = orderUrl;
    auto top = topIssuerOf(pem);
    out.topIssuer = top ? *top : std::string();
    return out;
}

Result<IssuedCertificate> downloadIssued(acme::Client& client, const acme::Order& order,
                                         const acme::PrivateKey& key,
                                         const std::vector<acme::Identifier>& identifiers,
                                         const std::string& preferredChain) {
    auto chain = client.downloadCertificate(order.certificate);
    if (!chain) {
        return chain.takeError();
    }
    std::vector<std::string> chains{chain->pem};
    if (!preferredChain.empty()) {
        auto top = topIssuerOf(chain->pem);
        if (top && *top != preferredChain) {
            for (const auto& alt : chain->alternates) {
                auto other = client.downloadCertificate(alt);
                if (!other) {
                    return other.takeError();
                }
                chains.push_back(other->pem);
            }
        }
    }
    auto index = choosePreferredChain(chains, preferredChain);
    if (!index) {
        return index.takeError();
    }
    return assembleIssued(chains[*index], key, identifiers, order.url);
}

} // namespace certkeep::lifecycle
