#include "actors/rest_request_headers.hpp"

#define CAF_SUITE actors.rest_request_headers

#include "caf/test/unit_test.hpp"

#include <string>
#include <variant>

using namespace spectacles::actors;

namespace {

std::string encoded(std::string_view reason) {
  auto r = encode_audit_log_reason(reason);
  if (auto* err = std::get_if<audit_reason_error>(&r)) {
    CAF_FAIL("refused: " << err->message);
    return {};
  }
  return std::get<std::string>(r);
}

std::string refusal(std::string_view reason) {
  auto r = encode_audit_log_reason(reason);
  if (std::holds_alternative<std::string>(r)) {
    CAF_FAIL("accepted a reason that should be refused");
    return {};
  }
  return std::get<audit_reason_error>(r).message;
}

} // namespace

CAF_TEST(the user agent has the documented form) {
  CAF_CHECK_EQUAL(user_agent(), "DiscordBot (https://github.com/spectacles-cpp, 0.1.0)");
  CAF_CHECK_EQUAL(user_agent("https://example.org", "2.3.4", "ping-bot/1"),
                  "DiscordBot (https://example.org, 2.3.4) ping-bot/1");
  // A newline cannot smuggle in a second header.
  CAF_CHECK_EQUAL(user_agent(library_url, library_version, "x\r\nAuthorization: Bot y"),
                  "DiscordBot (https://github.com/spectacles-cpp, 0.1.0) xAuthorization: Bot y");
}

CAF_TEST(percent encoding keeps only unreserved characters) {
  CAF_CHECK_EQUAL(percent_encode("AZaz09-._~"), "AZaz09-._~");
  CAF_CHECK_EQUAL(percent_encode("a b/c?d%e"), "a%20b%2Fc%3Fd%25e");
  CAF_CHECK_EQUAL(percent_encode("\xF0\x9F\x91\x8D"), "%F0%9F%91%8D"); // thumbs up emoji
  CAF_CHECK_EQUAL(percent_encode("name:123"), "name%3A123");
}

CAF_TEST(audit log reasons are URL encoded UTF - 8) {
  CAF_CHECK_EQUAL(encoded("Spam \xE2\x80\x94 user warned twice"),
                  "Spam%20%E2%80%94%20user%20warned%20twice");
  CAF_CHECK_EQUAL(encoded("x"), "x");
  CAF_CHECK_EQUAL(encoded("line\nbreak"), "line%0Abreak");
}

CAF_TEST(reasons are counted in characters not bytes) {
  std::string ascii(512, 'a');
  CAF_CHECK_EQUAL(encoded(ascii).size(), 512u);
  std::string emoji;
  for (int i = 0; i < 512; ++i)
    emoji += "\xF0\x9F\x91\x8D"; // 512 characters, 2048 bytes
  CAF_CHECK_EQUAL(encoded(emoji).size(), 512u * 12);
  auto too_long = refusal(ascii + "a");
  CAF_CHECK_NOT_EQUAL(too_long.find("513 characters"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(refusal(emoji + "\xC3\xA9").find("at most 512"), std::string::npos);
}

CAF_TEST(empty and malformed reasons are refused) {
  CAF_CHECK_NOT_EQUAL(refusal("").find("empty"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(refusal("\xFF").find("UTF-8"), std::string::npos);
  refusal("abc\xE2\x80");                                       // cut off
  refusal("\xC0\xAF");                                          // overlong '/'
  refusal("\xED\xA0\x80");                                      // surrogate
  refusal("\xF4\x90\x80\x80");                                  // above U+10FFFF
  refusal("\x80");                                              // lone continuation byte
  CAF_CHECK_EQUAL(encoded("\xF4\x8F\xBF\xBF"), "%F4%8F%BF%BF"); // U+10FFFF itself
}
