#pragma once
// Entry point used by main(): parses, dispatches to the command, never throws.

#include "cli/console.hpp"

namespace certkeep::cli {

int run(int argc, const char* const* argv, Console& console);

} // namespace certkeep::cli
