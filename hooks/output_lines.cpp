#include "hooks/output_lines.hpp"

#include <utility>

namespace certkeep::hooks {

namespace {

// Control characters (terminal escapes, stray CRs) become '?': the log stays one line per line.
std::string printable(std::string line) {
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    for (char& c : line) {
        auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) {
            c = '?';
        }
    }
    return line;
}

} // namespace

OutputLines::OutputLines(std::string prefix, std::function<void(const std::string&)> sink)
    : prefix_(std::move(prefix)), sink_(std::move(sink)) {}

void OutputLines::feed(std::string_view bytes) {
    while (!bytes.empty()) {
        auto newline = bytes.find('\n');
        std::string_view piece = bytes.substr(0, newline);
        pending_ = true;
        std::size_t room = kMaxLine - current_.size();
        if (piece.size() > room) {
            cut_ = true;
        }
        current_.append(piece.substr(0, room));
        if (newline == std::string_view::npos) {
            return;
        }
        emit();
        bytes.remove_prefix(newline + 1);
    }
}

void OutputLines::finish() {
    if (pending_) {
        emit();
    }
}

std::string OutputLines::tail() const {
    std::string out;
    for (const auto& line : tail_) {
        out += (out.empty() ? "" : "\n") + line;
    }
    return out;
}

void OutputLines::emit() {
    std::string line = printable(std::move(current_));
    if (cut_) {
        line += " [...]";
    }
    current_.clear();
    cut_ = false;
    pending_ = false;
    if (sink_) {
        sink_(prefix_ + line);
    }
    if (line.empty()) {
        return;
    }
    tailBytes_ += line.size();
    tail_.push_back(std::move(line));
    while (tail_.size() > kTailLines || (tailBytes_ > kTailBytes && tail_.size() > 1)) {
        tailBytes_ -= tail_.front().size();
        tail_.pop_front();
    }
}

} // namespace certkeep::hooks
