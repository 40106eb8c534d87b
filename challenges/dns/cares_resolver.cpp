// The c-ares Resolver: every question of a batch is sent at once (one channel per distinct
// server) and one poll() loop drives them all until they are answered or the timeout passes.

#include "challenges/dns/cares_channel.hpp"
#include "challenges/dns/dns_message.hpp"
#include "challenges/dns/unreachable.hpp"

#include <algorithm>
#include <cerrno>
#include <deque>
#include <map>
#include <poll.h>

namespace certkeep::challenges::dns {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// One question in flight and where its result goes (addresses stay put: kept in a deque).
struct Pending {
    const Question* question = nullptr;
    Result<Answer>* out = nullptr;
    std::string server; // as named in messages
    std::chrono::milliseconds timeout{};
    bool done = false;
};

// The error for a c-ares status other than success.
Error statusError(int status, const std::string& server, std::chrono::milliseconds timeout) {
    switch (status) {
    case ARES_ETIMEOUT:
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
        return noReplyError(server, timeout);
    case ARES_ECONNREFUSED:
        return unreachableError(server, "connection refused");
    default:
        return unreachableError(server, ares_strerror(status));
    }
}

// c-ares callback: parses the reply into the question's result.
void onReply(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    auto* pending = static_cast<Pending*>(arg);
    pending->done = true;
    if (status != ARES_SUCCESS || abuf == nullptr || alen < 0) {
        *pending->out = statusError(status, pending->server, pending->timeout);
        return;
    }
    auto answer = parseReply(abuf, static_cast<std::size_t>(alen), pending->question->name,
                             pending->question->type);
    if (!answer) {
        *pending->out = std::move(answer).error().context("from " + pending->server);
        return;
    }
    *pending->out = std::move(answer);
}

// The sockets c-ares wants watched, and which channel each belongs to.
struct Watch {
    std::vector<pollfd> fds;
    std::vector<CaresChannel*> owners;
};

// One ask(): channels by server, the questions in flight, and the loop that drives them.
class Batch {
  public:
    explicit Batch(std::chrono::milliseconds timeout)
        : timeout_(timeout), random_(std::random_device{}()) {}

    // Sends `question`, whose result lands in `out` (now when it fails at once).
    void send(const Question& question, Result<Answer>& out) {
        auto channel = channelFor(question.server);
        if (!channel) {
            out = std::move(channel).error();
            return;
        }
        unsigned char* query = nullptr;
        int length = 0;
        int status =
            ares_create_query(question.name.c_str(), 1 /* IN */, recordTypeCode(question.type),
                              freshQueryId(**channel, random_), question.recursionDesired ? 1 : 0,
                              &query, &length, 0);
        if (status != ARES_SUCCESS) {
            out = fail(ErrorKind::Usage, "cannot ask for " + recordTypeName(question.type) +
                                             " of \"" + question.name +
                                             "\": " + ares_strerror(status));
            return;
        }
        auto& pending =
            pending_.emplace_back(Pending{&question, &out, (*channel)->label, timeout_, false});
        ares_send((*channel)->handle.get(), query, length, onReply, &pending);
        ares_free_string(query);
    }

    // Drives every channel until all questions are answered or `deadline` passes; questions
    // still open then are cancelled (their result: no answer within the timeout).
    void run(SteadyTime deadline) {
        while (!allDone()) {
            auto now = std::chrono::steady_clock::now();
            if (now >= deadline) {
                break;
            }
            Watch watch = collect();
            int waitMs = waitFor(deadline - now);
            int ready = ::poll(watch.fds.data(), watch.fds.size(), waitMs);
            if (ready < 0 && errno != EINTR) {
                break;
            }
            dispatch(watch);
        }
        for (auto& [key, channel] : channels_) {
            ares_cancel(channel.handle.get());
        }
    }

  private:
    // The channel for `server`, opened on first use; a route check first, so an address
    // family this host cannot reach fails at once with the reason.
    Result<CaresChannel*> channelFor(const std::optional<ServerAddress>& server) {
        std::string key = server ? formatServerAddress(*server) : std::string();
        if (auto it = channels_.find(key); it != channels_.end()) {
            return &it->second;
        }
        if (auto it = broken_.find(key); it != broken_.end()) {
            return it->second;
        }
        if (server) {
            if (auto problem = routeProblem(*server)) {
                return broken_.emplace(key, unreachableError(key, *problem)).first->second;
            }
        }
        auto channel = openChannel(server, timeout_);
        if (!channel) {
            return broken_.emplace(key, std::move(channel).error()).first->second;
        }
        return &channels_.emplace(key, std::move(*channel)).first->second;
    }

    [[nodiscard]] bool allDone() const {
        return std::all_of(pending_.begin(), pending_.end(),
                           [](const Pending& p) { return p.done; });
    }

    // Every socket of every channel with the events c-ares waits for.
    Watch collect() {
        Watch watch;
        for (auto& [key, channel] : channels_) {
            ares_socket_t socks[ARES_GETSOCK_MAXNUM];
            int bits = ares_getsock(channel.handle.get(), socks, ARES_GETSOCK_MAXNUM);
            for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
                short events = 0;
                if (ARES_GETSOCK_READABLE(bits, i)) {
                    events |= POLLIN;
                }
                if (ARES_GETSOCK_WRITABLE(bits, i)) {
                    events |= POLLOUT;
                }
                if (events != 0) {
                    watch.fds.push_back(pollfd{socks[i], events, 0});
                    watch.owners.push_back(&channel);
                }
            }
        }
        return watch;
    }

    // Milliseconds until the first c-ares retry is due, at most `left` (rounded up).
    int waitFor(std::chrono::steady_clock::duration left) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(left).count();
        timeval max{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
        timeval shortest = max;
        for (auto& [key, channel] : channels_) {
            timeval tv{};
            timeval* next = ares_timeout(channel.handle.get(), &shortest, &tv);
            if (next != nullptr) {
                shortest = *next;
            }
        }
        return static_cast<int>(shortest.tv_sec * 1000 + (shortest.tv_usec + 999) / 1000);
    }

    // Hands ready sockets to their channels, then lets every channel handle its timeouts.
    void dispatch(const Watch& watch) {
        for (std::size_t i = 0; i < watch.fds.size(); ++i) {
            const pollfd& fd = watch.fds[i];
            bool readable = (fd.revents & (POLLIN | POLLERR | POLLHUP)) != 0;
            bool writable = (fd.revents & POLLOUT) != 0;
            if (readable || writable) {
                ares_process_fd(watch.owners[i]->handle.get(), readable ? fd.fd : ARES_SOCKET_BAD,
                                writable ? fd.fd : ARES_SOCKET_BAD);
            }
        }
        for (auto& [key, channel] : channels_) {
            ares_process_fd(channel.handle.get(), ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        }
    }

    std::chrono::milliseconds timeout_;
    std::mt19937 random_;
    std::deque<Pending> pending_;                  // before channels_: outlives their callbacks
    std::map<std::string, Error> broken_;          // servers that cannot be asked, and why
    std::map<std::string, CaresChannel> channels_; // "" = the system's resolvers
};

class CaresResolver : public Resolver {
  public:
    // Thread-safe: every call builds its own channels and shares nothing.
    std::vector<Result<Answer>> ask(const std::vector<Question>& questions,
                                    std::chrono::milliseconds timeout) override {
        std::vector<Result<Answer>> results(
            questions.size(), Result<Answer>(makeError(ErrorKind::Internal, "not asked")));
        auto deadline = std::chrono::steady_clock::now() + timeout;
        Batch batch(timeout);
        for (std::size_t i = 0; i < questions.size(); ++i) {
            batch.send(questions[i], results[i]);
        }
        batch.run(deadline);
        return results;
    }
};

} // namespace

Result<ResolverPtr> makeCaresResolver() {
    static const int initialized = ares_library_init(ARES_LIB_INIT_ALL); // once per process
    if (initialized != ARES_SUCCESS) {
        return fail(ErrorKind::Local, std::string("cannot start the DNS client (c-ares): ") +
                                          ares_strerror(initialized));
    }
    return ResolverPtr(std::make_unique<CaresResolver>());
}

} // namespace certkeep::challenges::dns
