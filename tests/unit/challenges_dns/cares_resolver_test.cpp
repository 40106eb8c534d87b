// The c-ares resolver against a scripted DNS server on loopback: the RD bit as asked, replies of
// every rcode returned as answers, TCP after truncation, all questions in flight at once, and
// the errors for a silent server, a closed port and a malformed reply.
#include "challenges/dns/resolver.hpp"
#include "test_dns_server.hpp"

#include <catch2/catch.hpp>

using certkeep::ErrorKind;
using certkeep::challenges::dns::makeCaresResolver;
using certkeep::challenges::dns::Question;
using certkeep::challenges::dns::RecordType;
using certkeep::challenges::dns::ResolverPtr;
using certkeep::challenges::dns::ServerAddress;
using certkeep::testing::TestDnsServer;
using certkeep::testing::txtRdata;
using certkeep::testing::WireQuery;
using certkeep::testing::WireReply;
using std::chrono::milliseconds;
namespace rr = certkeep::testing::rr;
using Strings = std::vector<std::string>;

namespace {

ResolverPtr resolver() {
    auto made = makeCaresResolver();
    REQUIRE(made.ok());
    return std::move(*made);
}

// Answers every TXT question with `values` (one record each).
TestDnsServer::Handler txtServer(Strings values) {
    return [values](const WireQuery& q, bool) -> std::optional<std::string> {
        WireReply reply{.qname = q.name, .qtype = q.type};
        for (const auto& v : values) {
            reply.answers.push_back({q.name, rr::TXT, txtRdata({v})});
        }
        return reply.bytes();
    };
}

std::optional<WireQuery> find(const std::vector<WireQuery>& queries, const std::string& name) {
    for (const auto& q : queries) {
        if (q.name == name) {
            return q;
        }
    }
    return std::nullopt;
}

} // namespace

TEST_CASE("c-ares resolver sends the RD bit as asked and reads TXT answers", "[dns][cares]") {
    TestDnsServer server([](const WireQuery& q, bool) -> std::optional<std::string> {
        WireReply reply{.qname = q.name, .qtype = q.type};
        reply.answers = {{q.name, rr::TXT, txtRdata({"first-", "half"})},
                         {q.name, rr::TXT, txtRdata({"other"})}};
        return reply.bytes();
    });
    auto dns = resolver();
    auto results =
        dns->ask({Question{server.address(), "auth.example.test", RecordType::TXT, false},
                  Question{server.address(), "rec.example.test", RecordType::TXT, true}},
                 milliseconds(2000));
    REQUIRE(results.size() == 2);
    for (const auto& r : results) {
        REQUIRE(r.ok());
        CHECK(r->rcode == 0);
        CHECK(r->authoritative);
        CHECK(r->txt == Strings{"first-half", "other"});
    }
    auto queries = server.queries();
    REQUIRE(find(queries, "auth.example.test"));
    REQUIRE(find(queries, "rec.example.test"));
    CHECK_FALSE(find(queries, "auth.example.test")->recursionDesired);
    CHECK(find(queries, "rec.example.test")->recursionDesired);
    CHECK(find(queries, "auth.example.test")->type == rr::TXT);
}

TEST_CASE("c-ares resolver returns SERVFAIL, REFUSED and NXDOMAIN as answers", "[dns][cares]") {
    TestDnsServer server([](const WireQuery& q, bool) -> std::optional<std::string> {
        WireReply reply{.qname = q.name, .qtype = q.type};
        reply.rcode(q.name == "servfail.test" ? 2 : q.name == "refused.test" ? 5 : 3);
        if (q.name == "nx.example.test") {
            reply.authority = {{"example.test", rr::SOA,
                                certkeep::testing::soaRdata("ns1.example.test", "a.example.test")}};
        }
        return reply.bytes();
    });
    auto dns = resolver();
    auto at = server.address();
    auto results = dns->ask({Question{at, "servfail.test", RecordType::TXT, false},
                             Question{at, "refused.test", RecordType::TXT, false},
                             Question{at, "nx.example.test", RecordType::SOA, true}},
                            milliseconds(2000));
    REQUIRE(results.size() == 3);
    REQUIRE(results[0].ok());
    CHECK(results[0]->rcode == 2);
    REQUIRE(results[1].ok());
    CHECK(results[1]->rcode == 5);
    REQUIRE(results[2].ok());
    CHECK(results[2]->rcode == 3);
    CHECK(results[2]->soaOwner == "example.test");
    CHECK(server.queries().size() == 3); // an error rcode is not retried elsewhere
}

TEST_CASE("c-ares resolver has every question of a batch in flight at once", "[dns][cares]") {
    // Each server replies only once it holds all three of its questions: sent one after the
    // other, the first would wait for a reply that never comes.
    TestDnsServer one(txtServer({"from-one"}), 3);
    TestDnsServer two(txtServer({"from-two"}), 3);
    std::vector<Question> questions;
    for (const std::string name : {"a.test", "b.test", "c.test"}) {
        questions.push_back(Question{one.address(), name, RecordType::TXT, false});
        questions.push_back(Question{two.address(), name, RecordType::TXT, false});
    }
    auto dns = resolver();
    auto results = dns->ask(questions, milliseconds(3000));
    REQUIRE(results.size() == 6);
    for (std::size_t i = 0; i < results.size(); ++i) {
        REQUIRE(results[i].ok());
        CHECK(results[i]->txt == Strings{i % 2 == 0 ? "from-one" : "from-two"});
    }
}

TEST_CASE("c-ares resolver retries over TCP when the UDP reply is truncated", "[dns][cares]") {
    Strings big = {std::string(200, 'a'), std::string(200, 'b'), std::string(200, 'c')};
    TestDnsServer server([big](const WireQuery& q, bool tcp) -> std::optional<std::string> {
        WireReply reply{.qname = q.name, .qtype = q.type};
        if (!tcp) {
            reply.flags |= 0x0200; // TC: RFC 1035 §4.1.1, retry over TCP
            return reply.bytes();
        }
        for (const auto& v : big) {
            reply.answers.push_back({q.name, rr::TXT, txtRdata({v})});
        }
        return reply.bytes();
    });
    auto dns = resolver();
    auto results = dns->ask({Question{server.address(), "big.test", RecordType::TXT, false}},
                            milliseconds(3000));
    REQUIRE(results.front().ok());
    CHECK(results.front()->txt == big);
}

TEST_CASE("c-ares resolver names a silent server and the timeout", "[dns][cares]") {
    TestDnsServer server([](const WireQuery&, bool) { return std::optional<std::string>(); });
    auto dns = resolver();
    auto start = std::chrono::steady_clock::now();
    auto results =
        dns->ask({Question{server.address(), "x.test", RecordType::TXT, false}}, milliseconds(400));
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(results.front().ok());
    CHECK(results.front().error().kind == ErrorKind::Network);
    CHECK(results.front().error().message ==
          "no answer from 127.0.0.1:" + std::to_string(server.address().port) + " within 400ms");
    CHECK(took >= milliseconds(350));
    CHECK(took < milliseconds(1500));
    CHECK(server.queries().size() >= 2); // c-ares retried within the timeout
}

TEST_CASE("c-ares resolver reports a closed port at once", "[dns][cares]") {
    uint16_t port = 0;
    {
        TestDnsServer gone(txtServer({}));
        port = gone.address().port;
    }
    auto dns = resolver();
    auto start = std::chrono::steady_clock::now();
    auto results =
        dns->ask({Question{ServerAddress{"127.0.0.1", port}, "x.test", RecordType::TXT, false}},
                 milliseconds(3000));
    REQUIRE_FALSE(results.front().ok());
    CHECK(results.front().error().kind == ErrorKind::Network);
    CHECK_THAT(results.front().error().message,
               Catch::Contains("127.0.0.1:" + std::to_string(port)) &&
                   Catch::Contains("connection refused"));
    CHECK(std::chrono::steady_clock::now() - start < milliseconds(1000));
}

TEST_CASE("c-ares resolver turns a malformed reply into a Protocol error naming the server",
          "[dns][cares]") {
    TestDnsServer server([](const WireQuery& q, bool) -> std::optional<std::string> {
        WireReply reply{.qname = q.name, .qtype = q.type};
        std::string bytes = reply.bytes();
        bytes[7] = 2; // announces two answers, carries none
        return bytes;
    });
    auto dns = resolver();
    auto results = dns->ask({Question{server.address(), "x.test", RecordType::TXT, false}},
                            milliseconds(2000));
    REQUIRE_FALSE(results.front().ok());
    CHECK(results.front().error().kind == ErrorKind::Protocol);
    CHECK_THAT(results.front().error().message,
               Catch::Contains("from 127.0.0.1:" + std::to_string(server.address().port)));
}

TEST_CASE("c-ares resolver can be used from several threads at once", "[dns][cares]") {
    TestDnsServer server(txtServer({"shared"}));
    auto dns = resolver();
    std::vector<std::thread> threads;
    std::atomic<int> good{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 5; ++i) {
                std::string name = "t" + std::to_string(t) + "-" + std::to_string(i) + ".test";
                auto r = dns->ask({Question{server.address(), name, RecordType::TXT, false}},
                                  milliseconds(2000));
                if (r.front().ok() && r.front()->txt == Strings{"shared"}) {
                    ++good;
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(good == 20);
}
