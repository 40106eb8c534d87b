#include "lifecycle/spec.hpp"

#include "acme/crypto/csr.hpp"

#include <fstream>
#include <iterator>

namespace certkeep::lifecycle {

std::string identifierKey(const acme::Identifier& id) {
    return id.type + ":" + id.value;
}

std::vector<std::string> identifierKeys(const std::vector<acme::Identifier>& ids) {
    std::vector<std::string> out;
    out.reserve(ids.size());
    for (const auto& id : ids) {
        out.push_back(identifierKey(id));
    }
    return out;
}

std::vector<std::string> identifierValues(const std::vector<acme::Identifier>& ids) {
    std::vector<std::string> out;
    out.reserve(ids.size());
    for (const auto& id : ids) {
        out.push_back(id.value);
    }
    return out;
}

std::string joinIdentifiers(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) {
        out += (out.empty() ? "" : ", ") + v;
    }
    return out;
}

Status checkCaBundle(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return fail(ErrorKind::Config,
                    "cannot read the CA bundle " + path + ": check the --ca-bundle path");
    }
    std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return fail(ErrorKind::Config, "cannot read the CA bundle " + path);
    }
    if (auto certs = acme::splitPemChain(pem); !certs) {
        return fail(ErrorKind::Config, "the CA bundle " + path +
                                           " holds no readable PEM certificate (" +
                                           certs.error().message + ")");
    }
    return {};
}

} // namespace certkeep::lifecycle
