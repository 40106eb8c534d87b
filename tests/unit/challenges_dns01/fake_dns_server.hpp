#pragma once
// A DNS server on loopback TCP for the rfc2136 provider's tests: it reads the UPDATE with ldns
// and answers as a real server would (BIND's answers to a wrong key, a forbidden zone, ...).
#include "challenges/dns01/ldns_api.hpp"
#include "challenges/dns01/rfc2136.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace certkeep::challenges::dns01::test {

using namespace std::chrono_literals;

inline const TsigKey sha256Key{"certkeep-key", "hmac-sha256",
                               "GWHMDGYIhGU4im8KGb47xEorI4ISoAVgrDq/FtT3SC0="};
inline const TsigKey sha512Key{
    "k2.example", "hmac-sha512",
    "XpV154HWCJBc+uQElzyWT5uoC0hv6FRTH8s/4WN8q9fIxnCAT3z9ZAg4pfJ+7DWFyb07vnB4"
    "aH6jMhT9N0nXnQ=="};
inline const TxtRecord record{"_acme-challenge.example.test",
                              "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0", "example.test"};

using Wire = std::vector<uint8_t>;

// No Catch2 assertions in what the server thread calls: Catch2 is not thread-safe.
inline LdnsPktPtr parse(const Wire& wire) {
    ldns_pkt* pkt = nullptr;
    if (ldns_wire2pkt(&pkt, wire.data(), wire.size()) != LDNS_STATUS_OK) {
        return nullptr;
    }
    return LdnsPktPtr(pkt);
}

// A domain name in presentation form, lower case with the trailing dot (ldns's host2str.h
// needs the deprecated OpenSSL API, so the labels are read here).
inline std::string text(const ldns_rdf* rdf) {
    const uint8_t* d = ldns_rdf_data(rdf);
    std::string out;
    if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_STR) { // a TXT string, quoted like dig prints it
        return "\"" + std::string(d + 1, d + 1 + d[0]) + "\"";
    }
    for (size_t i = 0; i < ldns_rdf_size(rdf) && d[i] != 0; i += d[i] + 1) {
        out.append(reinterpret_cast<const char*>(d + i + 1), d[i]).push_back('.');
    }
    return out.empty() ? "." : out;
}

// The reply a server sends: same id, QR, opcode UPDATE, `rcode`; signed with `signer` over the
// request's MAC when given; `tsigError` then written into its TSIG RR (BADSIG, BADKEY...).
// Empty when the query cannot be read (the client then sees silence and fails).
inline Wire reply(const Wire& queryWire, int rcode, const TsigKey* signer, uint16_t tsigError = 0) {
    LdnsPktPtr query = parse(queryWire);
    if (!query || ldns_pkt_qdcount(query.get()) != 1) {
        return {};
    }
    LdnsPktPtr pkt(ldns_pkt_new());
    ldns_pkt_set_id(pkt.get(), ldns_pkt_id(query.get()));
    ldns_pkt_set_qr(pkt.get(), true);
    ldns_pkt_set_opcode(pkt.get(), LDNS_PACKET_UPDATE);
    ldns_pkt_set_rcode(pkt.get(), static_cast<uint8_t>(rcode));
    ldns_pkt_push_rr(pkt.get(), LDNS_SECTION_QUESTION,
                     ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(query.get()), 0)));
    if (signer != nullptr) {
        ldns_rr* qtsig = ldns_pkt_tsig(query.get());
        const ldns_rdf* mac = qtsig != nullptr ? ldns_rr_rdf(qtsig, 3) : nullptr;
        if (ldns_pkt_tsig_sign(pkt.get(), signer->name.c_str(), signer->secret.c_str(), 300,
                               signer->algorithm.c_str(), mac) != LDNS_STATUS_OK) {
            return {};
        }
    }
    if (tsigError != 0 && ldns_pkt_tsig(pkt.get()) != nullptr) {
        ldns_rdf* old = ldns_rr_set_rdf(ldns_pkt_tsig(pkt.get()),
                                        ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, tsigError), 5);
        ldns_rdf_deep_free(old);
    }
    uint8_t* raw = nullptr;
    size_t size = 0;
    LdnsWirePtr owned(raw);
    if (ldns_pkt2wire(&raw, pkt.get(), &size) != LDNS_STATUS_OK) {
        return {};
    }
    owned.reset(raw);
    return Wire(raw, raw + size);
}

// A DNS server on 127.0.0.1:<port> (TCP) that answers each message with `answer(query)`; an
// empty answer means silence (the connection stays open until the client gives up).
class FakeDnsServer {
  public:
    using Answer = std::function<Wire(const Wire&)>;
    explicit FakeDnsServer(Answer answer) : answer_(std::move(answer)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0);
        REQUIRE(::listen(fd_, 4) == 0);
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeDnsServer() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    FakeDnsServer(const FakeDnsServer&) = delete;
    FakeDnsServer& operator=(const FakeDnsServer&) = delete;

    [[nodiscard]] dns::ServerAddress address() const { return {"127.0.0.1", port_}; }
    std::vector<Wire> queries() {
        std::lock_guard<std::mutex> lock(mutex_);
        return queries_;
    }

  private:
    bool readable(int fd) const {
        pollfd p{fd, POLLIN, 0};
        while (!stop_) {
            if (::poll(&p, 1, 20) > 0) {
                return true;
            }
        }
        return false;
    }
    bool readAll(int fd, uint8_t* buf, size_t n) const {
        for (size_t got = 0; got < n;) {
            ssize_t r = readable(fd) ? ::recv(fd, buf + got, n - got, 0) : 0;
            if (r <= 0) {
                return false;
            }
            got += static_cast<size_t>(r);
        }
        return true;
    }
    void serve() {
        while (readable(fd_)) {
            int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            uint8_t prefix[2];
            Wire query;
            if (conn >= 0 && readAll(conn, prefix, 2)) {
                query.resize(static_cast<size_t>(prefix[0] << 8 | prefix[1]));
                if (readAll(conn, query.data(), query.size())) {
                    std::lock_guard<std::mutex> lock(mutex_);
                    queries_.push_back(query);
                }
            }
            Wire answer = query.empty() ? Wire{} : answer_(query);
            if (!answer.empty()) {
                Wire framed{static_cast<uint8_t>(answer.size() >> 8),
                            static_cast<uint8_t>(answer.size() & 0xff)};
                framed.insert(framed.end(), answer.begin(), answer.end());
                (void)::send(conn, framed.data(), framed.size(), MSG_NOSIGNAL);
            } else if (conn >= 0) {
                readAll(conn, prefix, 1); // silent: wait for the client to hang up
            }
            if (conn >= 0) {
                ::close(conn);
            }
        }
    }

    Answer answer_;
    int fd_ = -1;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::vector<Wire> queries_;
    std::thread thread_;
};

inline Rfc2136Options optionsFor(const FakeDnsServer& server, const TsigKey& key) {
    Rfc2136Options o;
    o.server = server.address();
    o.key = key;
    o.timeout = 2s;
    return o;
}

// A loopback port nothing listens on: bound once, then closed.
inline uint16_t closedPort() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// The one RR of the update section, after checking the zone section names the zone's SOA.
inline ldns_rr* updateRr(ldns_pkt* pkt) {
    REQUIRE(ldns_pkt_get_opcode(pkt) == LDNS_PACKET_UPDATE);
    REQUIRE(ldns_pkt_qdcount(pkt) == 1);
    ldns_rr* zone = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
    CHECK(text(ldns_rr_owner(zone)) == "example.test.");
    CHECK(ldns_rr_get_type(zone) == LDNS_RR_TYPE_SOA);
    CHECK(ldns_rr_get_class(zone) == LDNS_RR_CLASS_IN);
    CHECK(ldns_pkt_ancount(pkt) == 0); // no prerequisites
    REQUIRE(ldns_pkt_nscount(pkt) == 1);
    return ldns_rr_list_rr(ldns_pkt_authority(pkt), 0);
}

} // namespace certkeep::challenges::dns01::test
