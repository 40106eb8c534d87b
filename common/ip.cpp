#include "common/ip.hpp"

#include <arpa/inet.h>

namespace certkeep {

std::string canonicalIp(const std::string& text) {
    unsigned char buf[16];
    char out[INET6_ADDRSTRLEN];
    for (int family : {AF_INET, AF_INET6}) {
        if (inet_pton(family, text.c_str(), buf) == 1 &&
            inet_ntop(family, buf, out, sizeof out) != nullptr) {
            return out;
        }
    }
    return {};
}

} // namespace certkeep
