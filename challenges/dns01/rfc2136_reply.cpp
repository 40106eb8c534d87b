// The verdict on the reply to an UPDATE: rcodes and TSIG errors mapped to messages that name
// the cause, and the reply's own TSIG checked (RFC 8945 §5.3) before a success is believed.
#include "challenges/dns01/ldns_api.hpp"
#include "challenges/dns01/rfc2136_message.hpp"

#include <chrono>
#include <cstdlib>
#include <memory>

namespace certkeep::challenges::dns01 {

namespace {

using PktPtr = LdnsPktPtr;
using RdfPtr = LdnsRdfPtr;

// TSIG error codes (RFC 8945 §4.3, in the TSIG RR's Error field).
constexpr uint16_t tsigBadSig = 16;
constexpr uint16_t tsigBadKey = 17;
constexpr uint16_t tsigBadTime = 18;

std::string rcodeName(int rcode) {
    static const char* const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                        "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                        "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode >= 0 && rcode <= 10) {
        return names[rcode];
    }
    return "RCODE " + std::to_string(rcode);
}

std::string tsigErrorName(uint16_t code) {
    switch (code) {
    case tsigBadSig:
        return "BADSIG";
    case tsigBadKey:
        return "BADKEY";
    case tsigBadTime:
        return "BADTIME";
    default:
        return "TSIG error " + std::to_string(code);
    }
}

// The Error field of the reply's TSIG RR; 0 when there is none.
uint16_t tsigError(const ldns_pkt* pkt) {
    ldns_rr* tsig = ldns_pkt_tsig(pkt);
    if (tsig == nullptr || ldns_rr_rd_count(tsig) < 6) {
        return 0;
    }
    return ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
}

bool sameName(const ldns_rdf* a, const std::string& b) {
    RdfPtr other(ldns_dname_new_frm_str(b.c_str()));
    return a != nullptr && other && ldns_dname_compare(a, other.get()) == 0;
}

// The reply carries a TSIG by our key and algorithm whose MAC covers the request's MAC, signed
// within the fudge of our clock. Checked before ldns verifies: it leaks on other algorithms.
bool replySigned(ldns_pkt* pkt, const std::vector<uint8_t>& wire, const UpdateMessage& request,
                 const TsigKey& key) {
    ldns_rr* tsig = ldns_pkt_tsig(pkt);
    if (tsig == nullptr || ldns_rr_rd_count(tsig) < 7 || request.mac.size() < 2 ||
        !sameName(ldns_rr_owner(tsig), key.name) ||
        !sameName(ldns_rr_rdf(tsig, 0), key.algorithm)) {
        return false;
    }
    RdfPtr mac(
        ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, request.mac.size(), request.mac.data()));
    if (!mac || !ldns_pkt_tsig_verify(pkt, wire.data(), wire.size(), key.name.c_str(),
                                      key.secret.c_str(), mac.get())) {
        return false;
    }
    const ldns_rdf* signedAt = ldns_rr_rdf(tsig, 1);
    if (ldns_rdf_size(signedAt) != 6) {
        return false;
    }
    int64_t t = 0;
    for (std::size_t i = 0; i < 6; ++i) {
        t = (t << 8) | ldns_rdf_data(signedAt)[i];
    }
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    int64_t fudge = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 2));
    return std::llabs(now - t) <= fudge;
}

Error tsigRefused(uint16_t code, int rcode, const TxtRecord& record, const TsigKey& key,
                  const std::string& prefix) {
    if (code == tsigBadTime) {
        return makeError(ErrorKind::Config,
                         prefix + "rejected the time of the TSIG signature (" + rcodeName(rcode) +
                             "/BADTIME): this host's clock and the server's differ by more "
                             "than 5 minutes; fix the clock");
    }
    return makeError(ErrorKind::Config, prefix + "refused the TSIG key " + key.name +
                                            " (wrong secret or key not allowed to update " +
                                            record.zone + "): " + rcodeName(rcode) + "/" +
                                            tsigErrorName(code) +
                                            "; check --tsig-key-file against the server's key");
}

// One message per rcode, naming the likely cause and what to change.
// `verified`: the reply is signed by our key, so the server knows the key and the secret.
Error rcodeError(int rcode, const TxtRecord& record, const TsigKey& key, bool verified,
                 const std::string& prefix) {
    std::string what = prefix + "refused the update of " + record.zone + ": " + rcodeName(rcode);
    bool keyed = !key.name.empty();
    switch (rcode) {
    case LDNS_RCODE_NOTAUTH:
        if (verified) { // BIND's answer for a zone it does not hold (RFC 2136 §3.1.2)
            return makeError(ErrorKind::Config,
                             prefix + "is not authoritative for " + record.zone +
                                 " (NOTAUTH): point --dns-server at the zone's primary server");
        }
        if (keyed) {
            return makeError(ErrorKind::Config, prefix + "refused the TSIG key " + key.name +
                                                    " (wrong secret or key not allowed to update " +
                                                    record.zone +
                                                    "), or is not authoritative for it: NOTAUTH");
        }
        return makeError(ErrorKind::Config,
                         what + " (updates need a TSIG key, or the server is not authoritative "
                                "for the zone): give --tsig-key-file");
    case LDNS_RCODE_REFUSED:
        return makeError(ErrorKind::Config,
                         what + (keyed ? " (key " + key.name +
                                             " is not allowed to update it: "
                                             "check the zone's allow-update "
                                             "or update-policy)"
                                       : " (not allowed to update it without a TSIG key: give "
                                         "--tsig-key-file)"));
    case LDNS_RCODE_NOTZONE:
        return makeError(ErrorKind::Config, what + " (" + record.fqdn +
                                                " is not in the zone the server holds under "
                                                "that name: check --dns-server)");
    case LDNS_RCODE_NOTIMPL:
        return makeError(ErrorKind::Config, what + " (the server takes no dynamic updates)");
    case LDNS_RCODE_SERVFAIL:
        return makeError(ErrorKind::Network,
                         what + " (the server could not apply it: see its log)");
    default:
        return makeError(ErrorKind::Protocol, what);
    }
}

} // namespace

Status checkUpdateReply(const std::vector<uint8_t>& reply, const UpdateMessage& request,
                        const TxtRecord& record, const TsigKey& key, const std::string& server) {
    std::string prefix = "rfc2136: " + server + " ";
    ldns_pkt* raw = nullptr;
    if (ldns_wire2pkt(&raw, reply.data(), reply.size()) != LDNS_STATUS_OK || raw == nullptr) {
        return fail(ErrorKind::Protocol, prefix + "sent an answer that is not a DNS message");
    }
    PktPtr pkt(raw);
    if (!ldns_pkt_qr(pkt.get()) || ldns_pkt_id(pkt.get()) != request.id ||
        ldns_pkt_get_opcode(pkt.get()) != LDNS_PACKET_UPDATE) {
        return fail(ErrorKind::Protocol,
                    prefix + "answered with a message that is not the reply to our update");
    }
    int rcode = ldns_pkt_get_rcode(pkt.get());
    bool keyed = !key.name.empty();
    if (uint16_t code = tsigError(pkt.get()); keyed && code != 0) {
        return fail(tsigRefused(code, rcode, record, key, prefix));
    }
    bool verified = keyed && replySigned(pkt.get(), reply, request, key);
    if (rcode != LDNS_RCODE_NOERROR) {
        return fail(rcodeError(rcode, record, key, verified, prefix));
    }
    if (keyed && !verified) {
        return fail(ErrorKind::Protocol,
                    prefix + "answered the update of " + record.zone +
                        " without a valid signature by TSIG key " + key.name +
                        "; not trusting it (check that the server uses the same key)");
    }
    return {};
}

} // namespace certkeep::challenges::dns01
