#include "lifecycle/deploy.hpp"

#include "hooks/dispatch.hpp"
#include "lifecycle/renewal_state.hpp"
#include "lifecycle/tls_probe.hpp"
#include "lifecycle/version_meta.hpp"

namespace certkeep::lifecycle {

namespace {

// deploy verification: SNI is the first DNS identifier; an IP-only certificate sends none.
std::string verifySni(const ManagedCertificate& cert) {
    for (const auto& id : cert.spec.identifiers) {
        if (id.type == "dns") {
            return id.value;
        }
    }
    return "";
}

Status verify(Services& services, const ManagedCertificate& cert, const DeployedVersion& version,
              const RenewOptions& options) {
    const std::string& target = cert.settings.verify;
    if (target.empty()) {
        return {};
    }
    if (services.probe == nullptr) {
        return fail(ErrorKind::Internal, "deploy verification is not available in this build");
    }
    return verifyDeployed(*services.probe, services.clock, target, verifySni(cert), version.leafPem,
                          options.verifyPatience);
}

} // namespace

hooks::HookEvent certificateEvent(Services& services, const ManagedCertificate& cert,
                                  const std::string& event, const DeployedVersion& version) {
    hooks::HookEvent ev;
    ev.event = event;
    ev.name = cert.spec.name;
    ev.domains = identifierValues(cert.spec.identifiers);
    if (version.version > 0) {
        ev.liveDir = services.store.liveLocation(cert.spec.name);
        ev.cert = ev.liveDir + "/cert.pem";
        ev.chain = ev.liveDir + "/chain.pem";
        ev.fullchain = ev.liveDir + "/fullchain.pem";
        ev.key = ev.liveDir + "/privkey.pem";
        ev.serial = version.info.serialHex;
        ev.notAfter = isoTime(version.info.notAfter);
    }
    return ev;
}

Result<DeployedVersion> liveVersion(Services& services, const std::string& name) {
    auto live = services.store.loadLive(name);
    if (!live) {
        return live.takeError();
    }
    if (!*live) {
        return fail(ErrorKind::NotFound, "certificate " + name + " has no live version");
    }
    auto info = acme::inspectCertPem((*live)->certPem);
    if (!info) {
        return info.takeError();
    }
    return DeployedVersion{(*live)->number, (*live)->certPem, *info};
}

Status runCertificateHooks(Services& services, const ManagedCertificate& cert,
                           const hooks::HookEvent& event, const RenewOptions& options) {
    if (services.hooks == nullptr) {
        return {};
    }
    auto list = hooks::hooksFor(event.event, options.globalHooks, cert.hooks);
    return hooks::runHooks(*services.hooks, list, event, options.hookOptions);
}

Status deploy(Services& services, const ManagedCertificate& cert, const DeployedVersion& version,
              const RenewOptions& options) {
    Status outcome = runCertificateHooks(
        services, cert, certificateEvent(services, cert, hooks::kDeploy, version), options);
    if (outcome) {
        outcome = verify(services, cert, version, options);
    }
    std::string error = outcome ? "" : outcome.error().message;
    auto recorded = updateRenewalState(services, cert.spec.name, [&](store::RenewalState& s) {
        s.deployPending = !outcome;
        s.deployError = error;
        if (outcome) {
            s.deployedVersion = version.version;
        }
    });
    if (!recorded && services.note) {
        services.note("warning: " + cert.spec.name +
                      ": the deploy outcome was not recorded: " + recorded.error().message);
    }
    return outcome;
}

} // namespace certkeep::lifecycle
