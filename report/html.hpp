#pragma once
// Private helper of report/: HTML escaping for the status page.

#include <string>
#include <string_view>

namespace certkeep::report {

// `text` safe inside an element or a quoted attribute: & < > " ' become entities.
std::string escapeHtml(std::string_view text);

} // namespace certkeep::report
