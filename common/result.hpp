#pragma once
// Result<T>: the one error style on every runtime path (shaped like std::expected).

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace certkeep {

// What went wrong, coarse enough to map to an exit code (see cli/exit_codes.hpp).
enum class ErrorKind {
    Usage,       // bad flags, domains, key types: the operator must change the command
    Config,      // local files and directories: state dir, CA bundle, webroot
    Io,          // a read/write/rename on disk failed
    Network,     // cannot reach the server: DNS, connect, timeout, TLS handshake
    Tls,         // the server certificate does not verify against the trusted CAs
    Protocol,    // the server answered something that is not valid ACME
    Acme,        // the server returned an ACME problem document
    Validation,  // a challenge was judged invalid by the CA
    RateLimited, // the CA refused because of a rate limit
    Timeout,     // an overall deadline ran out (polling)
    Crypto,      // OpenSSL failed
    Local,       // a local resource is unavailable (port in use, lock held)
    NotFound,    // a thing that was looked up does not exist
    Internal,    // a bug
};

// RFC 8555 §6.7.1 subproblem.
struct Subproblem {
    std::string type;
    std::string detail;
    std::string identifier; // the identifier value, e.g. "www.example.com"
};

// RFC 7807 / RFC 8555 §6.7 problem document, as received.
struct Problem {
    std::string type; // full URN, e.g. "urn:ietf:params:acme:error:badNonce"
    std::string detail;
    int status = 0;
    std::vector<Subproblem> subproblems;
    std::string url;                       // the request URL that produced it
    std::optional<long> retryAfterSeconds; // from the Retry-After header

    // The short type without the "urn:ietf:params:acme:error:" prefix.
    [[nodiscard]] std::string shortType() const { return shortTypeOf(type); }

    // The same for any problem type URN (subproblems carry their own).
    static std::string shortTypeOf(const std::string& urn) {
        static constexpr std::string_view prefix = "urn:ietf:params:acme:error:";
        if (urn.rfind(prefix, 0) == 0) {
            return urn.substr(prefix.size());
        }
        return urn;
    }
};

struct Error {
    ErrorKind kind = ErrorKind::Internal;
    std::string message;            // one line, human words, with context
    std::optional<Problem> problem; // when the server sent one

    // Prefix the message with context: "ordering cert: <message>".
    Error&& context(const std::string& what) && {
        message = what + ": " + message;
        return std::move(*this);
    }
};

inline Error makeError(ErrorKind kind, std::string message) {
    return Error{kind, std::move(message), std::nullopt};
}

// Tag type so `return fail(...)` converts to any Result<T>.
struct Unexpected {
    Error error;
};
inline Unexpected fail(ErrorKind kind, std::string message) {
    return Unexpected{makeError(kind, std::move(message))};
}
inline Unexpected fail(Error e) {
    return Unexpected{std::move(e)};
}

template <typename T> class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}        // NOLINT
    Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {} // NOLINT
    Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}            // NOLINT

    [[nodiscard]] bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }
    Unexpected takeError() { return Unexpected{std::get<1>(std::move(v_))}; }

  private:
    std::variant<T, Error> v_;
};

template <> class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Unexpected u) : e_(std::move(u.error)) {} // NOLINT
    Result(Error e) : e_(std::move(e)) {}            // NOLINT

    [[nodiscard]] bool ok() const { return !e_.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const& { return *e_; }
    Error&& error() && { return std::move(*e_); }
    Unexpected takeError() { return Unexpected{std::move(*e_)}; }

  private:
    std::optional<Error> e_;
};

using Status = Result<void>;

} // namespace certkeep
