#include "hooks/output_lines.hpp"

#include <catch2/catch.hpp>
#include <vector>

using certkeep::hooks::OutputLines;

namespace {

struct Sink {
    std::vector<std::string> lines;
    std::function<void(const std::string&)> fn() {
        return [this](const std::string& l) { lines.push_back(l); };
    }
};

} // namespace

TEST_CASE("lines split across reads are joined and prefixed", "[hooks][output]") {
    Sink sink;
    OutputLines out("hook deploy reload: ", sink.fn());
    out.feed("fir");
    out.feed("st\nsec");
    out.feed("ond\r\nthird");
    out.finish();

    CHECK(sink.lines == std::vector<std::string>{"hook deploy reload: first",
                                                 "hook deploy reload: second",
                                                 "hook deploy reload: third"});
    CHECK(out.tail() == "first\nsecond\nthird");
}

TEST_CASE("finish without a partial line adds nothing", "[hooks][output]") {
    Sink sink;
    OutputLines out("p: ", sink.fn());
    out.feed("done\n");
    out.finish();
    CHECK(sink.lines == std::vector<std::string>{"p: done"});
}

TEST_CASE("a very long line is cut and marked", "[hooks][output]") {
    Sink sink;
    OutputLines out("p: ", sink.fn());
    out.feed(std::string(3000, 'x'));
    out.feed(std::string(3000, 'y') + "\nnext\n");

    REQUIRE(sink.lines.size() == 2);
    CHECK(sink.lines[0] == "p: " + std::string(OutputLines::kMaxLine, 'x') + " [...]");
    CHECK(sink.lines[1] == "p: next");
}

TEST_CASE("control characters cannot forge log lines or terminal escapes", "[hooks][output]") {
    Sink sink;
    OutputLines out("p: ", sink.fn());
    out.feed("a\x1b[31mred\rfake\ttab\n");
    CHECK(sink.lines == std::vector<std::string>{"p: a?[31mred?fake\ttab"});
}

TEST_CASE("tail keeps the last ten non-empty lines within 2 KiB", "[hooks][output]") {
    OutputLines out("p: ", nullptr);
    for (int i = 0; i < 25; ++i) {
        out.feed("line " + std::to_string(i) + "\n\n");
    }
    std::string tail = out.tail();
    CHECK(tail.rfind("line 15\n", 0) == 0);
    CHECK(tail.substr(tail.size() - 7) == "line 24");
    CHECK(std::count(tail.begin(), tail.end(), '\n') == 9);

    OutputLines big("p: ", nullptr);
    for (int i = 0; i < 10; ++i) {
        big.feed(std::string(900, static_cast<char>('a' + i)) + "\n");
    }
    CHECK(big.tail().size() <= OutputLines::kTailBytes);
    CHECK(big.tail().back() == 'j');
}
