#pragma once
// The one way cli/config includes toml++: compiled once (toml_impl.cpp), never the shared
// library (it is C++ and would bring libstdc++.so back), and without exceptions so that a parse
// error is a value carrying its line and column. Private to cli/config/.

#define TOML_HEADER_ONLY 0       // NOLINT(cppcoreguidelines-macro-usage)
#define TOML_EXCEPTIONS 0        // NOLINT(cppcoreguidelines-macro-usage)
#define TOML_ENABLE_FORMATTERS 0 // NOLINT(cppcoreguidelines-macro-usage)
#include <toml++/toml.h>
