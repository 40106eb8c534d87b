#pragma once
// Test helpers for the standalone responder: one HTTP request per call (libcurl, fresh
// connection), a raw TCP connect, and whether this host has IPv6 on loopback.

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <cerrno>
#include <curl/curl.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace certkeep::testing {

struct Reply {
    CURLcode code = CURLE_OK;
    long status = 0;
    std::string body;
    std::string contentType;
};

inline size_t appendBody(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

inline void initCurl() {
    static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; // main thread
    REQUIRE(ready);
}

// GET (or HEAD) http://HOST:PORT/PATH; host is "127.0.0.1" or "[::1]".
inline Reply request(const std::string& host, int port, const std::string& path,
                     bool head = false) {
    Reply r;
    CURL* curl = curl_easy_init();
    std::string url = "http://" + host + ":" + std::to_string(port) + path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOBODY, head ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    r.code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    char* ct = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != nullptr) {
        r.contentType = ct;
    }
    curl_easy_cleanup(curl);
    return r;
}

inline Reply request(int port, const std::string& path, bool head = false) {
    return request("127.0.0.1", port, path, head);
}

// Connects to 127.0.0.1 (v6=false) or ::1 (v6=true); 0 when it connects, else the errno.
inline int connectErrno(bool v6, int port) {
    int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    int rc = 0;
    if (v6) {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_addr = in6addr_loopback;
        sa.sin6_port = htons(static_cast<uint16_t>(port));
        rc = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    } else {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sa.sin_port = htons(static_cast<uint16_t>(port));
        rc = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    }
    int err = rc == 0 ? 0 : errno;
    ::close(fd);
    return err;
}

// Whether ::1 can be bound here (a sandbox may have no IPv6 at all).
inline bool haveIpv6Loopback() {
    int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    return ok;
}

inline std::string challengePath(const std::string& token) {
    return "/.well-known/acme-challenge/" + token;
}

} // namespace certkeep::testing
