#pragma once
// A scripted DNS server on 127.0.0.1 (UDP and TCP on one free port) for testing the c-ares
// resolver: a handler builds each reply (or none, to stay silent), every query is recorded,
// and replies can be held back until several queries have arrived (proof they were in flight
// at once).

#include "challenges/dns/resolver.hpp"
#include "dns_wire.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace certkeep::testing {

class TestDnsServer {
  public:
    // Builds the reply to a query (`tcp`: it came over TCP); nullopt: no reply at all.
    using Handler = std::function<std::optional<std::string>(const WireQuery&, bool tcp)>;

    explicit TestDnsServer(Handler handler, std::size_t holdUntil = 0)
        : handler_(std::move(handler)), holdUntil_(holdUntil) {
        for (int attempt = 0; attempt < 20 && port_ == 0; ++attempt) {
            bindBoth();
        }
        REQUIRE(port_ != 0);
        thread_ = std::thread([this] { loop(); });
    }
    ~TestDnsServer() {
        stop_ = true;
        thread_.join();
        ::close(udp_);
        ::close(tcp_);
    }
    TestDnsServer(const TestDnsServer&) = delete;
    TestDnsServer& operator=(const TestDnsServer&) = delete;

    [[nodiscard]] challenges::dns::ServerAddress address() const { return {"127.0.0.1", port_}; }
    [[nodiscard]] std::vector<WireQuery> queries() const {
        std::lock_guard lock(mutex_);
        return queries_;
    }

  private:
    static sockaddr_in loopback(uint16_t port) {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sa;
    }

    // UDP on a free port, then TCP on the same number (retried by the caller when taken).
    void bindBoth() {
        udp_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa = loopback(0);
        socklen_t len = sizeof sa;
        REQUIRE(::bind(udp_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        REQUIRE(::getsockname(udp_, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
        tcp_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::bind(tcp_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
            ::listen(tcp_, 8) == 0) {
            port_ = ntohs(sa.sin_port);
            return;
        }
        ::close(udp_);
        ::close(tcp_);
    }

    void loop() {
        std::vector<std::pair<std::string, sockaddr_in>> held;
        while (!stop_) {
            pollfd fds[2] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
            if (::poll(fds, 2, 20) <= 0) {
                continue;
            }
            if ((fds[0].revents & POLLIN) != 0) {
                serveUdp(held);
            }
            if ((fds[1].revents & POLLIN) != 0) {
                serveTcp();
            }
        }
    }

    std::optional<std::string> handle(const std::string& msg, bool tcp) {
        WireQuery q;
        if (!parseQuery(msg, q)) {
            return std::nullopt;
        }
        {
            std::lock_guard lock(mutex_);
            queries_.push_back(q);
        }
        auto reply = handler_(q, tcp);
        if (reply && reply->size() >= 2) { // the reply carries the query's ID
            (*reply)[0] = msg[0];
            (*reply)[1] = msg[1];
        }
        return reply;
    }

    void serveUdp(std::vector<std::pair<std::string, sockaddr_in>>& held) {
        char buf[1500];
        sockaddr_in from{};
        socklen_t len = sizeof from;
        auto n = ::recvfrom(udp_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n <= 0) {
            return;
        }
        if (auto reply = handle(std::string(buf, static_cast<std::size_t>(n)), false)) {
            held.emplace_back(*reply, from);
        }
        if (queries().size() < holdUntil_) {
            return;
        }
        for (const auto& [bytes, to] : held) {
            ::sendto(udp_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                     sizeof to);
        }
        held.clear();
    }

    // One query per connection: 2-byte length, message; the reply framed the same way.
    void serveTcp() {
        int conn = ::accept4(tcp_, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) {
            return;
        }
        std::string data;
        char buf[4096];
        auto wanted = [&data] {
            return 2 + ((std::size_t{static_cast<unsigned char>(data[0])} << 8) |
                        static_cast<unsigned char>(data[1]));
        };
        while (data.size() < 2 || data.size() < wanted()) {
            pollfd fd{conn, POLLIN, 0};
            auto n = ::poll(&fd, 1, 1000) > 0 ? ::read(conn, buf, sizeof buf) : 0;
            if (n <= 0) {
                ::close(conn);
                return;
            }
            data.append(buf, static_cast<std::size_t>(n));
        }
        if (auto reply = handle(data.substr(2), true)) {
            std::string framed = u16(static_cast<uint16_t>(reply->size())) + *reply;
            [[maybe_unused]] auto sent = ::write(conn, framed.data(), framed.size());
        }
        ::close(conn);
    }

    Handler handler_;
    std::size_t holdUntil_;
    int udp_ = -1;
    int tcp_ = -1;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<WireQuery> queries_;
    std::thread thread_;
};

} // namespace certkeep::testing
