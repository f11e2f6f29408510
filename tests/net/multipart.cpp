#include "net/multipart.hpp"

#define CAF_SUITE net.multipart

#include "caf/test/unit_test.hpp"

using namespace spectacles::net;

CAF_TEST(a form round trips through parse_multipart) {
  multipart_form form;
  form.add_payload_json(R"({"content":"x"})");
  form.add_file("files[0]", "cat.png", "image/png", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
  auto parts = parse_multipart(form.content_type(), form.body());
  CAF_REQUIRE(static_cast<bool>(parts));
  CAF_REQUIRE_EQUAL(parts->size(), 2u);
  CAF_CHECK_EQUAL((*parts)[0].name, "payload_json");
  CAF_CHECK_EQUAL((*parts)[0].content_type, "application/json");
  CAF_CHECK_EQUAL((*parts)[0].data, R"({"content":"x"})");
  CAF_CHECK_EQUAL((*parts)[1].filename, "cat.png");
  CAF_CHECK_EQUAL((*parts)[1].data, std::string("\x89PNG\r\n\x1a\n\0\0", 10));
}

CAF_TEST(the body has the RFC 7578 shape) {
  multipart_form form;
  form.add_field("a", "1");
  auto ct = form.content_type();
  CAF_REQUIRE(ct.starts_with("multipart/form-data; boundary="));
  auto boundary = ct.substr(ct.find('=') + 1);
  CAF_CHECK_EQUAL(form.body(), "--" + boundary
                                 + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--"
                                 + boundary + "--\r\n");
}

CAF_TEST(malformed bodies are errors) {
  CAF_CHECK(!parse_multipart("text/plain", "x"));
  CAF_CHECK(!parse_multipart("multipart/form-data", "x"));
  CAF_CHECK(!parse_multipart("multipart/form-data; boundary=zz", "no boundary here"));
  CAF_CHECK(
    !parse_multipart("multipart/form-data; boundary=zz",
                     "--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"));
  CAF_CHECK(
    !parse_multipart("multipart/form-data; boundary=zz", "--zz\r\nNo-Colon\r\n\r\nx\r\n--zz--"));
  auto ok
    = parse_multipart("multipart/form-data; boundary=\"zz\"",
                      "--zz\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--zz--\r\n");
  CAF_REQUIRE(static_cast<bool>(ok));
  CAF_CHECK_EQUAL(ok->at(0).name, "a");
}
