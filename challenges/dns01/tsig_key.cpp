// BIND key files (`tsig-keygen -a hmac-sha256 NAME`, read by `nsupdate -k` and named.conf):
//   key "NAME" { algorithm hmac-sha256; secret "base64"; };
// with #, // and /* */ comments. Messages name the file and line, never the secret.
#include "challenges/dns01/rfc2136.hpp"
#include "common/file_trust.hpp"

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <vector>

namespace certkeep::challenges::dns01 {

namespace {

constexpr std::size_t maxKeyFileBytes = std::size_t{64} * 1024;

struct Token {
    enum Kind { Word, Quoted, Punct } kind = Word;
    std::string text;
    int line = 1;
};

// Skips a comment starting at text[i] if there is one; false when text[i] starts none.
bool skipComment(const std::string& text, std::size_t& i, int& line) {
    bool hash = text[i] == '#';
    bool slashes = text.compare(i, 2, "//") == 0;
    if (hash || slashes) {
        while (i < text.size() && text[i] != '\n') {
            ++i;
        }
        return true;
    }
    if (text.compare(i, 2, "/*") != 0) {
        return false;
    }
    std::size_t end = text.find("*/", i + 2);
    std::size_t stop = end == std::string::npos ? text.size() : end + 2;
    for (; i < stop; ++i) {
        line += text[i] == '\n' ? 1 : 0;
    }
    return true;
}

// Splits named.conf syntax into words, "quoted strings" and the punctuation { } ;.
Result<std::vector<Token>> tokenize(const std::string& text, const std::string& source) {
    std::vector<Token> tokens;
    int line = 1;
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == '\n') {
            ++line;
            ++i;
        } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            ++i;
        } else if (skipComment(text, i, line)) {
            continue;
        } else if (c == '{' || c == '}' || c == ';') {
            tokens.push_back({Token::Punct, std::string(1, c), line});
            ++i;
        } else if (c == '"') {
            std::size_t end = text.find_first_of("\"\n", i + 1);
            if (end == std::string::npos || text[end] != '"') {
                return fail(ErrorKind::Config, "TSIG key file " + source + " line " +
                                                   std::to_string(line) +
                                                   ": unterminated quoted string");
            }
            tokens.push_back({Token::Quoted, text.substr(i + 1, end - i - 1), line});
            i = end + 1;
        } else {
            std::size_t end = text.find_first_of(" \t\r\n{};\"#", i);
            end = end == std::string::npos ? text.size() : end;
            tokens.push_back({Token::Word, text.substr(i, end - i), line});
            i = end;
        }
    }
    return tokens;
}

std::string lower(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

// The algorithms ldns 1.8.3 can sign with (its table misspells hmac-sha384, and has no
// hmac-sha224), by the names BIND writes.
std::optional<std::string> supportedAlgorithm(const std::string& name) {
    std::string n = lower(name);
    if (!n.empty() && n.back() == '.') {
        n.pop_back();
    }
    static constexpr std::array<const char*, 3> known = {"hmac-sha256", "hmac-sha512", "hmac-sha1"};
    for (const char* k : known) {
        if (n == k) {
            return n;
        }
    }
    return std::nullopt;
}

// Standard base64 with padding (RFC 4648 §4), whitespace removed; false otherwise.
bool normalizeBase64(std::string& s) {
    std::string out;
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c)) == 0) {
            out.push_back(c);
        }
    }
    if (out.empty() || out.size() % 4 != 0) {
        return false;
    }
    std::size_t pad = out.find('=');
    if (pad != std::string::npos &&
        (out.size() - pad > 2 || out.find_first_not_of('=', pad) != std::string::npos)) {
        return false;
    }
    for (std::size_t i = 0; i < (pad == std::string::npos ? out.size() : pad); ++i) {
        char c = out[i];
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '/') {
            return false;
        }
    }
    s = std::move(out);
    return true;
}

class KeyParser {
  public:
    KeyParser(std::vector<Token> tokens, std::string source)
        : tokens_(std::move(tokens)), source_(std::move(source)) {}

    // key NAME { (algorithm ALG; | secret "S";)* };  -- exactly one key statement.
    Result<TsigKey> parse() {
        if (tokens_.empty()) {
            return error(0, "holds no key statement (expected the output of tsig-keygen)");
        }
        if (auto st = expectWord("key"); !st) {
            return st.takeError();
        }
        TsigKey key;
        if (pos_ >= tokens_.size() || tokens_[pos_].kind == Token::Punct) {
            return error(lineHere(), "the key has no name");
        }
        key.name = tokens_[pos_++].text;
        if (auto st = expectPunct("{"); !st) {
            return st.takeError();
        }
        if (auto st = parseBody(key); !st) {
            return st.takeError();
        }
        if (auto st = expectPunct(";"); !st) {
            return st.takeError();
        }
        if (pos_ < tokens_.size()) {
            return error(lineHere(), "holds more than one statement; give a file with one key");
        }
        return finish(std::move(key));
    }

  private:
    Status parseBody(TsigKey& key) {
        while (pos_ < tokens_.size() && tokens_[pos_].text != "}") {
            const Token& t = tokens_[pos_++];
            std::string word = t.kind == Token::Word ? lower(t.text) : "";
            if ((word != "algorithm" && word != "secret") || pos_ >= tokens_.size()) {
                return error(t.line, "expected `algorithm NAME;` or `secret \"BASE64\";`");
            }
            const Token& value = tokens_[pos_++];
            if (word == "secret" && value.kind != Token::Quoted) {
                return error(t.line, "the secret must be a quoted string");
            }
            if (value.kind == Token::Punct) {
                return error(t.line, "the algorithm has no name");
            }
            (word == "secret" ? key.secret : key.algorithm) = value.text;
            if (auto st = expectPunct(";"); !st) {
                return st;
            }
        }
        return expectPunct("}");
    }

    Result<TsigKey> finish(TsigKey key) {
        if (key.algorithm.empty()) {
            return error(0, "key " + key.name + " has no algorithm (use hmac-sha256)");
        }
        auto algorithm = supportedAlgorithm(key.algorithm);
        if (!algorithm) {
            return error(0, "key " + key.name + " uses algorithm " + key.algorithm +
                                ", which is not supported (hmac-sha256, hmac-sha512 or "
                                "hmac-sha1): make one with tsig-keygen -a hmac-sha256");
        }
        key.algorithm = *algorithm;
        if (key.secret.empty()) {
            return error(0, "key " + key.name + " has no secret");
        }
        if (!normalizeBase64(key.secret)) {
            return error(0, "the secret of key " + key.name + " is not valid base64");
        }
        return key;
    }

    Status expectWord(const char* word) {
        if (pos_ < tokens_.size() && tokens_[pos_].kind == Token::Word &&
            lower(tokens_[pos_].text) == word) {
            ++pos_;
            return {};
        }
        return error(lineHere(), std::string("expected `") + word + "`");
    }
    Status expectPunct(const char* p) {
        if (pos_ < tokens_.size() && tokens_[pos_].kind == Token::Punct &&
            tokens_[pos_].text == p) {
            ++pos_;
            return {};
        }
        return error(lineHere(), std::string("expected `") + p + "`");
    }
    [[nodiscard]] int lineHere() const {
        if (tokens_.empty()) {
            return 0;
        }
        return pos_ < tokens_.size() ? tokens_[pos_].line : tokens_.back().line;
    }
    // Token text is never quoted in messages: a malformed file may put the secret anywhere.
    Unexpected error(int line, const std::string& what) const {
        std::string where = "TSIG key file " + source_;
        if (line > 0) {
            where += " line " + std::to_string(line);
        }
        return fail(ErrorKind::Config, where + ": " + what);
    }

    std::vector<Token> tokens_;
    std::string source_;
    std::size_t pos_ = 0;
};

} // namespace

Result<TsigKey> parseTsigKey(const std::string& text, const std::string& source) {
    auto tokens = tokenize(text, source);
    if (!tokens) {
        return tokens.takeError();
    }
    return KeyParser(std::move(*tokens), source).parse();
}

Result<TsigKey> loadTsigKeyFile(const std::string& path) {
    if (auto st = checkTrustedFile(path, "TSIG key file"); !st) {
        return st.takeError();
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(ErrorKind::Config,
                    "TSIG key file " + path + " cannot be read: " + std::strerror(errno));
    }
    std::string text(maxKeyFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > maxKeyFileBytes) {
        return fail(ErrorKind::Config, "TSIG key file " + path + " is larger than " +
                                           std::to_string(maxKeyFileBytes) +
                                           " bytes: give the file tsig-keygen wrote");
    }
    return parseTsigKey(text, path);
}

} // namespace certkeep::challenges::dns01
