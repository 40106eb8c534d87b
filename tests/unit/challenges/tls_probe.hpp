#pragma once
// Test helpers for the TLS-ALPN-01 responder: an OpenSSL client that does what a CA's
// validation does (connect, offer ALPN with an SNI, take the certificate), and readers for
// the certificate's acmeIdentifier extension and subjectAltNames.

#include "challenges/tls_alpn01_cert.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <memory>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace certkeep::testing {

using challenges::tlsalpn::X509Ptr;

inline const std::string kAcme = "acme-tls/1";

// A TCP connection to 127.0.0.1:port (or [::1]:port) with 5 s I/O timeouts, or -1.
inline int connectTo(int port, bool v6 = false) {
    int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{5, 0};
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sockaddr_in6 sa6{};
    sa6.sin6_family = AF_INET6;
    sa6.sin6_port = htons(static_cast<uint16_t>(port));
    sa6.sin6_addr = in6addr_loopback;
    int rc = v6 ? ::connect(fd, reinterpret_cast<sockaddr*>(&sa6), sizeof sa6)
                : ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    if (rc != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// What a validating client sees. No Catch2 macros inside: called from several threads.
struct Handshake {
    bool connected = false;
    bool ok = false;
    std::string alpn;
    X509Ptr cert;
    bool closeNotify = false; // the server ended with close_notify right after the handshake
};

inline Handshake handshake(int port, const std::string& sni, const std::vector<std::string>& alpn,
                           int maxVersion = 0, bool v6 = false) {
    Handshake out;
    int fd = connectTo(port, v6);
    out.connected = fd >= 0;
    challenges::tlsalpn::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    challenges::tlsalpn::SslPtr ssl(SSL_new(ctx.get()));
    if (fd < 0 || !ssl ||
        (maxVersion != 0 && SSL_set_max_proto_version(ssl.get(), maxVersion) != 1)) {
        return out;
    }
    std::string wire;
    for (const auto& p : alpn) {
        wire += static_cast<char>(p.size()) + p;
    }
    if (!wire.empty()) {
        (void)SSL_set_alpn_protos(ssl.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                                  static_cast<unsigned>(wire.size()));
    }
    if (!sni.empty()) {
        (void)SSL_set_tlsext_host_name(ssl.get(), sni.c_str());
    }
    (void)SSL_set_fd(ssl.get(), fd);
    out.ok = SSL_connect(ssl.get()) == 1;
    if (out.ok) {
        const unsigned char* p = nullptr;
        unsigned len = 0;
        SSL_get0_alpn_selected(ssl.get(), &p, &len);
        out.alpn.assign(reinterpret_cast<const char*>(p), len);
        out.cert.reset(SSL_get1_peer_certificate(ssl.get()));
        char byte = 0;
        int r = SSL_read(ssl.get(), &byte, 1);
        out.closeNotify = r <= 0 && SSL_get_error(ssl.get(), r) == SSL_ERROR_ZERO_RETURN;
    }
    ERR_clear_error();
    ssl.reset();
    ::close(fd);
    return out;
}

// DER OCTET STRING (RFC 8737 §3) of SHA-256(keyAuthorization).
inline std::string expectedExtension(const std::string& keyAuthorization) {
    unsigned char md[32];
    unsigned len = 0;
    REQUIRE(EVP_Digest(keyAuthorization.data(), keyAuthorization.size(), md, &len, EVP_sha256(),
                       nullptr) == 1);
    return std::string("\x04\x20", 2) + std::string(reinterpret_cast<char*>(md), len);
}

// The id-pe-acmeIdentifier extension as found in a certificate.
struct AcmeExtension {
    bool found = false;
    bool critical = false;
    std::string value;
};

inline AcmeExtension acmeExtension(X509* cert) {
    AcmeExtension out;
    std::unique_ptr<ASN1_OBJECT, certkeep::OsslDeleter<ASN1_OBJECT_free>> oid(
        OBJ_txt2obj(challenges::tlsalpn::kAcmeIdentifierOid, 1));
    int at = X509_get_ext_by_OBJ(cert, oid.get(), -1);
    if (at < 0) {
        return out;
    }
    X509_EXTENSION* ext = X509_get_ext(cert, at);
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
    out.found = true;
    out.critical = X509_EXTENSION_get_critical(ext) == 1;
    out.value.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<size_t>(ASN1_STRING_length(data)));
    return out;
}

// Every subjectAltName as "DNS:name" or "IP:<raw bytes as hex>".
inline std::vector<std::string> subjectAltNames(X509* cert) {
    std::vector<std::string> out;
    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
        int type = 0;
        auto* str = static_cast<ASN1_STRING*>(GENERAL_NAME_get0_value(gn, &type));
        std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(str)),
                          static_cast<size_t>(ASN1_STRING_length(str)));
        if (type == GEN_DNS) {
            out.push_back("DNS:" + value);
        } else if (type == GEN_IPADD) {
            std::string hex;
            for (unsigned char c : value) {
                hex += "0123456789abcdef"[c >> 4U];
                hex += "0123456789abcdef"[c & 0x0fU];
            }
            out.push_back("IP:" + hex);
        } else {
            out.push_back("other");
        }
    }
    GENERAL_NAMES_free(names);
    return out;
}

inline Handshake acmeHandshake(int port, const std::string& sni, bool v6 = false) {
    return handshake(port, sni, {kAcme}, 0, v6);
}

} // namespace certkeep::testing
