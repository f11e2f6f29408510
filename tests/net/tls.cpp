#include "net/tls.hpp"

#define CAF_SUITE net.tls

#include "caf/test/unit_test.hpp"

#include <fstream>

#include "tests/net/support.hpp"

using namespace spectacles::net;

CAF_TEST(client and server contexts load the generated certificates) {
  testing::temp_dir dir;
  CAF_REQUIRE(testing::make_test_pki(dir.path));
  tls_client_options copts;
  copts.ca_file = dir.path + "/ca.pem";
  CAF_CHECK(static_cast<bool>(make_client_context(copts)));
  copts.cert_file = dir.path + "/client.pem";
  copts.key_file = dir.path + "/client.key";
  CAF_CHECK(static_cast<bool>(make_client_context(copts)));
  tls_server_options sopts;
  sopts.cert_file = dir.path + "/localhost.pem";
  sopts.key_file = dir.path + "/localhost.key";
  sopts.client_ca_file = dir.path + "/ca.pem";
  CAF_CHECK(static_cast<bool>(make_server_context(sopts)));
}

CAF_TEST(the system CA store loads by default) {
  CAF_CHECK(static_cast<bool>(make_client_context()));
}

CAF_TEST(missing and mismatched files are readable errors) {
  testing::temp_dir dir;
  CAF_REQUIRE(testing::make_test_pki(dir.path));
  tls_client_options copts;
  copts.ca_file = dir.path + "/nope.pem";
  auto no_ca = make_client_context(copts);
  CAF_REQUIRE(!no_ca);
  CAF_CHECK(no_ca.error().code == errc::tls);
  CAF_CHECK(no_ca.error().message.find("nope.pem") != std::string::npos);
  tls_server_options sopts;
  sopts.cert_file = dir.path + "/localhost.pem";
  sopts.key_file = dir.path + "/client.key";
  auto mismatch = make_server_context(sopts);
  CAF_REQUIRE(!mismatch);
  CAF_MESSAGE(mismatch.error().what());
  CAF_CHECK(mismatch.error().message.find("client.key") != std::string::npos);
  sopts.key_file.clear();
  CAF_CHECK(!make_server_context(sopts));
  std::ofstream{ dir.path + "/garbage.pem" } << "not a certificate\n";
  sopts.cert_file = dir.path + "/garbage.pem";
  sopts.key_file = dir.path + "/localhost.key";
  CAF_CHECK(!make_server_context(sopts));
}
