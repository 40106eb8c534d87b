#include "cli/status_source.hpp"

#include "common/parallel.hpp"
#include "lifecycle/alert.hpp"
#include "lifecycle/renewal_plan.hpp"
#include "lifecycle/spec.hpp"

#include <algorithm>
#include <map>
#include <string_view>

namespace certkeep::cli {

namespace {

using std::chrono::seconds;

// "example.com" from "dns:example.com"; the stored form when it has no type prefix.
std::string identifierValue(const std::string& key) {
    auto colon = key.find(':');
    return colon == std::string::npos ? key : key.substr(colon + 1);
}

// When `renew` acts next, and why: the backoff's next attempt, the due time, or nothing.
void nextRenewal(const lifecycle::Plan& plan, report::CertificateStatus& s) {
    const auto& d = plan.decision;
    s.why = d.why;
    if (d.backoffSkip && plan.state.nextAttempt) {
        s.nextRenewal = *plan.state.nextAttempt;
        s.nextReason = plan.state.lastErrorKind == "rate-limited" ? "rate-limited" : "backoff";
        return;
    }
    if (d.dueAt != lifecycle::TimePoint{}) {
        s.nextRenewal = d.dueAt;
    }
    if (d.renew || d.reason == lifecycle::DueReason::DeployPending) {
        s.nextReason = lifecycle::dueReasonName(d.reason);
    } else {
        s.nextReason = d.ariBased ? "ari-window" : "lifetime";
    }
}

void fillFromPlan(const lifecycle::ManagedCertificate& cert, const lifecycle::Plan& plan,
                  report::CertificateStatus& s) {
    const auto& st = plan.state;
    s.lastAttempt = st.lastAttempt;
    s.lastResult = st.lastResult;
    s.lastSuccess = st.lastSuccess;
    s.consecutiveFailures = st.consecutiveFailures;
    s.lastError = st.lastError;
    s.deployPending = st.deployPending;
    s.deployError = st.deployError;
    if (plan.live) {
        s.issued = true;
        s.version = plan.liveVersion;
        s.issuer = plan.issuer;
        s.serial = plan.serial;
        s.notBefore = plan.live->notBefore;
        s.notAfter = plan.live->notAfter;
        s.chainNotAfter = plan.chainNotAfter.value_or(plan.live->notAfter);
        s.chainEarliest = plan.chainEarliest;
        auto lifetime = std::chrono::duration_cast<seconds>(s.notAfter - s.notBefore);
        s.warnBefore = lifecycle::warnBefore(cert.settings, lifetime);
        s.critBefore = lifecycle::critBefore(cert.settings, lifetime);
    }
    if (s.managed) {
        nextRenewal(plan, s);
    }
}

// `known`: a plan a renew run just made and that still holds; nullptr = read the store.
report::CertificateStatus statusOf(lifecycle::Services& services,
                                   const lifecycle::ManagedCertificate& cert, bool managed,
                                   const lifecycle::Plan* known = nullptr) {
    report::CertificateStatus s;
    s.name = cert.spec.name;
    s.managed = managed;
    for (const auto& id : cert.settings.identifiers) {
        s.identifiers.push_back(identifierValue(id));
    }
    if (known != nullptr) {
        fillFromPlan(cert, *known, s);
        return s;
    }
    auto plan = lifecycle::planCertificate(services, nullptr, cert, false, false);
    if (!plan) {
        s.lastError = "cannot read its records: " + plan.error().message;
        return s;
    }
    fillFromPlan(cert, *plan, s);
    return s;
}

// The plan of `r` when the run left its certificate as it found it.
const lifecycle::Plan* stillTrue(const lifecycle::CertificateReport& r) {
    bool untouched = (r.result == lifecycle::RenewResult::NotDue ||
                      r.result == lifecycle::RenewResult::BackingOff) &&
                     !r.deployed && !r.deployError;
    return untouched ? r.plan.get() : nullptr;
}

// An unmanaged certificate: its stored settings (if readable) name its identifiers.
lifecycle::ManagedCertificate unmanagedCertificate(store::Store& store, const std::string& name) {
    lifecycle::ManagedCertificate cert;
    cert.spec.name = name;
    if (auto settings = store.loadSettings(name); settings && *settings) {
        cert.settings = std::move(**settings);
    }
    return cert;
}

} // namespace

std::vector<report::CertificateStatus> collectStatus(lifecycle::Services& services,
                                                     const ManagedSet& set) {
    return collectStatus(services, set, lifecycle::RenewReport{});
}

std::vector<report::CertificateStatus> collectStatus(lifecycle::Services& services,
                                                     const ManagedSet& set,
                                                     const lifecycle::RenewReport& after) {
    std::map<std::string_view, const lifecycle::Plan*> known;
    for (const auto& r : after.certificates) {
        if (const auto* plan = stillTrue(r)) {
            known.emplace(r.name, plan);
        }
    }
    std::size_t managed = set.certificates.size();
    std::vector<report::CertificateStatus> out(managed + set.unmanaged.size());
    parallelFor(out.size(), usefulThreads(4), [&](std::size_t i) {
        if (i < managed) {
            const auto& cert = set.certificates[i];
            auto it = known.find(cert.spec.name);
            out[i] = statusOf(services, cert, true, it == known.end() ? nullptr : it->second);
        } else {
            auto cert = unmanagedCertificate(services.store, set.unmanaged[i - managed]);
            out[i] = statusOf(services, cert, false);
        }
    });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

} // namespace certkeep::cli
