#include "acme/issuance.hpp"
#include "challenges/http01.hpp"
#include "cli/commands.hpp"
#include "cli/domain.hpp"
#include "cli/exit_codes.hpp"
#include "cli/interrupt.hpp"
#include "cli/session.hpp"

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

namespace certkeep::cli {

namespace {

// Everything the command line says about one issuance, checked before any side effect.
struct IssuePlan {
    std::vector<std::string> domains;
    std::string name;
    acme::KeyType keyType = acme::KeyType::EcP256;
    std::string webroot;
    challenges::ListenAddress listen;
};

Result<IssuePlan> planIssue(const IssueOptions& o) {
    IssuePlan plan;
    auto domains = normalizeDomains(o.domains);
    if (!domains) {
        return domains.takeError();
    }
    plan.domains = std::move(*domains);
    for (const auto& d : plan.domains) {
        if (d.rfind("*.", 0) == 0) {
            return fail(ErrorKind::Usage, "wildcard " + d +
                                              " cannot be validated with HTTP-01: wildcards need "
                                              "the dns-01 challenge");
        }
    }
    plan.name = o.name.empty() ? plan.domains.front() : o.name;
    if (!store::isValidCertName(plan.name)) {
        return fail(ErrorKind::Usage, "invalid certificate name \"" + plan.name +
                                          "\": use 1-64 letters, digits, '.', '_' or '-'");
    }
    auto keyType = acme::parseKeyType(o.keyType);
    if (!keyType) {
        return keyType.takeError();
    }
    plan.keyType = *keyType;
    plan.webroot = o.webroot;
    auto listen = challenges::parseListenAddress(o.httpListen.empty() ? ":80" : o.httpListen);
    if (!listen) {
        return listen.takeError();
    }
    plan.listen = *listen;
    return plan;
}

Result<challenges::SolverPtr> makeSolver(const IssuePlan& plan) {
    if (!plan.webroot.empty()) {
        auto webroot = challenges::Http01Webroot::create(plan.webroot);
        if (!webroot) {
            return webroot.takeError();
        }
        return challenges::SolverPtr(std::move(*webroot));
    }
    auto standalone = challenges::Http01Standalone::start(plan.listen);
    if (!standalone) {
        return standalone.takeError();
    }
    return challenges::SolverPtr(std::move(*standalone));
}

std::string isoTime(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    (void)std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string metaJson(const IssuePlan& plan, const acme::IssuedCertificate& cert,
                     const std::string& server) {
    nlohmann::json meta = {
        {"domains", plan.domains},
        {"server", server},
        {"key_type", acme::keyTypeName(plan.keyType)},
        {"serial", cert.info.serialHex},
        {"issuer", cert.info.issuerCn},
        {"chain_top_issuer", cert.topIssuer},
        {"not_before", isoTime(cert.info.notBefore)},
        {"not_after", isoTime(cert.info.notAfter)},
        {"issued_at", isoTime(std::chrono::system_clock::now())},
        {"order", cert.orderUrl},
    };
    return meta.dump(2) + "\n";
}

void printIssued(Console& console, const IssuePlan& plan, const acme::IssuedCertificate& cert,
                 int version, const std::string& live) {
    auto left = std::chrono::duration_cast<std::chrono::hours>(cert.info.notAfter -
                                                               std::chrono::system_clock::now());
    std::string names;
    for (const auto& d : plan.domains) {
        names += (names.empty() ? "" : ", ") + d;
    }
    console.out << "Issued certificate \"" << plan.name << "\" (version " << version << ") for "
                << names << "\n"
                << "  expires    " << isoTime(cert.info.notAfter) << " (in " << left.count() / 24
                << " days " << left.count() % 24 << " hours)\n"
                << "  issuer     " << cert.info.issuerCn << "\n"
                << "  fullchain  " << live << "/fullchain.pem\n"
                << "  privkey    " << live << "/privkey.pem\n"
                << "  cert       " << live << "/cert.pem\n"
                << "  chain      " << live << "/chain.pem\n";
}

} // namespace

int runIssue(const Invocation& inv, Console& console) {
    auto plan = planIssue(inv.issue);
    if (!plan) {
        return reportError(plan.error(), console);
    }
    InterruptGuard::blockSignals();  // before the responder starts its threads
    auto solver = makeSolver(*plan); // the responder is listening before any ACME request
    if (!solver) {
        return reportError(solver.error(), console);
    }
    challenges::Solver* raw = solver->get();
    InterruptGuard interrupts([raw] { raw->withdrawAll(); });
    auto session = openSession(inv.global, true, verboseLogger(console));
    if (!session) {
        return reportError(session.error(), console);
    }
    Session& s = **session;
    auto lock = s.store->lock("cert-" + plan->name, 60);
    if (!lock) {
        return reportError(lock.error(), console);
    }
    acme::IssueRequest request{plan->domains, plan->keyType, inv.issue.preferredChain};
    auto cert = acme::issueCertificate(*s.client, **solver, request, s.thumbprint);
    if (!cert) {
        return reportError(cert.error(), console);
    }
    store::CertVersion version{0,
                               cert->certPem,
                               cert->chainPem,
                               cert->fullchainPem,
                               cert->keyPem,
                               metaJson(*plan, *cert, inv.global.server)};
    auto saved = s.store->saveCertificate(plan->name, version);
    if (!saved) {
        return reportError(saved.error(), console);
    }
    printIssued(console, *plan, *cert, *saved, s.store->liveLocation(plan->name));
    return kOk;
}

} // namespace certkeep::cli
