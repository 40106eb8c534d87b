#include "cli/renew_output.hpp"

#include "lifecycle/version_meta.hpp"

#include <ostream>

namespace certkeep::cli {

namespace {

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out;
}

} // namespace

void printCertificateReport(Console& console, const lifecycle::CertificateReport& r) {
    using lifecycle::RenewResult;
    switch (r.result) {
    case RenewResult::Renewed:
        console.out << "renewed   " << r.name << " (version " << r.issued->version << "), expires "
                    << lifecycle::isoTime(r.issued->info.notAfter) << ", serial "
                    << r.issued->info.serialHex << "\n";
        break;
    case RenewResult::DryRun:
        console.out << "dry-run   " << r.name << ": " << r.message << "\n";
        break;
    case RenewResult::Failed:
        console.err << "certkeep: error: " << r.name << ": " << r.message << "\n";
        break;
    case RenewResult::BackingOff:
        console.out << "skipped   " << r.name << ": " << r.message << "\n";
        break;
    case RenewResult::Busy:
        console.out << "busy      " << r.name << ": " << r.message << "\n";
        break;
    case RenewResult::NotDue:
        if (console.verbose > 0) {
            console.out << "not due   " << r.name << ": " << r.message << "\n";
        }
        break;
    }
    if (r.deployError) {
        console.err << "certkeep: error: " << r.name
                    << ": deploy failed: " << r.deployError->message
                    << " (retried by the next renew)\n";
    } else if (r.deployed) {
        console.out << "deployed  " << r.name
                    << (r.result == RenewResult::Renewed
                            ? ""
                            : " (a deploy a previous run left pending)")
                    << "\n";
    }
}

void printRenewReport(Console& console, const ManagedSet& set, const lifecycle::RenewReport& report,
                      const lifecycle::RenewOptions& options) {
    if (!set.unmanaged.empty()) {
        console.err
            << "certkeep: note: stored but not declared in the config file, so not renewed: "
            << joinNames(set.unmanaged) << "\n";
    }
    if (report.preHookError) {
        console.err << "certkeep: error: " << report.preHookError->message
                    << "; nothing was renewed\n";
    }
    for (const auto& r : report.certificates) {
        printCertificateReport(console, r);
    }
    if (report.postHookError) {
        console.err << "certkeep: error: " << report.postHookError->message << "\n";
    }
    using lifecycle::RenewResult;
    int deployFailed = 0;
    for (const auto& r : report.certificates) {
        deployFailed += r.deployError ? 1 : 0;
    }
    console.out << "renew: " << report.certificates.size() << " certificates: "
                << report.count(options.dryRun ? RenewResult::DryRun : RenewResult::Renewed)
                << (options.dryRun ? " validated (dry run)" : " renewed") << ", "
                << report.count(RenewResult::Failed) << " failed, " << deployFailed
                << " deploys failed, " << report.count(RenewResult::BackingOff) << " backing off, "
                << report.count(RenewResult::Busy) << " busy, " << report.count(RenewResult::NotDue)
                << " not due\n";
}

} // namespace certkeep::cli
