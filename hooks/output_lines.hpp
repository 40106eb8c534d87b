#pragma once
// A hook's output as lines for certkeep's log: split, made printable, cut when very long,
// prefixed with the hook's name; the last few kept for error messages.

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

namespace certkeep::hooks {

class OutputLines {
  public:
    static constexpr std::size_t kMaxLine = 1000; // longer lines are cut and marked " [...]"
    static constexpr std::size_t kTailLines = 10; // lines kept for tail()
    static constexpr std::size_t kTailBytes = 2048;

    // `sink` receives each line with `prefix` in front; it may be empty (tail only).
    OutputLines(std::string prefix, std::function<void(const std::string&)> sink);

    // Bytes as read from the hook's pipe, split anywhere.
    void feed(std::string_view bytes);
    // End of output: a partial last line is delivered.
    void finish();
    // The last non-empty lines (without prefix), joined by '\n'.
    [[nodiscard]] std::string tail() const;

  private:
    void emit();

    std::string prefix_;
    std::function<void(const std::string&)> sink_;
    std::string current_;
    bool cut_ = false;     // the current line lost bytes past kMaxLine
    bool pending_ = false; // something (even "") has been fed since the last newline
    std::deque<std::string> tail_;
    std::size_t tailBytes_ = 0;
};

} // namespace certkeep::hooks
