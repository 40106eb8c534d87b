// The streaming JSON writer prints what nlohmann::json::dump(2) prints for the same document,
// and turns invalid UTF-8 into U+FFFD instead of failing.
#include "report/json_writer.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using certkeep::report::JsonWriter;

TEST_CASE("json writer: the same text as nlohmann's dump(2)", "[report][json]") {
    std::string out;
    JsonWriter w(out);
    w.beginArray();
    w.beginObject();
    w.key("name");
    w.string("a \"quoted\" \\ name\n\t\b\f\x01 é 😀");
    w.key("list");
    w.strings({"x", "y"});
    w.key("empty");
    w.strings({});
    w.key("n");
    w.number(-42);
    w.key("t");
    w.boolean(true);
    w.key("none");
    w.null();
    w.endObject();
    w.beginObject();
    w.endObject();
    w.endArray();

    nlohmann::ordered_json doc = nlohmann::ordered_json::array();
    nlohmann::ordered_json o;
    o["name"] = "a \"quoted\" \\ name\n\t\b\f\x01 é 😀";
    o["list"] = {"x", "y"};
    o["empty"] = nlohmann::ordered_json::array();
    o["n"] = -42;
    o["t"] = true;
    o["none"] = nullptr;
    doc.push_back(o);
    doc.push_back(nlohmann::ordered_json::object());
    CHECK(out == doc.dump(2));
}

TEST_CASE("json writer: invalid UTF-8 becomes U+FFFD, the rest is kept", "[report][json]") {
    for (const std::string& bad : {std::string("a\xFFz"), std::string("a\xC0\xAFz"),
                                   std::string("a\xED\xA0\x80z"), std::string("a\xE2\x82z")}) {
        std::string out;
        certkeep::report::appendJsonString(out, bad);
        auto parsed = nlohmann::json::parse(out); // valid JSON whatever came in
        auto text = parsed.get<std::string>();
        CHECK(text.front() == 'a');
        CHECK(text.back() == 'z');
        CHECK(text.find("\xEF\xBF\xBD") != std::string::npos);
    }
}
