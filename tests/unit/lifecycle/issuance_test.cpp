// One whole issuance (RFC 8555 §7.4) against the fake server, with a throwaway CA.
#include "acme/issuance.hpp"
#include "fakes/acme_documents.hpp"
#include "fakes/client_fixture.hpp"
#include "fakes/fake_solver.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

using namespace certkeep;
using certkeep::fakes::ClientFixture;
using certkeep::fakes::FakeCa;
using certkeep::fakes::jsonResponse;
using certkeep::fakes::ServerRequest;
using nlohmann::json;

namespace {

// A CA hierarchy: leaves are issued by `issuing`, whose certificate is signed by `root`
// (default chain) or by `otherRoot` (alternate chain).
struct Pki {
    FakeCa issuing{"Fake Issuing CA"};
    FakeCa root{"Fake Root X1"};
    FakeCa otherRoot{"Other Root X2"};
    std::string defaultIntermediate = root.crossSign(issuing);
    std::string alternateIntermediate = otherRoot.crossSign(issuing);
};

Pki& pki() {
    static Pki p;
    return p;
}

// Per-domain authorization state on the fake server.
struct AuthzState {
    std::string domain;
    std::string url;
    std::string challengeUrl;
    std::string token;
    std::string status;       // what the authorization says now
    std::string afterAnswer;  // status once the challenge was answered ("valid"/"invalid")
    json challengeError;      // set on the challenge when afterAnswer is "invalid"
    int pendingPollsLeft = 1; // polls answered "pending" after the challenge was answered
};

// The fake server side of one issuance, with knobs for misbehaviour.
struct Scenario {
    ClientFixture f;
    std::vector<AuthzState> authzs;
    std::string orderUrl;
    std::string finalizeUrl;
    std::string certUrl;
    std::string altCertUrl;
    std::string orderStatus = "pending";
    std::string csrB64;                  // the csr member of the finalize payload
    std::optional<fakes::ParsedCsr> csr; // parsed from it
    std::vector<std::string> leafNames;  // names the CA puts into the leaf ("" = CSR's)
    bool leafForAnotherKey = false;      // issue the leaf for a key that is not ours
    fakes::FakeSolver solver;

    using Domains = std::vector<std::pair<std::string, std::string>>; // name, first status

    explicit Scenario(const Domains& domains) {
        f.ready();
        orderUrl = f.server.url("/order/1");
        finalizeUrl = f.server.url("/order/1/finalize");
        certUrl = f.server.url("/cert/1");
        altCertUrl = f.server.url("/cert/1/alt");
        int n = 0;
        for (const auto& [domain, status] : domains) {
            ++n;
            AuthzState a{domain,
                         f.server.url("/authz/" + std::to_string(n)),
                         f.server.url("/chal/" + std::to_string(n)),
                         fakes::tokenFor(domain),
                         status,
                         "valid",
                         nullptr};
            authzs.push_back(a);
        }
        routes();
    }

    std::vector<std::string> domains() const {
        std::vector<std::string> out;
        for (const auto& a : authzs) {
            out.push_back(a.domain);
        }
        return out;
    }

    json orderDoc() const {
        std::vector<std::string> urls;
        for (const auto& a : authzs) {
            urls.push_back(a.url);
        }
        return fakes::orderJson(orderStatus, domains(), urls, finalizeUrl,
                                orderStatus == "valid" ? certUrl : "");
    }

    json authzDoc(const AuthzState& a) const {
        json chal = fakes::challengeJson("http-01", a.challengeUrl, a.token, a.status);
        if (a.status == "invalid" && !a.challengeError.is_null()) {
            chal["error"] = a.challengeError;
        }
        json dns = fakes::challengeJson("dns-01", a.challengeUrl + "-dns", a.token, "pending");
        return fakes::authzJson(a.domain, a.status, json::array({dns, chal}));
    }

    std::string chainPem(const std::string& intermediate) const {
        const auto& pub = csr->publicKey;
        std::vector<std::string> names = leafNames.empty() ? csr->dnsNames : leafNames;
        std::string leaf;
        if (leafForAnotherKey) {
            auto other = fakes::generateKey();
            leaf = pki().issuing.issueLeaf(other.get(), names);
        } else {
            leaf = pki().issuing.issueLeaf(pub.get(), names);
        }
        return leaf + intermediate;
    }

    void routes() {
        auto& s = f.server;
        s.route(s.newOrderUrl(), [this](const ServerRequest&) {
            return jsonResponse(201, orderDoc(), {{"location", orderUrl}});
        });
        for (std::size_t i = 0; i < authzs.size(); ++i) {
            s.route(authzs[i].url, [this, i](const ServerRequest&) {
                AuthzState& a = authzs[i];
                json doc = authzDoc(a);
                if (a.status == "processing") {
                    if (a.pendingPollsLeft-- <= 0) {
                        a.status = a.afterAnswer;
                        doc = authzDoc(a);
                    } else {
                        doc["status"] = "pending";
                    }
                }
                return jsonResponse(200, doc);
            });
            s.route(authzs[i].challengeUrl, [this, i](const ServerRequest&) {
                authzs[i].status = "processing"; // internal marker: answered, not yet judged
                return jsonResponse(200, fakes::challengeJson("http-01", authzs[i].challengeUrl,
                                                              authzs[i].token, "processing"));
            });
        }
        s.route(finalizeUrl, [this](const ServerRequest& r) {
            json payload = r.jws.payloadJson();
            csrB64 = payload.value("csr", std::string());
            auto der = base64urlDecode(csrB64);
            csr = der ? fakes::parseCsrDer(*der) : std::nullopt;
            orderStatus = csr ? "processing" : "invalid";
            return jsonResponse(200, orderDoc(), {{"location", orderUrl}});
        });
        s.route(orderUrl, [this](const ServerRequest&) {
            if (orderStatus == "processing") {
                orderStatus = "valid";
            }
            return jsonResponse(200, orderDoc());
        });
        s.route(certUrl, [this](const ServerRequest&) {
            return fakes::makeResponse(
                200, chainPem(pki().defaultIntermediate),
                {{"content-type", "application/pem-certificate-chain"},
                 {"link", "<" + altCertUrl + ">;rel=\"alternate\""},
                 {"link", "<" + f.server.directoryUrl() + ">;rel=\"index\""}});
        });
        s.route(altCertUrl, [this](const ServerRequest&) {
            return fakes::makeResponse(200, chainPem(pki().alternateIntermediate),
                                       {{"content-type", "application/pem-certificate-chain"}});
        });
    }

    Result<acme::IssuedCertificate> issue(const std::string& preferredChain = "") {
        acme::IssueRequest request;
        request.domains = domains();
        request.preferredChain = preferredChain;
        auto thumbprint = acme::jwkThumbprint(f.signer.jwk());
        REQUIRE(thumbprint.ok());
        thumbprint_ = *thumbprint;
        return acme::issueCertificate(*f.client, solver, request, thumbprint_);
    }

    std::string thumbprint_;
};

std::size_t countCerts(const std::string& pem) {
    std::size_t n = 0;
    for (auto pos = pem.find("-----BEGIN CERTIFICATE-----"); pos != std::string::npos;
         pos = pem.find("-----BEGIN CERTIFICATE-----", pos + 1)) {
        ++n;
    }
    return n;
}

std::multiset<std::pair<std::string, std::string>>
tokensOf(const std::vector<fakes::FakeSolver::Call>& calls) {
    std::multiset<std::pair<std::string, std::string>> out;
    for (const auto& c : calls) {
        out.emplace(c.domain, c.token);
    }
    return out;
}

} // namespace

TEST_CASE("issuance end to end: reused and new authorizations, CSR, chain, key",
          "[acme][issuance]") {
    Scenario s(Scenario::Domains{{"a.example.com", "valid"}, {"b.example.com", "pending"}});

    auto issued = s.issue();

    REQUIRE(issued.ok());
    // Only the pending authorization was presented and answered, and cleaned up after.
    REQUIRE(s.solver.presented.size() == 1);
    const auto& call = s.solver.presented[0];
    CHECK(call.domain == "b.example.com");
    CHECK(call.token == s.authzs[1].token);
    CHECK(call.keyAuth == s.authzs[1].token + "." + s.thumbprint_);
    CHECK(tokensOf(s.solver.cleanedUp) == tokensOf(s.solver.presented));
    CHECK(s.f.server.requestsTo(s.authzs[0].challengeUrl).empty());
    auto answers = s.f.server.requestsTo(s.authzs[1].challengeUrl, "POST");
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].jws.payload == "{}");
    CHECK(s.f.server.requestsTo(s.authzs[1].challengeUrl + "-dns").empty());

    // The finalize payload carries a base64url DER CSR with both names, self-signed.
    CHECK(fakes::decodeJws(s.f.server.requestsTo(s.finalizeUrl)[0].http.body).ok);
    CHECK(isBase64url(s.csrB64));
    REQUIRE(s.csr.has_value());
    CHECK(s.csr->signatureOk);
    CHECK(s.csr->dnsNames == std::vector<std::string>{"a.example.com", "b.example.com"});

    // Certificate downloaded as a PEM chain.
    auto downloads = s.f.server.requestsTo(s.certUrl, "POST");
    REQUIRE(downloads.size() == 1);
    CHECK(downloads[0].http.accept == "application/pem-certificate-chain");
    CHECK(s.f.server.requestsTo(s.altCertUrl).empty()); // no preference: no alternates fetched

    // Leaf and chain split; the key is the CSR's and matches the leaf.
    CHECK(countCerts(issued->certPem) == 1);
    CHECK(countCerts(issued->chainPem) == 1);
    CHECK(issued->fullchainPem == issued->certPem + issued->chainPem);
    CHECK(issued->info.dnsNames == std::vector<std::string>{"a.example.com", "b.example.com"});
    CHECK(issued->info.issuerCn == "Fake Issuing CA");
    CHECK(issued->topIssuer == "Fake Root X1");
    CHECK(issued->orderUrl == s.orderUrl);
    auto key = acme::PrivateKey::fromPem(issued->keyPem);
    REQUIRE(key.ok());
    auto matches = acme::certMatchesKey(issued->certPem, *key);
    REQUIRE(matches.ok());
    CHECK(*matches);
    CHECK(EVP_PKEY_eq(key->get(), s.csr->publicKey.get()) == 1);
    CHECK(s.f.server.nonceViolations().empty());
}

TEST_CASE("a preferred chain is fetched from the alternates and chosen", "[acme][issuance]") {
    Scenario s(Scenario::Domains{{"a.example.com", "pending"}});

    auto issued = s.issue("Other Root X2");

    REQUIRE(issued.ok());
    CHECK(issued->topIssuer == "Other Root X2");
    CHECK(s.f.server.requestsTo(s.altCertUrl, "POST").size() == 1);
    auto top = acme::inspectCertPem(issued->chainPem);
    REQUIRE(top.ok());
    CHECK(top->issuerCn == "Other Root X2");
}

TEST_CASE("an unknown preferred chain falls back to the default chain", "[acme][issuance]") {
    Scenario s(Scenario::Domains{{"a.example.com", "pending"}});

    auto issued = s.issue("No Such Root");

    REQUIRE(issued.ok());
    CHECK(issued->topIssuer == "Fake Root X1");
}

TEST_CASE("a certificate that does not match our key is refused", "[acme][issuance]") {
    Scenario s(Scenario::Domains{{"a.example.com", "pending"}});
    s.leafForAnotherKey = true;

    auto issued = s.issue();

    REQUIRE_FALSE(issued.ok());
    CHECK(issued.error().kind == ErrorKind::Protocol);
    CHECK_THAT(issued.error().message, Catch::Contains("does not match our key"));
}

TEST_CASE("a certificate missing a requested name is refused", "[acme][issuance]") {
    Scenario s(Scenario::Domains{{"a.example.com", "valid"}, {"b.example.com", "pending"}});
    s.leafNames = {"a.example.com", "evil.example.net"};

    auto issued = s.issue();

    REQUIRE_FALSE(issued.ok());
    CHECK(issued.error().kind == ErrorKind::Protocol);
    CHECK_THAT(issued.error().message, Catch::Contains("b.example.com"));
}

TEST_CASE("an invalid authorization is a Validation error naming the domain, and every "
          "presented token is cleaned up",
          "[acme][issuance]") {
    Scenario s(Scenario::Domains{
        {"a.example.com", "pending"}, {"b.example.com", "pending"}, {"c.example.com", "pending"}});
    s.authzs[1].afterAnswer = "invalid";
    s.authzs[1].challengeError = {{"type", "urn:ietf:params:acme:error:unauthorized"},
                                  {"detail", "Invalid response from http://b.example.com: 404"},
                                  {"status", 403}};

    auto issued = s.issue();

    REQUIRE_FALSE(issued.ok());
    CHECK(issued.error().kind == ErrorKind::Validation);
    CHECK_THAT(issued.error().message, Catch::Contains("b.example.com"));
    CHECK_THAT(issued.error().message, Catch::Contains("404"));
    REQUIRE(issued.error().problem.has_value());
    CHECK(issued.error().problem->shortType() == "unauthorized");
    CHECK(s.solver.presented.size() == 3);
    CHECK(tokensOf(s.solver.cleanedUp) == tokensOf(s.solver.presented));
    CHECK(s.f.server.requestsTo(s.finalizeUrl).empty());
}

TEST_CASE("an authorization that is invalid without a reason still names the domain",
          "[acme][issuance]") {
    Scenario s(Scenario::Domains{{"a.example.com", "pending"}, {"b.example.com", "invalid"}});

    auto issued = s.issue();

    REQUIRE_FALSE(issued.ok());
    CHECK(issued.error().kind == ErrorKind::Validation);
    CHECK_THAT(issued.error().message, Catch::Contains("b.example.com"));
    CHECK(tokensOf(s.solver.cleanedUp) == tokensOf(s.solver.presented));
}

TEST_CASE("a solver that cannot present stops issuance and earlier tokens are cleaned up",
          "[acme][issuance]") {
    Scenario s(Scenario::Domains{{"a.example.com", "pending"}, {"b.example.com", "pending"}});
    s.solver.failPresentFor = {"b.example.com"};

    auto issued = s.issue();

    REQUIRE_FALSE(issued.ok());
    CHECK(issued.error().kind == ErrorKind::Local);
    REQUIRE(s.solver.presented.size() == 1);
    CHECK(tokensOf(s.solver.cleanedUp) == tokensOf(s.solver.presented));
    CHECK(s.f.server.requestsTo(s.authzs[1].challengeUrl).empty());
}

TEST_CASE("a CA that offers no challenge of the solver's type is a Usage error",
          "[acme][issuance]") {
    Scenario s(Scenario::Domains{{"a.example.com", "pending"}});
    s.solver = fakes::FakeSolver("tls-alpn-01");

    auto issued = s.issue();

    REQUIRE_FALSE(issued.ok());
    CHECK(issued.error().kind == ErrorKind::Usage);
    CHECK_THAT(issued.error().message, Catch::Contains("a.example.com"));
    CHECK(s.solver.presentAttempts == 0);
}

TEST_CASE("choosePreferredChain picks by the topmost issuer CN, else the first", "[acme][chain]") {
    auto leafKey = fakes::generateKey();
    std::string leaf = pki().issuing.issueLeaf(leafKey.get(), {"a.example.com"});
    std::vector<std::string> chains{leaf + pki().defaultIntermediate,
                                    leaf + pki().alternateIntermediate};

    auto pick = [&](const std::string& preferred) {
        auto index = acme::choosePreferredChain(chains, preferred);
        REQUIRE(index.ok());
        return *index;
    };

    CHECK(pick("Other Root X2") == 1);
    CHECK(pick("Fake Root X1") == 0);
    CHECK(pick("") == 0);
    CHECK(pick("other root x2") == 0);
    CHECK(acme::choosePreferredChain({leaf + pki().alternateIntermediate, "garbage"}, "Nobody")
              .value() == 0);
    auto none = acme::choosePreferredChain({}, "Fake Root X1");
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().kind == ErrorKind::Protocol);
}
