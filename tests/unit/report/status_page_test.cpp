// The status page: self-contained HTML with one row per certificate a browser test can read.
#include "report/status_page.hpp"
#include "report_fixture.hpp"

#include <catch2/catch.hpp>

using namespace certkeep::report;
using namespace certkeep::report::testing;

namespace {

// The <tr ...>...</tr> whose id is cert-NAME, or "" when there is none.
std::string rowOf(const std::string& html, const std::string& name) {
    auto start = html.find("<tr id=\"cert-" + name + "\"");
    if (start == std::string::npos) {
        return "";
    }
    return html.substr(start, html.find("</tr>", start) + 5 - start);
}

// The content of the first <td class="CLS"> of `row`.
std::string cellOf(const std::string& row, const std::string& cls) {
    std::string open = "<td class=\"" + cls + "\">";
    auto start = row.find(open);
    if (start == std::string::npos) {
        return "<no cell " + cls + ">";
    }
    start += open.size();
    return row.substr(start, row.find("</td>", start) - start);
}

std::vector<CertificateStatus> sample() {
    auto warn = issued("warn.test", chr::days(20));
    warn.lastResult = "failure";
    warn.consecutiveFailures = 2;
    warn.lastError = "<script>alert('x')</script> & \"more\"";
    warn.deployPending = true;
    auto stale = issued("stale.test", chr::days(70));
    stale.managed = false;
    return {issued("ok.test", chr::days(45)), warn, issued("crit.test", -chr::days(2)),
            neverIssued("new.test"), stale};
}

} // namespace

TEST_CASE("statusPage gives each certificate a row classed by its health", "[report]") {
    auto html = statusPage(sample(), kNow, "host1");
    CHECK(rowOf(html, "ok.test").find("class=\"ok\"") != std::string::npos);
    auto warn = rowOf(html, "warn.test");
    REQUIRE_FALSE(warn.empty());
    CHECK(warn.rfind("<tr id=\"cert-warn.test\" class=\"warning\">", 0) == 0);
    CHECK(cellOf(warn, "left").find("<div class=\"fill warning\" style=\"width:22%\">") !=
          std::string::npos);
    CHECK(cellOf(warn, "left").find("20d") != std::string::npos);
    CHECK(cellOf(warn, "left").find("<span class=\"state\">warning</span>") != std::string::npos);
    CHECK(cellOf(warn, "result") == "failure");
    CHECK(cellOf(warn, "failures") == "2");
    CHECK(cellOf(warn, "deploy") == "pending");
    CHECK(cellOf(warn, "identifiers") == "warn.test, www.warn.test");
    auto crit = rowOf(html, "crit.test");
    CHECK(crit.rfind("<tr id=\"cert-crit.test\" class=\"critical\">", 0) == 0);
    CHECK(cellOf(crit, "left").find("expired 2d ago") != std::string::npos);
    CHECK(cellOf(crit, "left").find("width:0%") != std::string::npos);
    auto fresh = rowOf(html, "new.test");
    CHECK(fresh.rfind("<tr id=\"cert-new.test\" class=\"unknown\">", 0) == 0);
    CHECK(cellOf(fresh, "left").find("never issued") != std::string::npos);
    CHECK(cellOf(rowOf(html, "stale.test"), "next") == "unmanaged (not in the config)");
    CHECK(cellOf(rowOf(html, "ok.test"), "next").find("(lifetime)") != std::string::npos);
}

TEST_CASE("statusPage escapes what comes from the store", "[report]") {
    auto certs = sample();
    certs[0].name = "a\"b<c>";
    auto html = statusPage(certs, kNow, "<b>'host'</b>");
    CHECK(html.find("<script") == std::string::npos);
    CHECK(cellOf(rowOf(html, "warn.test"), "error") ==
          "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;");
    CHECK(html.find("<tr id=\"cert-a&quot;b&lt;c&gt;\"") != std::string::npos);
    CHECK(html.find("&lt;b&gt;&#39;host&#39;&lt;/b&gt;") != std::string::npos);
    CHECK(html.find("<b>") == std::string::npos);
}

TEST_CASE("statusPage is one self-contained HTML5 document", "[report]") {
    auto html = statusPage(sample(), kNow, "host1");
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
    CHECK(html.find("<style>") != std::string::npos);
    for (const char* external : {"<script", "http://", "https://", "src=", "<link", "@import"}) {
        INFO(external);
        CHECK(html.find(external) == std::string::npos);
    }
    CHECK(html.find("2026-11-27T12:00:00Z") != std::string::npos); // generated at
    CHECK(html.find("5 certificates: <span class=\"count critical\">1 critical</span>, "
                    "<span class=\"count warning\">1 warning</span>, "
                    "<span class=\"count unknown\">1 unknown</span>, "
                    "<span class=\"count ok\">2 ok</span>") != std::string::npos);
    CHECK(html.substr(html.size() - 8) == "</html>\n");
}

TEST_CASE("statusPage says when no certificate is managed", "[report]") {
    auto html = statusPage({}, kNow, "host1");
    CHECK(html.find("<p class=\"empty\">No certificates are managed yet.</p>") !=
          std::string::npos);
    CHECK(html.find("<tr") == std::string::npos);
}
