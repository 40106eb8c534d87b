#include "lifecycle/renewal_plan.hpp"

#include "acme/renewal_info.hpp"
#include "common/rfc3339.hpp"
#include "lifecycle/renewal_state.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace certkeep::lifecycle {

namespace {

// RFC 9773 §4.3: without Retry-After a client polls the window again in about six hours.
constexpr std::chrono::seconds kAriDefaultRetry{6 * 3600};
constexpr std::chrono::seconds kAriMinRetry{60};
constexpr std::chrono::seconds kAriMaxRetry{24 * 3600};

// What the live version's metadata says; nullopt facts when it is unreadable (then renewed).
struct LiveMeta {
    std::optional<CertFacts> facts;
    std::vector<std::string> identifiers;
    std::string keyType;
    std::string ariCertId;
    std::string issuer;
    std::string serial;
    std::optional<TimePoint> chainNotAfter;
    std::string chainEarliest;
};

LiveMeta parseMeta(int version, const std::string& metaJson) {
    LiveMeta m;
    auto doc = nlohmann::json::parse(metaJson, nullptr, false);
    if (!doc.is_object()) {
        return m;
    }
    auto text = [&doc](const char* key) {
        auto it = doc.find(key);
        return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto nb = parseRfc3339(text("not_before"));
    auto na = parseRfc3339(text("not_after"));
    if (nb && na && *nb < *na) {
        m.facts = CertFacts{*nb, *na, version, text("ari_cert_id")};
    }
    if (auto it = doc.find("identifiers"); it != doc.end() && it->is_array()) {
        for (const auto& id : *it) {
            if (id.is_string()) {
                m.identifiers.push_back(id.get<std::string>());
            }
        }
    }
    m.keyType = text("key_type");
    m.ariCertId = text("ari_cert_id");
    m.issuer = text("issuer");
    m.serial = text("serial");
    if (auto chain = parseRfc3339(text("chain_not_after")); chain && m.facts) {
        m.chainNotAfter = std::min(*chain, m.facts->notAfter);
        m.chainEarliest = text("chain_earliest");
    }
    return m;
}

bool sameSet(std::vector<std::string> a, std::vector<std::string> b) {
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
}

std::chrono::seconds clampRetry(std::optional<std::chrono::seconds> retry) {
    return std::clamp(retry.value_or(kAriDefaultRetry), kAriMinRetry, kAriMaxRetry);
}

// The ARI certificate ID of the live leaf: from the metadata, else from the certificate.
Result<std::string> liveCertId(Services& services, const std::string& name, const LiveMeta& meta) {
    if (!meta.ariCertId.empty()) {
        return meta.ariCertId;
    }
    auto live = services.store.loadLive(name);
    if (!live) {
        return live.takeError();
    }
    if (!*live) {
        return fail(ErrorKind::NotFound, "no live certificate");
    }
    return acme::ariCertId((*live)->certPem);
}

// Refreshes the ARI window of a live certificate when it is stale; failures are notes.
void refreshAri(Services& services, AriSource& ari, const ManagedCertificate& cert,
                const LiveMeta& meta, Plan& plan, bool dryRun) {
    auto now = services.clock.wallNow();
    auto certId = liveCertId(services, cert.spec.name, meta);
    if (!certId) {
        return;
    }
    const auto& st = plan.state;
    bool fresh = st.ariCertId == *certId && st.ariRetryAfter && now < *st.ariRetryAfter;
    if (fresh) {
        return;
    }
    auto info = ari.fetch(cert.settings.server, *certId);
    if (!info) {
        if (services.note) {
            services.note("note: no renewal information (ARI) from " + cert.settings.server + " (" +
                          info.error().message + "); using the lifetime rule");
        }
        return;
    }
    if (!*info) {
        return; // the CA offers no ARI
    }
    const acme::RenewalInfo& window = **info;
    static DefaultRandom fallback; // only when the caller gave none (tests do)
    Random& random = services.random != nullptr ? *services.random : fallback;
    auto apply = [&](store::RenewalState& s) {
        bool moved = s.ariCertId != *certId || s.ariWindowStart != window.start ||
                     s.ariWindowEnd != window.end || !s.ariChosen;
        s.ariCertId = *certId;
        s.ariWindowStart = window.start;
        s.ariWindowEnd = window.end;
        s.ariRetryAfter = now + clampRetry(window.retryAfter);
        if (moved) {
            s.ariChosen = pickInWindow(window.start, window.end, random);
        }
    };
    if (dryRun) {
        apply(plan.state); // decided on, not kept
        return;
    }
    if (auto updated = updateRenewalState(services, cert.spec.name, apply)) {
        plan.state = *updated;
    }
}

} // namespace

Result<const acme::Signer*> DirectoryCache::signerLocked() {
    if (!signer_) {
        auto key = acme::PrivateKey::generate(acme::KeyType::EcP256);
        if (!key) {
            return key.takeError();
        }
        signer_ = std::make_unique<acme::KeySigner>(std::move(*key));
    }
    return static_cast<const acme::Signer*>(signer_.get());
}

Result<const acme::Signer*> DirectoryCache::signer() {
    std::lock_guard lock(mutex_);
    return signerLocked();
}

Result<const acme::Directory*> DirectoryCache::get(const std::string& server,
                                                   acme::Transport& transport) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(server);
    if (it == entries_.end()) {
        Entry e;
        auto signer = signerLocked();
        if (!signer) {
            return signer.takeError();
        }
        acme::Client client(transport, **signer, options_);
        if (auto st = client.loadDirectory(server); !st) {
            e.error = st.error();
        } else {
            e.directory = client.directory();
        }
        it = entries_.emplace(server, std::move(e)).first;
    }
    Entry& e = it->second;
    if (e.error) {
        if (e.reported) {
            return static_cast<const acme::Directory*>(nullptr);
        }
        e.reported = true;
        return fail(*e.error);
    }
    return &*e.directory;
}

Result<std::optional<acme::RenewalInfo>> AriSource::fetch(const std::string& server,
                                                          const std::string& certId) {
    auto directory = directories_.get(server, transport_);
    if (!directory) {
        return directory.takeError();
    }
    if (*directory == nullptr || (*directory)->renewalInfo.empty()) {
        return std::optional<acme::RenewalInfo>();
    }
    auto& client = clients_[server];
    if (!client) {
        auto signer = directories_.signer();
        if (!signer) {
            return signer.takeError();
        }
        client = std::make_unique<acme::Client>(transport_, **signer, directories_.options());
        client->useDirectory(**directory);
    }
    auto info = client->fetchRenewalInfo(certId);
    if (!info) {
        return info.takeError();
    }
    return std::optional<acme::RenewalInfo>(std::move(*info));
}

Result<Plan> planCertificate(Services& services, AriSource* ari, const ManagedCertificate& cert,
                             bool force, bool dryRun) {
    Plan plan;
    auto state = services.store.loadRenewalState(cert.spec.name);
    if (!state) {
        return state.takeError();
    }
    plan.state = std::move(*state);
    auto live = services.store.loadLiveMeta(cert.spec.name);
    if (!live) {
        return live.takeError();
    }
    LiveMeta meta;
    if (*live) {
        plan.liveVersion = (*live)->first;
        meta = parseMeta((*live)->first, (*live)->second);
        plan.live = meta.facts;
        plan.issuer = meta.issuer;
        plan.serial = meta.serial;
        plan.chainNotAfter = meta.chainNotAfter;
        plan.chainEarliest = meta.chainEarliest;
        plan.changed = !sameSet(meta.identifiers, cert.settings.identifiers) ||
                       (!meta.keyType.empty() && meta.keyType != cert.settings.keyType);
        if (ari != nullptr && plan.live && !force && !plan.changed) {
            refreshAri(services, *ari, cert, meta, plan, dryRun);
        }
    }
    plan.decision =
        decide(services.clock.wallNow(), plan.live, plan.state, cert.policy, force, plan.changed);
    return plan;
}

} // namespace certkeep::lifecycle
