#include "challenges/dns01/rfc2136_message.hpp"

#include "challenges/dns01/ldns_api.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <memory>

namespace certkeep::challenges::dns01 {

namespace {

using PktPtr = LdnsPktPtr;
using RrPtr = LdnsRrPtr;
using RrListPtr = LdnsRrListPtr;
using RdfPtr = LdnsRdfPtr;
using WirePtr = LdnsWirePtr;

constexpr uint16_t tsigFudge = 300; // seconds, RFC 8945 §10

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// A host name as DNS-01 uses it: labels of letters, digits, '-' and '_' (a leading "*" label
// for wildcards), no escapes, at most 253 characters. Keeps ldns's text parser to plain names.
bool plainName(const std::string& name) {
    if (name.empty() || name.size() > 253) {
        return false;
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = std::min(name.find('.', start), name.size());
        std::string label = name.substr(start, end - start);
        bool ok = !label.empty() && label.size() <= 63;
        for (char c : label) {
            ok = ok && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_');
        }
        if (!ok && !(start == 0 && label == "*")) {
            return false;
        }
        start = end + 1;
    }
    return true;
}

std::string withoutDot(std::string name) {
    if (!name.empty() && name.back() == '.') {
        name.pop_back();
    }
    return name;
}

Result<RdfPtr> dname(const std::string& name, const char* what) {
    if (!plainName(name)) {
        return fail(ErrorKind::Usage,
                    std::string("rfc2136: the ") + what + " '" + name + "' is not a DNS name");
    }
    RdfPtr rdf(ldns_dname_new_frm_str((name + ".").c_str()));
    if (!rdf) {
        return fail(ErrorKind::Usage,
                    std::string("rfc2136: the ") + what + " '" + name + "' is not a DNS name");
    }
    return rdf;
}

// `fqdn TTL IN TXT "value"` to add, or `fqdn 0 NONE TXT "value"` to delete exactly that RR
// (RFC 2136 §2.5.1, §2.5.4). Values over 255 bytes are split into several strings.
Result<RrPtr> txtRr(const std::string& fqdn, const std::string& value, UpdateAction action,
                    uint32_t ttl) {
    auto owner = dname(fqdn, "name");
    if (!owner) {
        return owner.takeError();
    }
    RrPtr rr(ldns_rr_new());
    ldns_rr_set_owner(rr.get(), owner->release());
    ldns_rr_set_type(rr.get(), LDNS_RR_TYPE_TXT);
    bool add = action == UpdateAction::Add;
    ldns_rr_set_class(rr.get(), add ? LDNS_RR_CLASS_IN : LDNS_RR_CLASS_NONE);
    ldns_rr_set_ttl(rr.get(), add ? ttl : 0);
    std::size_t pos = 0;
    do {
        std::size_t n = std::min<std::size_t>(255, value.size() - pos);
        std::vector<uint8_t> chunk{static_cast<uint8_t>(n)};
        chunk.insert(chunk.end(), value.begin() + static_cast<std::ptrdiff_t>(pos),
                     value.begin() + static_cast<std::ptrdiff_t>(pos + n));
        ldns_rr_push_rdf(rr.get(),
                         ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, chunk.size(), chunk.data()));
        pos += n;
    } while (pos < value.size());
    return rr;
}

Result<std::vector<uint8_t>> toWire(const ldns_pkt* pkt) {
    uint8_t* raw = nullptr;
    std::size_t size = 0;
    if (ldns_pkt2wire(&raw, pkt, &size) != LDNS_STATUS_OK) {
        std::free(raw); // NOLINT: ldns allocates with malloc
        return fail(ErrorKind::Internal, "rfc2136: ldns could not encode the update");
    }
    WirePtr wire(raw);
    return std::vector<uint8_t>(raw, raw + size);
}

// Signs with the key (RFC 8945 §5.1) and keeps the MAC the reply must cover.
Status sign(ldns_pkt* pkt, const TsigKey& key, UpdateMessage& out) {
    ldns_status st = ldns_pkt_tsig_sign(pkt, key.name.c_str(), key.secret.c_str(), tsigFudge,
                                        key.algorithm.c_str(), nullptr);
    ldns_rr* tsig = ldns_pkt_tsig(pkt);
    if (st != LDNS_STATUS_OK || tsig == nullptr || ldns_rr_rd_count(tsig) < 4) {
        // ldns's status names no key material; the key's name is not secret.
        return fail(ErrorKind::Config, "rfc2136: cannot sign the update with TSIG key " + key.name +
                                           " (" + key.algorithm +
                                           "): " + ldns_get_errorstr_by_id(st));
    }
    const ldns_rdf* mac = ldns_rr_rdf(tsig, 3);
    out.mac.assign(ldns_rdf_data(mac), ldns_rdf_data(mac) + ldns_rdf_size(mac));
    return {};
}

} // namespace

Result<UpdateMessage> buildUpdate(const TxtRecord& record, UpdateAction action, uint32_t ttl,
                                  const TsigKey& key) {
    std::string zone = lower(withoutDot(record.zone));
    std::string fqdn = lower(withoutDot(record.fqdn));
    if (zone.empty()) {
        return fail(ErrorKind::Internal, "rfc2136: no zone is known for " + record.fqdn +
                                             " (it must be found from the SOA first)");
    }
    if (fqdn != zone &&
        (fqdn.size() <= zone.size() ||
         fqdn.compare(fqdn.size() - zone.size() - 1, std::string::npos, "." + zone) != 0)) {
        return fail(ErrorKind::Usage,
                    "rfc2136: " + record.fqdn + " is not in the zone " + record.zone);
    }
    auto zoneRdf = dname(zone, "zone");
    auto rr = txtRr(fqdn, record.value, action, ttl);
    if (!zoneRdf || !rr) {
        return !zoneRdf ? zoneRdf.takeError() : rr.takeError();
    }
    RrListPtr updates(ldns_rr_list_new());
    ldns_rr_list_push_rr(updates.get(), rr->release());
    // RFC 2136 §2.3: zone section = the zone's name, type SOA, class IN.
    PktPtr pkt(
        ldns_update_pkt_new(zoneRdf->release(), LDNS_RR_CLASS_IN, nullptr, updates.get(), nullptr));
    if (!pkt) {
        return fail(ErrorKind::Internal, "rfc2136: ldns could not build the update");
    }
    ldns_pkt_set_rd(pkt.get(), false); // the header's Z bits in an UPDATE (§2.2)
    ldns_pkt_set_random_id(pkt.get());
    UpdateMessage out;
    out.id = ldns_pkt_id(pkt.get());
    if (!key.name.empty()) {
        if (auto st = sign(pkt.get(), key, out); !st) {
            return st.takeError();
        }
    }
    auto wire = toWire(pkt.get());
    if (!wire) {
        return wire.takeError();
    }
    out.wire = std::move(*wire);
    return out;
}

} // namespace certkeep::challenges::dns01
