// Rules shared by every Store implementation.
#include "store/store.hpp"

namespace certkeep::store {

// NAME becomes a directory name, so it must be a plain, visible, bounded file name.
bool isValidCertName(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') {
        return false;
    }
    for (char c : name) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

Status checkCertName(const std::string& name) {
    if (isValidCertName(name)) {
        return {};
    }
    return fail(ErrorKind::Usage,
                "invalid certificate name \"" + name + "\": use letters, digits, '.', '_' or '-'");
}

} // namespace certkeep::store
