#include "challenges/dns01/pdns.hpp"

#include "challenges/dns01/pdns_rrset.hpp"
#include "common/file_trust.hpp"
#include "common/url.hpp"

#include <curl/curl.h>
#include <memory>
#include <mutex>

namespace certkeep::challenges::dns01 {

namespace {

// A zone document holds every RRset of the zone; 16 MiB is far beyond any zone that takes
// ACME challenges and keeps a hostile server from filling memory.
constexpr std::size_t maxBodyBytes = std::size_t{16} * 1024 * 1024;

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
    void operator()(char* s) const { curl_free(s); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, CurlDeleter>;
using CurlString = std::unique_ptr<char, CurlDeleter>;

struct HttpReply {
    long status = 0;
    std::string body;
    bool overflow = false;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
    auto* reply = static_cast<HttpReply*>(user);
    std::size_t n = size * count;
    if (reply->body.size() + n > maxBodyBytes) {
        reply->overflow = true;
        return 0; // aborts the transfer
    }
    reply->body.append(data, n);
    return n;
}

// "127.0.0.1:8081" from "http://127.0.0.1:8081/...": the server as messages name it.
std::string hostOf(const std::string& url) {
    std::string rest = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    std::size_t at = rest.rfind('@');
    return displayUrl(at == std::string::npos ? rest : rest.substr(at + 1));
}

std::string reason(long status) {
    switch (status) {
    case 401:
        return "401 Unauthorized";
    case 403:
        return "403 Forbidden";
    case 404:
        return "404 Not Found";
    case 422:
        return "422 Unprocessable Entity";
    default:
        return std::to_string(status);
    }
}

class PdnsRequest {
  public:
    PdnsRequest(const PdnsOptions& options, std::string host)
        : options_(options), host_(std::move(host)) {}

    // One API call; the API key goes in the X-API-Key header only, never in a message.
    Result<HttpReply> send(const std::string& method, const std::string& url,
                           const std::string& body) const {
        CurlPtr handle(curl_easy_init());
        if (!handle) {
            return fail(ErrorKind::Internal, "pdns: libcurl could not create a handle");
        }
        CURL* c = handle.get();
        curl_slist* list = curl_slist_append(nullptr, ("X-API-Key: " + options_.apiKey).c_str());
        list = curl_slist_append(list, "Content-Type: application/json");
        list = curl_slist_append(list, "Accept: application/json");
        SlistPtr headers(list);
        HttpReply reply;
        char errbuf[CURL_ERROR_SIZE] = {0};
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (!options_.caBundle.empty()) {
            curl_easy_setopt(c, CURLOPT_CAINFO, options_.caBundle.c_str());
        }
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
        if (method != "GET") {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        }
        CURLcode rc = curl_easy_perform(c);
        if (reply.overflow) {
            return fail(ErrorKind::Protocol, "pdns: the answer of " + host_ + " is larger than " +
                                                 std::to_string(maxBodyBytes) + " bytes");
        }
        if (rc != CURLE_OK) {
            std::string why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
            return fail(ErrorKind::Network,
                        "pdns: cannot reach " + host_ + ": " + why + "; check --pdns-url");
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
        return reply;
    }

  private:
    const PdnsOptions& options_;
    std::string host_;
};

// An API error naming the server, the zone and what to check. `reading`: the GET of the zone
// (a 404/422 there means the zone is not found; on the PATCH, 422 means the change is invalid).
Error apiError(const HttpReply& reply, const std::string& host, const std::string& zone,
               const PdnsOptions& options, bool reading) {
    std::string text = pdnsErrorText(reply.body);
    std::string detail = text.empty() ? "" : " (" + text + ")";
    std::string head = "pdns: " + host + " answered " + reason(reply.status);
    switch (reply.status) {
    case 401:
    case 403:
        return makeError(ErrorKind::Config, head + ": check --pdns-api-key-file");
    case 404:
    case 422:
        if (!reading && reply.status == 422) {
            return makeError(ErrorKind::Config, head + " for the change in zone " + zone + detail +
                                                    ": check that the name lies in that zone");
        }
        return makeError(ErrorKind::Config, head + " for zone " + zone + detail +
                                                ": check that server " + options.serverId +
                                                " holds the zone (--pdns-server-id)");
    default:
        return makeError(ErrorKind::Protocol, head + " for zone " + zone + detail);
    }
}

std::string escaped(const std::string& text) {
    CurlString out(curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size())));
    return out ? std::string(out.get()) : std::string();
}

} // namespace

Result<std::string> loadApiKeyFile(const std::string& path) {
    auto text = readSecretFile(path, "PowerDNS API key", true);
    if (!text) {
        return text.takeError();
    }
    std::string key = text->substr(0, text->find_first_of("\r\n"));
    std::size_t first = key.find_first_not_of(" \t");
    std::size_t last = key.find_last_not_of(" \t");
    if (first == std::string::npos) {
        return fail(ErrorKind::Config, "PowerDNS API key " + path + " has an empty first line");
    }
    return key.substr(first, last - first + 1);
}

PdnsProvider::PdnsProvider(PdnsOptions options) : options_(std::move(options)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    while (!options_.url.empty() && options_.url.back() == '/') {
        options_.url.pop_back();
    }
}

Status PdnsProvider::present(const TxtRecord& record) {
    return change(record, true);
}

Status PdnsProvider::cleanup(const TxtRecord& record) {
    return change(record, false);
}

// Read the TXT RRset, then PATCH it back with the value added or removed. The two steps are
// not atomic on the server: the lock keeps this process's own changes (apex and wildcard at
// one name) from overwriting each other.
Status PdnsProvider::change(const TxtRecord& record, bool add) {
    if (record.zone.empty()) {
        return fail(ErrorKind::Internal, "pdns: no zone is known for " + record.fqdn +
                                             " (it must be found from the SOA first)");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    std::string host = hostOf(options_.url);
    std::string zone = pdnsName(record.zone);
    std::string name = pdnsName(record.fqdn);
    std::string zoneUrl =
        options_.url + "/api/v1/servers/" + escaped(options_.serverId) + "/zones/" + escaped(zone);
    PdnsRequest api(options_, host);
    // rrset_name/rrset_type narrow the answer to this RRset (PowerDNS 4.7 does); a server
    // that ignores them sends the whole zone, which findTxtRrset reads as well.
    auto got = api.send("GET", zoneUrl + "?rrset_name=" + escaped(name) + "&rrset_type=TXT", "");
    if (!got) {
        return got.takeError();
    }
    if (got->status != 200) {
        return fail(apiError(*got, host, record.zone, options_, true));
    }
    auto current = findTxtRrset(got->body, name);
    if (!current) {
        return fail(std::move(current).error().context("pdns: the zone " + record.zone + " from " +
                                                       host + " cannot be read"));
    }
    auto body = txtPatchBody(*current, name, record.value, add, options_.ttl);
    if (!body) {
        return {};
    }
    auto patched = api.send("PATCH", zoneUrl, *body);
    if (!patched) {
        return patched.takeError();
    }
    if (patched->status != 204 && patched->status != 200) {
        return fail(apiError(*patched, host, record.zone, options_, false));
    }
    return {};
}

} // namespace certkeep::challenges::dns01
