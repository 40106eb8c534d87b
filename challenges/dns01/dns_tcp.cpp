#include "challenges/dns01/dns_tcp.hpp"

#include "challenges/unique_fd.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

namespace certkeep::challenges::dns01 {

namespace {

using Clock = std::chrono::steady_clock;

std::string describe(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) {
        return std::to_string(d.count() / 1000) + "s";
    }
    return std::to_string(d.count()) + "ms";
}

// The socket address of an IP literal; false when `ip` is not one.
bool toSockaddr(const dns::ServerAddress& server, sockaddr_storage& ss, socklen_t& len) {
    ss = {};
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    if (::inet_pton(AF_INET, server.ip.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(server.port);
        len = sizeof(sockaddr_in);
        return true;
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (::inet_pton(AF_INET6, server.ip.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(server.port);
        len = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

class Exchange {
  public:
    Exchange(const dns::ServerAddress& server, std::chrono::milliseconds timeout)
        : name_(dns::formatServerAddress(server)), timeout_(timeout),
          deadline_(Clock::now() + timeout) {}

    Status connect(const dns::ServerAddress& server) {
        sockaddr_storage ss{};
        socklen_t len = 0;
        if (!toSockaddr(server, ss, len)) {
            return fail(ErrorKind::Usage, "DNS server " + server.ip + " is not an IP address");
        }
        fd_.reset(::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd_.valid()) {
            return networkError("cannot open a socket", errno);
        }
        if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&ss), len) == 0) {
            return {};
        }
        if (errno != EINPROGRESS) {
            return networkError("cannot connect", errno);
        }
        if (auto st = wait(POLLOUT, "no connection to "); !st) {
            return st;
        }
        int err = 0;
        socklen_t errLen = sizeof err;
        if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &errLen) != 0) {
            err = errno;
        }
        return err == 0 ? Status{} : networkError("cannot connect", err);
    }

    // The query with its length prefix, in as many writes as the socket takes.
    Status send(const std::vector<uint8_t>& query) {
        std::vector<uint8_t> framed{static_cast<uint8_t>(query.size() >> 8),
                                    static_cast<uint8_t>(query.size() & 0xff)};
        framed.insert(framed.end(), query.begin(), query.end());
        std::size_t sent = 0;
        while (sent < framed.size()) {
            ssize_t n = ::send(fd_.get(), framed.data() + sent, framed.size() - sent, MSG_NOSIGNAL);
            if (n > 0) {
                sent += static_cast<std::size_t>(n);
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                return networkError("cannot send the update", errno);
            } else if (auto st = wait(POLLOUT, "no answer from "); !st) {
                return st;
            }
        }
        return {};
    }

    Result<std::vector<uint8_t>> receive() {
        std::vector<uint8_t> prefix(2);
        if (auto st = readExactly(prefix); !st) {
            return st.takeError();
        }
        std::vector<uint8_t> message((static_cast<std::size_t>(prefix[0]) << 8) | prefix[1]);
        if (auto st = readExactly(message); !st) {
            return st.takeError();
        }
        return message;
    }

  private:
    Status readExactly(std::vector<uint8_t>& buf) {
        std::size_t got = 0;
        while (got < buf.size()) {
            ssize_t n = ::recv(fd_.get(), buf.data() + got, buf.size() - got, 0);
            if (n > 0) {
                got += static_cast<std::size_t>(n);
            } else if (n == 0) {
                return fail(ErrorKind::Network, name_ + " closed the connection before answering");
            } else if (errno != EAGAIN && errno != EINTR) {
                return networkError("cannot read the answer", errno);
            } else if (auto st = wait(POLLIN, "no answer from "); !st) {
                return st;
            }
        }
        return {};
    }

    // Waits for `events` until the deadline of the whole exchange; `late` starts the message.
    Status wait(short events, const char* late) {
        while (true) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
            if (left.count() <= 0) {
                return fail(ErrorKind::Network, late + name_ + " within " + describe(timeout_));
            }
            pollfd p{fd_.get(), events, 0};
            int rc = ::poll(&p, 1, static_cast<int>(left.count()));
            if (rc > 0) {
                return {};
            }
            if (rc < 0 && errno != EINTR) {
                return networkError("cannot wait for the server", errno);
            }
        }
    }

    Status networkError(const std::string& what, int err) const {
        if (err == ECONNREFUSED) {
            return fail(ErrorKind::Network,
                        name_ + " refused the connection (is the DNS server running and "
                                "listening on TCP at that address?)");
        }
        return fail(ErrorKind::Network, what + " to " + name_ + ": " + std::strerror(err));
    }

    std::string name_;
    std::chrono::milliseconds timeout_;
    Clock::time_point deadline_;
    UniqueFd fd_;
};

} // namespace

Result<std::vector<uint8_t>> exchangeTcp(const dns::ServerAddress& server,
                                         const std::vector<uint8_t>& query,
                                         std::chrono::milliseconds timeout) {
    if (query.size() > 0xffff) {
        return fail(ErrorKind::Internal, "DNS message too large for TCP");
    }
    Exchange exchange(server, timeout);
    if (auto st = exchange.connect(server); !st) {
        return st.takeError();
    }
    if (auto st = exchange.send(query); !st) {
        return st.takeError();
    }
    return exchange.receive();
}

} // namespace certkeep::challenges::dns01
