#pragma once
// A small streaming JSON writer for documents of thousands of objects (status --json over
// 10,000 certificates): appends to one string, no DOM. Pretty-printed with 2 spaces, the way
// nlohmann::json::dump(2) prints. Strings are escaped (RFC 8259 §7); invalid UTF-8 from the
// store or a server becomes U+FFFD, never an error.

#include <string>
#include <string_view>
#include <vector>

namespace certkeep::report {

class JsonWriter {
  public:
    explicit JsonWriter(std::string& out) : out_(out) {}
    void beginArray();
    void endArray();
    void beginObject();
    void endObject();
    // The key of the next member of the object being written.
    void key(std::string_view name);
    void string(std::string_view text);
    void number(long long value);
    void boolean(bool value);
    void null();
    void strings(const std::vector<std::string>& items); // an array of strings

  private:
    void beforeValue();
    void newline();
    std::string& out_;
    std::vector<bool> empty_; // per open container: nothing written in it yet
    bool afterKey_ = false;
};

// Appends `text` as a JSON string literal (quotes included).
void appendJsonString(std::string& out, std::string_view text);

} // namespace certkeep::report
