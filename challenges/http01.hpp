#pragma once
// HTTP-01 (RFC 8555 §8.3): a built-in standalone responder and a webroot writer.

#include "challenges/http01_standalone.hpp"
#include "challenges/http01_webroot.hpp"
#include "challenges/listen_address.hpp"
#include "challenges/solver.hpp"
