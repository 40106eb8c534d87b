#pragma once
// The parts of ldns the rfc2136 provider uses, and owners for its objects. Single headers, not
// ldns/ldns.h: that one pulls in keys.h, which needs OpenSSL's deprecated RSA/DSA API.

// ldns's headers do not include what they use: this order compiles. <stdbool.h> first, or
// ldns/common.h defines the macros bool, true and false for C++ code as well.
// clang-format off
#include <stdbool.h> // NOLINT(modernize-deprecated-headers)
#include <ldns/common.h>
#include <ldns/util.h>
#include <ldns/buffer.h>
#include <ldns/rbtree.h>
#include <ldns/error.h>
#include <ldns/rdata.h>
#include <ldns/dname.h>
#include <ldns/rr.h>
#include <ldns/packet.h>
#include <ldns/host2wire.h>
#include <ldns/wire2host.h>
#include <ldns/tsig.h>
#include <ldns/update.h>
// clang-format on

#include <cstdlib>
#include <memory>

namespace certkeep::challenges::dns01 {

struct LdnsDeleter {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
    void operator()(ldns_rr* r) const { ldns_rr_free(r); }
    void operator()(ldns_rr_list* l) const { ldns_rr_list_deep_free(l); }
    void operator()(ldns_rdf* d) const { ldns_rdf_deep_free(d); }
    void operator()(uint8_t* w) const { std::free(w); } // NOLINT: ldns allocates with malloc
};
using LdnsPktPtr = std::unique_ptr<ldns_pkt, LdnsDeleter>;
using LdnsRrPtr = std::unique_ptr<ldns_rr, LdnsDeleter>;
using LdnsRrListPtr = std::unique_ptr<ldns_rr_list, LdnsDeleter>;
using LdnsRdfPtr = std::unique_ptr<ldns_rdf, LdnsDeleter>;
using LdnsWirePtr = std::unique_ptr<uint8_t, LdnsDeleter>;

} // namespace certkeep::challenges::dns01
