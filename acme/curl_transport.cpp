#include "acme/curl_transport.hpp"

#include <cctype>
#include <curl/curl.h>
#include <fstream>
#include <mutex>

namespace certkeep::acme {

namespace {

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

struct Sink {
    HttpResponse* response;
    std::size_t limit;
    bool overflow = false;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    std::size_t n = size * count;
    if (sink->response->body.size() + n > sink->limit) {
        sink->overflow = true;
        return 0; // aborts the transfer with CURLE_WRITE_ERROR
    }
    sink->response->body.append(data, n);
    return n;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    std::size_t n = size * count;
    std::string line(data, n);
    if (line.rfind("HTTP/", 0) == 0) {
        sink->response->headers.clear(); // a new response (after 100-continue)
        return n;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string::npos || sink->response->headers.size() > 200) {
        return n;
    }
    std::string name = line.substr(0, colon);
    for (auto& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.erase(0, 1);
    }
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
        value.pop_back();
    }
    sink->response->headers.emplace_back(std::move(name), std::move(value));
    return n;
}

// Maps a libcurl failure to an error the operator can act on.
Error curlError(CURLcode code, const std::string& url, const char* detail,
                const std::string& caBundle) {
    std::string why = detail[0] != '\0' ? detail : curl_easy_strerror(code);
    switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return makeError(
            ErrorKind::Tls,
            "the TLS certificate of " + url + " does not verify (" + why + "); " +
                (caBundle.empty()
                     ? "for a private CA pass its root with --ca-bundle FILE"
                     : "check that --ca-bundle " + caBundle + " holds the server's CA"));
    case CURLE_OPERATION_TIMEDOUT:
        return makeError(ErrorKind::Network, "timed out talking to " + url + " (" + why + ")");
    default:
        return makeError(ErrorKind::Network, "cannot reach " + url + ": " + why +
                                                 "; check the --server URL and the network");
    }
}

class CurlTransport : public Transport {
  public:
    CurlTransport(CurlPtr handle, CurlOptions options)
        : handle_(std::move(handle)), options_(std::move(options)) {}

    Result<HttpResponse> send(const HttpRequest& request) override {
        CURL* c = handle_.get();
        curl_easy_reset(c);
        HttpResponse response;
        Sink sink{&response, options_.maxBodyBytes};
        char errbuf[CURL_ERROR_SIZE] = {0};
        SlistPtr headers = buildHeaders(request);
        curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!options_.caBundle.empty()) {
            curl_easy_setopt(c, CURLOPT_CAINFO, options_.caBundle.c_str());
        }
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options_.connectTimeoutSeconds);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, options_.totalTimeoutSeconds);
        curl_easy_setopt(c, CURLOPT_USERAGENT, options_.userAgent.c_str());
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
        if (request.method == "HEAD") {
            curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else if (request.method == "POST") {
            curl_easy_setopt(c, CURLOPT_POST, 1L);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
        }
        CURLcode rc = curl_easy_perform(c);
        if (sink.overflow) {
            return fail(ErrorKind::Protocol,
                        "the response from " + request.url + " is larger than " +
                            std::to_string(options_.maxBodyBytes) + " bytes; refusing it");
        }
        if (rc != CURLE_OK) {
            return fail(curlError(rc, request.url, errbuf, options_.caBundle));
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
        return response;
    }

  private:
    static SlistPtr buildHeaders(const HttpRequest& request) {
        curl_slist* list = nullptr;
        if (!request.contentType.empty()) {
            list = curl_slist_append(list, ("Content-Type: " + request.contentType).c_str());
        }
        if (!request.accept.empty()) {
            list = curl_slist_append(list, ("Accept: " + request.accept).c_str());
        }
        list = curl_slist_append(list, "Expect:"); // no 100-continue round trip
        return SlistPtr(list);
    }

    CurlPtr handle_;
    CurlOptions options_;
};

} // namespace

Result<TransportPtr> makeCurlTransport(const CurlOptions& options) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (!options.caBundle.empty()) {
        std::ifstream probe(options.caBundle);
        if (!probe) {
            return fail(ErrorKind::Config, "cannot read CA bundle " + options.caBundle +
                                               ": check the --ca-bundle path");
        }
    }
    CurlPtr handle(curl_easy_init());
    if (!handle) {
        return fail(ErrorKind::Internal, "libcurl could not create a handle");
    }
    return TransportPtr(std::make_unique<CurlTransport>(std::move(handle), options));
}

} // namespace certkeep::acme
