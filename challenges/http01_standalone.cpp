// HTTP-01 (RFC 8555 §8.3) standalone responder on cpp-httplib: binds in start(), serves
// live tokens from a mutex-protected map on a background thread, stops on stop()/destruction.

#include "challenges/http01_standalone.hpp"

#include "challenges/bind_probe.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <sys/socket.h>
#include <thread>

// httplib.h includes OpenSSL headers (CPPHTTPLIB_OPENSSL_SUPPORT comes from its .pc);
// it compiles cleanly under OPENSSL_NO_DEPRECATED (0.11.4 split header).
#include <httplib.h>

namespace certkeep::challenges {

namespace {

constexpr std::string_view kChallengePrefix = "/.well-known/acme-challenge/";
constexpr size_t kWorkerThreads = 4; // Pebble validates from 3 perspectives at once
constexpr time_t kIoTimeoutSeconds = 5;

} // namespace

struct Http01Standalone::Impl {
    httplib::Server server;
    std::thread thread;
    std::mutex mutex; // guards tokens and stopped
    std::map<std::string, std::string> tokens;
    std::map<std::string, int> fetches; // successful fetches per live token
    std::chrono::steady_clock::time_point lastFetch;
    std::condition_variable fetched;
    ListenAddress addr;
    int port = 0;
    bool stopped = false;

    // The key authorization for a request path, if it names a live token.
    std::optional<std::string> lookup(const std::string& path) {
        if (path.rfind(kChallengePrefix, 0) != 0) {
            return std::nullopt;
        }
        std::lock_guard lock(mutex);
        auto it = tokens.find(path.substr(kChallengePrefix.size()));
        if (it == tokens.end()) {
            return std::nullopt;
        }
        ++fetches[it->first];
        lastFetch = std::chrono::steady_clock::now();
        fetched.notify_all();
        return it->second;
    }

    // RFC 8555 §8.3: 200 with the key authorization as the body; HEAD drops the body.
    void handle(const httplib::Request& req, httplib::Response& res) {
        if (auto keyAuth = lookup(req.path)) {
            res.status = 200;
            res.set_content(*keyAuth, "application/octet-stream");
            return;
        }
        res.status = 404;
        res.set_content("not found\n", "text/plain");
    }

    void configure();
    Status bind();
};

// One request per connection, short timeouts, a small pool; only GET/HEAD are routed.
void Http01Standalone::Impl::configure() {
    server.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
    server.set_read_timeout(kIoTimeoutSeconds, 0);
    server.set_write_timeout(kIoTimeoutSeconds, 0);
    server.set_keep_alive_max_count(1);
    // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let two responders share a port.
    server.set_socket_options([](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    server.Get(".*",
               [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty()) {
            res.set_content("not found\n", "text/plain");
        }
    });
}

// Binds synchronously; httplib does not report errno, so a failed bind is re-probed for it.
Status Http01Standalone::Impl::bind() {
    std::string host = addr.host.empty() ? "0.0.0.0" : addr.host;
    if (addr.port == 0) {
        port = server.bind_to_any_port(host);
    } else {
        port = server.bind_to_port(host, addr.port) ? addr.port : -1;
    }
    if (port > 0) {
        return {};
    }
    int savedErrno = errno;
    return fail(ErrorKind::Local, "cannot listen on " + formatListenAddress(addr) +
                                      " for HTTP-01: " + describeBindFailure(addr, savedErrno));
}

Result<std::unique_ptr<Http01Standalone>> Http01Standalone::start(const ListenAddress& addr) {
    auto impl = std::make_unique<Impl>();
    impl->addr = addr;
    impl->configure();
    if (auto st = impl->bind(); !st) {
        return st.takeError();
    }
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
    // httplib's stop() is a no-op until the loop runs; wait so stop() can never be lost.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!raw->server.is_running() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return std::make_unique<Http01Standalone>(std::move(impl));
}

Http01Standalone::Http01Standalone(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Http01Standalone::~Http01Standalone() {
    stop();
}

Status Http01Standalone::present(const std::string& domain, const std::string& token,
                                 const std::string& keyAuth) {
    if (!isValidToken(token)) {
        return fail(ErrorKind::Protocol, "server sent an invalid challenge token for " + domain);
    }
    std::lock_guard lock(impl_->mutex);
    impl_->tokens[token] = keyAuth;
    return {};
}

Status Http01Standalone::cleanup(const std::string& /*domain*/, const std::string& token) {
    std::lock_guard lock(impl_->mutex);
    impl_->tokens.erase(token);
    impl_->fetches.erase(token);
    return {};
}

// The CA fetches from several perspectives at once (Pebble: 3); once the first fetch is
// in, wait until no new one has come for kQuiet so that polling finds the result ready.
bool Http01Standalone::awaitFetch(const std::string& token, std::chrono::milliseconds timeout) {
    constexpr auto kQuiet = std::chrono::milliseconds(15);
    constexpr auto kMaxSettle = std::chrono::milliseconds(300);
    std::unique_lock lock(impl_->mutex);
    bool seen = impl_->fetched.wait_for(lock, timeout, [&] {
        auto it = impl_->fetches.find(token);
        return impl_->stopped || (it != impl_->fetches.end() && it->second > 0);
    });
    if (!seen || impl_->stopped) {
        return false;
    }
    auto settleEnd = std::chrono::steady_clock::now() + kMaxSettle;
    while (std::chrono::steady_clock::now() < settleEnd) {
        auto quietUntil = impl_->lastFetch + kQuiet;
        if (std::chrono::steady_clock::now() >= quietUntil) {
            break;
        }
        impl_->fetched.wait_until(lock, quietUntil);
    }
    return true;
}

// Closes the listening socket and joins the server thread; safe to call more than once.
void Http01Standalone::stop() {
    if (!impl_) {
        return;
    }
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->stopped) {
            return;
        }
        impl_->stopped = true;
    }
    impl_->server.stop();
    if (impl_->thread.joinable()) {
        impl_->thread.join();
    }
}

int Http01Standalone::port() const {
    return impl_->port;
}

} // namespace certkeep::challenges
