#pragma once
// `certkeep dns preflight`: before ordering, checks for each name what DNS-01 issuance will
// need: the CNAME chain of _acme-challenge.<name>, the zone that will be written, that the
// provider can write there (a test record, removed afterwards) and that every authoritative
// server then answers it.

#include "challenges/dns01/dns01_solver.hpp"
#include "common/clock.hpp"

#include <string>
#include <vector>

namespace certkeep::lifecycle {

struct PreflightReport {
    std::vector<std::string> findings; // what was found, one line each, for people
    std::vector<std::string> problems; // what would make issuance fail, one line each
};

// Runs the checks for `names` ("*.example.com" is checked as example.com, once) through
// `solver`'s provider and lookups. The test record's value is `testValue`; it is removed
// whatever happens.
PreflightReport dnsPreflight(challenges::dns01::Dns01Solver& solver,
                             const std::vector<std::string>& names, const std::string& testValue,
                             Clock& clock);

} // namespace certkeep::lifecycle
