#include "net/certs.hpp"

#define CAF_SUITE net.certs

#include "caf/test/unit_test.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <memory>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "tests/net/support.hpp"

using namespace spectacles::net;

namespace {

X509* read_pem(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr)
    return nullptr;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return cert;
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

// Verifies `leaf` against `ca` the way a TLS peer would (chain + purpose).
bool verifies(X509* ca, X509* leaf, int purpose) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

} // namespace

CAF_TEST(a leaf verifies against its CA as TLS server and as TLS client) {
  testing::temp_dir dir;
  auto ca = make_ca(dir.path);
  CAF_REQUIRE(static_cast<bool>(ca));
  auto leaf = make_leaf(dir.path, "node1", { "DNS:localhost", "IP:127.0.0.1" });
  CAF_REQUIRE(static_cast<bool>(leaf));
  CAF_CHECK_EQUAL(leaf->cert, dir.path + "/node1.pem");
  X509* ca_cert = read_pem(ca->cert);
  X509* leaf_cert = read_pem(leaf->cert);
  CAF_REQUIRE(ca_cert != nullptr && leaf_cert != nullptr);
  CAF_CHECK(verifies(ca_cert, leaf_cert, X509_PURPOSE_SSL_SERVER));
  CAF_CHECK(verifies(ca_cert, leaf_cert, X509_PURPOSE_SSL_CLIENT));
  CAF_CHECK_EQUAL(X509_check_host(leaf_cert, "localhost", 0, 0, nullptr), 1);
  CAF_CHECK_EQUAL(X509_check_host(leaf_cert, "example.com", 0, 0, nullptr), 0);
  CAF_CHECK_EQUAL(X509_check_ip_asc(leaf_cert, "127.0.0.1", 0), 1);
  CAF_CHECK_EQUAL(X509_check_ip_asc(leaf_cert, "127.0.0.2", 0), 0);
  X509_free(ca_cert);
  X509_free(leaf_cert);
}

CAF_TEST(a leaf of another CA does not verify) {
  testing::temp_dir a;
  testing::temp_dir b;
  CAF_REQUIRE(make_ca(a.path) && make_ca(b.path));
  auto leaf = make_leaf(b.path, "x", { "DNS:localhost" });
  CAF_REQUIRE(static_cast<bool>(leaf));
  X509* ca_a = read_pem(a.path + "/ca.pem");
  X509* leaf_b = read_pem(leaf->cert);
  CAF_CHECK(!verifies(ca_a, leaf_b, X509_PURPOSE_SSL_SERVER));
  X509_free(ca_a);
  X509_free(leaf_b);
}

CAF_TEST(keys are written with mode 0600) {
  testing::temp_dir dir;
  CAF_REQUIRE(make_ca(dir.path) && make_leaf(dir.path, "n", { "IP:127.0.0.1" }));
  CAF_CHECK_EQUAL(mode_of(dir.path + "/ca.key"), 0600u);
  CAF_CHECK_EQUAL(mode_of(dir.path + "/n.key"), 0600u);
}

CAF_TEST(bad input is an error value) {
  testing::temp_dir dir;
  auto no_ca = make_leaf(dir.path, "n", { "DNS:localhost" });
  CAF_REQUIRE(!no_ca);
  CAF_CHECK(no_ca.error().message.find("ca.pem") != std::string::npos);
  CAF_REQUIRE(make_ca(dir.path));
  auto bad_san = make_leaf(dir.path, "n", { "localhost" });
  CAF_REQUIRE(!bad_san);
  CAF_CHECK(bad_san.error().code == errc::invalid_argument);
  CAF_CHECK(!make_leaf(dir.path, "../evil", { "DNS:x" }));
}
