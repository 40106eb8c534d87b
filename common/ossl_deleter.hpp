#pragma once
// OpenSSL objects in unique_ptrs, for every folder that holds one (acme/crypto, challenges/):
// std::unique_ptr<X509, OsslDeleter<X509_free>>.

namespace certkeep {

// Deleter calling an OpenSSL free function; its return value (if any) is ignored.
template <auto Free> struct OsslDeleter {
    template <typename T> void operator()(T* p) const { Free(p); }
};

} // namespace certkeep
