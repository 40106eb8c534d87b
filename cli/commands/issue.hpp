#pragma once
// The issue command's options turned into a certificate spec (also what tests check).

#include "lifecycle/spec.hpp"

#include <boost/program_options.hpp>

namespace certkeep::cli {

// Checked and normalised; Usage error naming the option otherwise (throws UsageError only for
// an option given with an empty value).
Result<lifecycle::CertificateSpec> issueSpec(const boost::program_options::variables_map& vm);

// The store name derived from the first identifier when --name is not given.
std::string deriveCertName(const acme::Identifier& first);

} // namespace certkeep::cli
