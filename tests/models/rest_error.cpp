#include "models/rest_error.hpp"

#define CAF_SUITE models.rest_error

#include "caf/test/unit_test.hpp"

#include <random>
#include <string>

using namespace spectacles::models;

CAF_TEST(a plain error gives status code and message) {
  auto e = decode_rest_error(404, R"({"message": "Unknown Channel", "code": 10003})");
  CAF_CHECK(e.json);
  CAF_CHECK_EQUAL(e.http_status, 404);
  CAF_CHECK_EQUAL(e.code, 10003);
  CAF_CHECK_EQUAL(e.message, "Unknown Channel");
  CAF_CHECK(e.fields.empty());
  CAF_CHECK_EQUAL(e.describe(), "HTTP 404, code 10003: Unknown Channel");
}

CAF_TEST(field errors are flattened by path in document order) {
  // The example of Discord's reference.mdx § Error Messages.
  auto e = decode_rest_error(400, R"({
    "code": 50035,
    "errors": {
      "activities": {
        "0": {
          "platform": {"_errors": [{"code": "BASE_TYPE_CHOICES",
                                    "message": "Value must be one of {'desktop', 'android', 'ios'}."}]},
          "type": {"_errors": [{"code": "BASE_TYPE_CHOICES",
                                "message": "Value must be one of {0, 1, 2, 3, 4, 5}."}]}
        }
      }
    },
    "message": "Invalid Form Body"
  })");
  CAF_CHECK_EQUAL(e.code, 50035);
  CAF_CHECK_EQUAL(e.message, "Invalid Form Body");
  CAF_REQUIRE_EQUAL(e.fields.size(), 2u);
  CAF_CHECK_EQUAL(e.fields[0].path, "activities.0.platform");
  CAF_CHECK_EQUAL(e.fields[1].path, "activities.0.type");
  auto* type = e.field("activities.0.type");
  CAF_REQUIRE(type != nullptr);
  CAF_REQUIRE_EQUAL(type->size(), 1u);
  CAF_CHECK_EQUAL((*type)[0].code, "BASE_TYPE_CHOICES");
  CAF_CHECK_EQUAL((*type)[0].message, "Value must be one of {0, 1, 2, 3, 4, 5}.");
  CAF_CHECK(e.field("activities.0") == nullptr);
}

CAF_TEST(a request level error has an empty path) {
  auto e = decode_rest_error(400, R"js({"code": 50035, "message": "Invalid Form Body",
    "errors": {"_errors": [{"code": "APPLICATION_COMMAND_TOO_LARGE",
                            "message": "Command exceeds maximum size (8000)"}]}})js");
  auto* request = e.field("");
  CAF_REQUIRE(request != nullptr);
  CAF_CHECK_EQUAL((*request)[0].code, "APPLICATION_COMMAND_TOO_LARGE");
  CAF_CHECK_EQUAL(e.describe(),
                  "HTTP 400, code 50035: Invalid Form Body; (request): "
                  "APPLICATION_COMMAND_TOO_LARGE (Command exceeds maximum size (8000))");
}

CAF_TEST(leaf codes may be strings or integers and several errors share a path) {
  auto e = decode_rest_error(400, R"({"code": 50035, "message": "Invalid Form Body",
    "errors": {"embeds": {"0": {"description": {"_errors": [
      {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 4096 or fewer in length."},
      {"code": 50035, "message": "second"}]}}}}})");
  auto* d = e.field("embeds.0.description");
  CAF_REQUIRE(d != nullptr);
  CAF_REQUIRE_EQUAL(d->size(), 2u);
  CAF_CHECK_EQUAL((*d)[0],
                  (rest_field_error{ "BASE_TYPE_MAX_LENGTH", "Must be 4096 or fewer in length." }));
  CAF_CHECK_EQUAL((*d)[1].code, "50035");
  CAF_CHECK_EQUAL((*d)[1].message, "second");
}

CAF_TEST(a 429 body gives retry_after and global) {
  auto e = decode_rest_error(429, R"({"message": "You are being rate limited.",
                                      "retry_after": 64.57, "global": false})");
  CAF_CHECK_EQUAL(e.code, 0);
  CAF_REQUIRE(e.retry_after);
  CAF_CHECK_EQUAL(*e.retry_after, 64.57);
  CAF_REQUIRE(e.global);
  CAF_CHECK(!*e.global);
  CAF_CHECK_EQUAL(e.describe(), "HTTP 429: You are being rate limited.; retry after 64570 ms");
  auto g = decode_rest_error(429, R"({"message": "x", "retry_after": 2, "global": true,
                                      "code": 0})");
  CAF_CHECK_EQUAL(*g.retry_after, 2.0);
  CAF_CHECK(*g.global);
  CAF_CHECK_NOT_EQUAL(g.describe().find("(global limit)"), std::string::npos);
}

CAF_TEST(bodies that are not JSON objects still give a clear error) {
  auto html
    = decode_rest_error(502, "<html>\r\n<head><title>502 Bad Gateway</title></head></html>");
  CAF_CHECK(!html.json);
  CAF_CHECK_EQUAL(html.http_status, 502);
  CAF_CHECK_EQUAL(html.message.find("body is not a JSON object: <html>  <head>"), 0u);
  auto empty = decode_rest_error(500, "");
  CAF_CHECK_EQUAL(empty.message, "empty body");
  CAF_CHECK_EQUAL(empty.describe(), "HTTP 500: empty body");
  CAF_CHECK(!decode_rest_error(400, "[1,2]").json);
  CAF_CHECK(!decode_rest_error(400, R"({"code": 1, "message": )").json);
  auto big = decode_rest_error(503, std::string(5000, 'x'));
  CAF_CHECK_LESS(big.message.size(), 260u);
}

CAF_TEST(odd shapes are tolerated) {
  // Code as a string, missing message, _errors with junk items, a real array.
  auto e = decode_rest_error(400, R"({"code": "50035", "errors": {
    "a": {"_errors": "not an array"},
    "b": {"_errors": [42, {"message": "no code"}]},
    "c": [{"_errors": [{"code": "X", "message": "in an array"}]}],
    "d": 7}})");
  CAF_CHECK(e.json);
  CAF_CHECK_EQUAL(e.code, 50035);
  CAF_CHECK_EQUAL(e.message, "");
  CAF_CHECK(e.field("a") == nullptr);
  auto* b = e.field("b");
  CAF_REQUIRE(b != nullptr);
  CAF_CHECK_EQUAL(b->size(), 2u);
  CAF_CHECK_EQUAL((*b)[0].message, "42");
  CAF_CHECK_EQUAL((*b)[1].code, "");
  auto* c = e.field("c.0");
  CAF_REQUIRE(c != nullptr);
  CAF_CHECK_EQUAL((*c)[0].code, "X");
  CAF_CHECK_EQUAL(decode_rest_error(400, R"({"code": 1.5})").code, 0);
  CAF_CHECK_EQUAL(decode_rest_error(400, R"({"code": 40060.0})").code, 40060);
  CAF_CHECK(!decode_rest_error(429, R"({"retry_after": -1})").retry_after);
}

CAF_TEST(deeply nested errors do not crash) {
  std::string body = R"({"code": 50035, "errors": )";
  for (int i = 0; i < 2000; ++i)
    body += R"({"x": )";
  body += "{}";
  for (int i = 0; i < 2000; ++i)
    body += "}";
  body += "}";
  auto e = decode_rest_error(400, body);
  // Deeper than simdjson's limit: refused as a whole, never a stack overflow.
  CAF_CHECK(!e.json);
  CAF_CHECK_EQUAL(e.http_status, 400);
}

CAF_TEST(random bytes and mangled bodies never crash the decoder) {
  std::mt19937 rng{ 2026 };
  const std::string seed_body = R"({"code": 50035, "message": "Invalid Form Body", "errors": )"
                                R"({"embeds": {"0": {"description": {"_errors": [{"code": )"
                                R"("BASE_TYPE_MAX_LENGTH", "message": "Too long"}]}}}}})";
  size_t decoded_json = 0;
  size_t wrong = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string body = seed_body;
    // Flip, drop or duplicate a few bytes of a valid body...
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
      auto at = rng() % body.size();
      switch (rng() % 3) {
        case 0: body[at] = static_cast<char>(rng()); break;
        case 1: body.erase(at, 1); break;
        default: body.insert(at, 1, body[at]); break;
      }
    }
    // ...or use plain random bytes.
    if (i % 5 == 0) {
      body.assign(rng() % 64, '\0');
      for (auto& c : body)
        c = static_cast<char>(rng());
    }
    auto e = decode_rest_error(400, body);
    wrong += e.http_status != 400 || e.describe().empty();
    decoded_json += e.json;
  }
  CAF_CHECK_EQUAL(wrong, 0u);
  CAF_MESSAGE(decoded_json << " of 5000 mangled bodies were still JSON objects");
}
