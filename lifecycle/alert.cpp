#include "lifecycle/alert.hpp"

#include "common/duration.hpp"
#include "lifecycle/deploy.hpp"
#include "lifecycle/renewal_state.hpp"
#include "lifecycle/version_meta.hpp"

namespace certkeep::lifecycle {

namespace {

constexpr std::chrono::hours kAlertInterval{24};

std::chrono::seconds thresholdOr(const std::string& setting, const char* fallback,
                                 std::chrono::seconds lifetime) {
    auto parsed = parseThreshold(setting.empty() ? fallback : setting);
    if (!parsed) {
        parsed = parseThreshold(fallback);
    }
    return thresholdFor(*parsed, lifetime);
}

// Whether the alert of certificate i is due now; its time left in `left`.
bool alertDue(TimePoint now, const Plan& plan, const CertificateReport& report,
              const store::CertSettings& settings, std::chrono::seconds& left) {
    if (!plan.live ||
        (report.result != RenewResult::Failed && report.result != RenewResult::BackingOff)) {
        return false;
    }
    auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(plan.live->notAfter -
                                                                     plan.live->notBefore);
    TimePoint expiry = plan.chainNotAfter.value_or(plan.live->notAfter);
    left = std::chrono::duration_cast<std::chrono::seconds>(expiry - now);
    if (left > warnBefore(settings, lifetime)) {
        return false;
    }
    return !plan.state.lastAlert || now - *plan.state.lastAlert >= kAlertInterval;
}

// "3d4h", "5h12m", "40s" (to the hour beyond a day, to the minute beyond an hour), or
// "expired 2h ago".
std::string timeLeftText(std::chrono::seconds left) {
    auto coarse = [](std::chrono::seconds d) {
        if (d >= std::chrono::hours(24)) {
            return formatDuration(std::chrono::duration_cast<std::chrono::hours>(d));
        }
        if (d >= std::chrono::hours(1)) {
            return formatDuration(std::chrono::duration_cast<std::chrono::minutes>(d));
        }
        return formatDuration(d);
    };
    if (left.count() <= 0) {
        return "expired " + coarse(-left) + " ago";
    }
    return coarse(left);
}

} // namespace

std::chrono::seconds warnBefore(const store::CertSettings& settings,
                                std::chrono::seconds lifetime) {
    return thresholdOr(settings.warn, kDefaultWarn, lifetime);
}

std::chrono::seconds critBefore(const store::CertSettings& settings,
                                std::chrono::seconds lifetime) {
    return thresholdOr(settings.crit, kDefaultCrit, lifetime);
}

void alertUnrenewed(Services& services, const std::vector<const ManagedCertificate*>& certs,
                    const std::vector<Plan>& plans, std::vector<CertificateReport>& reports,
                    const RenewOptions& options) {
    if (options.dryRun) {
        return;
    }
    auto now = services.clock.wallNow();
    for (std::size_t i = 0; i < certs.size(); ++i) {
        const ManagedCertificate& cert = *certs[i];
        std::chrono::seconds left{0};
        if (!alertDue(now, plans[i], reports[i], cert.settings, left)) {
            continue;
        }
        DeployedVersion version{plans[i].liveVersion, "", {}};
        version.info.serialHex = plans[i].serial;
        version.info.notAfter = plans[i].live->notAfter;
        auto ev = certificateEvent(services, cert, hooks::kAlert, version);
        ev.timeLeft = timeLeftText(left);
        if (reports[i].error) {
            ev.error = reports[i].error->message;
        } else if (!plans[i].state.lastError.empty()) {
            ev.error = plans[i].state.lastError;
        }
        if (services.note) {
            services.note("alert: " + cert.spec.name + " could not be renewed and " +
                          (left.count() > 0 ? "expires in " : "") + ev.timeLeft);
        }
        if (auto st = runCertificateHooks(services, cert, ev, options); !st && services.note) {
            services.note("warning: " + cert.spec.name + ": " + st.error().message);
        }
        auto st = updateRenewalState(services, cert.spec.name,
                                     [&](store::RenewalState& s) { s.lastAlert = now; });
        if (!st && services.note) {
            services.note("warning: " + cert.spec.name +
                          ": the alert time was not recorded: " + st.error().message);
        }
    }
}

} // namespace certkeep::lifecycle
