// toml++'s implementation, compiled in this one translation unit (see toml.hpp).
#define TOML_IMPLEMENTATION // NOLINT(cppcoreguidelines-macro-usage)
#include "cli/config/toml.hpp"
