#include "net/certs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace spectacles::net {

namespace {

struct pkey_free {
  void operator()(EVP_PKEY* p) const {
    EVP_PKEY_free(p);
  }
};
struct x509_free {
  void operator()(X509* p) const {
    X509_free(p);
  }
};
struct file_close {
  void operator()(FILE* f) const {
    std::fclose(f);
  }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;
using file_ptr = std::unique_ptr<FILE, file_close>;

std::string openssl_text() {
  std::string text;
  char buf[256];
  while (auto code = ERR_get_error()) {
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!text.empty())
      text += "; ";
    text += buf;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

error fail(std::string what) {
  return error{ errc::tls, std::move(what) + ": " + openssl_text() };
}

file_ptr open_for_write(const std::string& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return nullptr;
  // O_CREAT's mode does not apply to an existing file.
  ::fchmod(fd, mode);
  auto* f = ::fdopen(fd, "w");
  if (f == nullptr)
    ::close(fd);
  return file_ptr{ f };
}

status write_key(const std::string& path, EVP_PKEY* key) {
  auto f = open_for_write(path, 0600);
  if (!f)
    return error{ errc::invalid_argument, "cannot write '" + path + "'" };
  if (PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return fail("cannot write key '" + path + "'");
  return {};
}

status write_cert(const std::string& path, X509* cert) {
  auto f = open_for_write(path, 0644);
  if (!f)
    return error{ errc::invalid_argument, "cannot write '" + path + "'" };
  if (PEM_write_X509(f.get(), cert) != 1)
    return fail("cannot write certificate '" + path + "'");
  return {};
}

pkey_ptr new_key() {
  return pkey_ptr{ EVP_EC_gen("P-256") };
}

// A certificate with a random 128-bit serial, the given subject CN and
// validity; the issuer and extensions are set by the caller.
x509_ptr new_cert(EVP_PKEY* key, std::string_view cn, int days) {
  x509_ptr cert{ X509_new() };
  if (!cert)
    return nullptr;
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1)
    return nullptr;
  serial[0] &= 0x7f; // positive
  auto* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  // An hour of slack for clocks that differ between machines.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  auto* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("spectacles-cpp"), -1, -1, 0);
  std::string cn_str{ cn };
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn_str.c_str()), -1, -1, 0);
  return cert;
}

bool add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  auto* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr)
    return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

pkey_ptr read_key(const std::string& path) {
  file_ptr f{ std::fopen(path.c_str(), "r") };
  if (!f)
    return nullptr;
  return pkey_ptr{ PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr) };
}

x509_ptr read_cert(const std::string& path) {
  file_ptr f{ std::fopen(path.c_str(), "r") };
  if (!f)
    return nullptr;
  return x509_ptr{ PEM_read_X509(f.get(), nullptr, nullptr, nullptr) };
}

status make_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return error{ errc::invalid_argument,
                  "cannot create directory '" + dir + "': " + ec.message() };
  return {};
}

} // namespace

result<cert_paths> make_ca(const std::string& dir, std::string_view common_name, int days) {
  if (auto st = make_dir(dir); !st)
    return st.error();
  auto key = new_key();
  if (!key)
    return fail("cannot generate a P-256 key");
  auto cert = new_cert(key.get(), common_name, days);
  if (!cert)
    return fail("cannot create the CA certificate");
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  if (!add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0")
      || !add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign")
      || !add_ext(cert.get(), cert.get(), NID_subject_key_identifier, "hash"))
    return fail("cannot add CA extensions");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    return fail("cannot sign the CA certificate");
  cert_paths out{ dir + "/ca.pem", dir + "/ca.key" };
  if (auto st = write_key(out.key, key.get()); !st)
    return st.error();
  if (auto st = write_cert(out.cert, cert.get()); !st)
    return st.error();
  return out;
}

result<cert_paths> make_leaf(const std::string& dir, std::string_view name,
                             const std::vector<std::string>& sans, int days) {
  if (name.empty() || name.find('/') != std::string_view::npos)
    return error{ errc::invalid_argument, "bad certificate name '" + std::string(name) + "'" };
  std::string san_list;
  std::string cn{ name };
  bool have_cn = false;
  for (const auto& san : sans) {
    if (san.rfind("DNS:", 0) != 0 && san.rfind("IP:", 0) != 0)
      return error{ errc::invalid_argument,
                    "subject alternative name '" + san + "' must start with DNS: or IP:" };
    if (!san_list.empty())
      san_list += ',';
    san_list += san;
    if (!have_cn && san.rfind("DNS:", 0) == 0) {
      cn = san.substr(4);
      have_cn = true;
    }
  }
  auto ca_key = read_key(dir + "/ca.key");
  auto ca_cert = read_cert(dir + "/ca.pem");
  if (!ca_key || !ca_cert)
    return error{ errc::invalid_argument,
                  "cannot read '" + dir + "/ca.pem' and '" + dir + "/ca.key' (run make_ca first)" };
  auto key = new_key();
  if (!key)
    return fail("cannot generate a P-256 key");
  auto cert = new_cert(key.get(), cn, days);
  if (!cert)
    return fail("cannot create the certificate");
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  if (!add_ext(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE")
      || !add_ext(cert.get(), ca_cert.get(), NID_key_usage,
                  "critical,digitalSignature,keyAgreement")
      || !add_ext(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth,clientAuth")
      || !add_ext(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash")
      || !add_ext(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always")
      || (!san_list.empty() && !add_ext(cert.get(), ca_cert.get(), NID_subject_alt_name, san_list)))
    return fail("cannot add certificate extensions (subject alternative names '" + san_list + "')");
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0)
    return fail("cannot sign the certificate");
  std::string base = dir + "/" + std::string(name);
  cert_paths out{ base + ".pem", base + ".key" };
  if (auto st = write_key(out.key, key.get()); !st)
    return st.error();
  if (auto st = write_cert(out.cert, cert.get()); !st)
    return st.error();
  return out;
}

} // namespace spectacles::net
