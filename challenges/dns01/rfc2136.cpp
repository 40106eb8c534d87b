#include "challenges/dns01/rfc2136.hpp"

#include "challenges/dns01/dns_tcp.hpp"
#include "challenges/dns01/rfc2136_message.hpp"

namespace certkeep::challenges::dns01 {

namespace {

// One UPDATE over TCP (RFC 2136 §3: a server may take updates over TCP; replies to signed
// messages can be larger than UDP allows, and TCP needs no retransmission logic).
Status sendUpdate(const Rfc2136Options& options, const TxtRecord& record, UpdateAction action) {
    auto message = buildUpdate(record, action, options.ttl, options.key);
    if (!message) {
        return message.takeError();
    }
    std::string server = dns::formatServerAddress(options.server);
    auto reply = exchangeTcp(options.server, message->wire, options.timeout);
    if (!reply) {
        std::string verb = action == UpdateAction::Add ? "adding" : "removing";
        return fail(std::move(reply).error().context("rfc2136: " + verb + " the TXT record at " +
                                                     record.fqdn));
    }
    return checkUpdateReply(*reply, *message, record, options.key, server);
}

} // namespace

Rfc2136Provider::Rfc2136Provider(Rfc2136Options options) : options_(std::move(options)) {}

// RFC 2136 §2.5.1: adding an RR that is already there changes nothing, so present is
// idempotent and other values at the name stay.
Status Rfc2136Provider::present(const TxtRecord& record) {
    return sendUpdate(options_, record, UpdateAction::Add);
}

// RFC 2136 §2.5.4: deletes only the RR with this value; deleting an absent RR is no error.
Status Rfc2136Provider::cleanup(const TxtRecord& record) {
    return sendUpdate(options_, record, UpdateAction::Delete);
}

} // namespace certkeep::challenges::dns01
