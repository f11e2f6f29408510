#include "actors/gateway_json.hpp"

#define CAF_SUITE actors.gateway_json
#include "caf/test/unit_test.hpp"

#include <string>

using namespace spectacles::actors;
namespace json = spectacles::actors::gateway_json;

CAF_TEST(parse_string resolves escapes and surrogate pairs) {
  CAF_CHECK_EQUAL(json::parse_string(R"("a\"b\\c\n\u0001 x")").value_or("?"), "a\"b\\c\n\x01 x");
  CAF_CHECK_EQUAL(json::parse_string(R"("wss:\/\/x")").value_or("?"), "wss://x");
  CAF_CHECK_EQUAL(json::parse_string(R"("\u00e9\ud83d\ude00")").value_or("?"),
                  "\xc3\xa9\xf0\x9f\x98\x80");
  CAF_CHECK(!json::parse_string(R"("\ud83d")"));  // lone high surrogate
  CAF_CHECK(!json::parse_string(R"("\ude00x")")); // lone low surrogate
  CAF_CHECK(!json::parse_string(R"("abc)"));
  CAF_CHECK(!json::parse_string("42"));
}

CAF_TEST(skip_value accepts valid JSON and refuses broken JSON) {
  CAF_CHECK(json::is_single_value(R"( {"a":[1,2.5e3,-0,true,false,null,{"b":"c"}]} )"));
  CAF_CHECK(json::is_single_value("[]"));
  CAF_CHECK(json::is_single_value("{}"));
  CAF_CHECK(!json::is_single_value(R"({"a":1,})"));
  CAF_CHECK(!json::is_single_value(R"({"a" 1})"));
  CAF_CHECK(!json::is_single_value(R"([1,2)"));
  CAF_CHECK(!json::is_single_value("01"));
  CAF_CHECK(!json::is_single_value("1."));
  CAF_CHECK(!json::is_single_value("tru"));
  CAF_CHECK(!json::is_single_value("{} {}"));
  CAF_CHECK(!json::is_single_value("\"a\x01\""));
  CAF_CHECK(!json::is_single_value(""));
}

CAF_TEST(deep nesting is refused instead of overflowing the stack) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  CAF_CHECK(!json::is_single_value(deep));
  std::string ok(200, '[');
  ok += std::string(200, ']');
  CAF_CHECK(json::is_single_value(ok));
}

CAF_TEST(find_member returns raw values of top level members only) {
  std::string_view obj = R"({"x":{"session_id":"inner"},"session_id":"outer","n":12})";
  CAF_CHECK_EQUAL(json::find_member(obj, "session_id").value_or("?"), R"("outer")");
  CAF_CHECK_EQUAL(json::find_member(obj, "x").value_or("?"), R"({"session_id":"inner"})");
  CAF_CHECK_EQUAL(json::find_member(obj, "n").value_or("?"), "12");
  CAF_CHECK(!json::find_member(obj, "missing"));
  CAF_CHECK(!json::find_member("[1]", "n"));
  CAF_CHECK(!json::find_member(R"({"n":)", "n"));
}

CAF_TEST(numbers and booleans parse within range) {
  CAF_CHECK_EQUAL(json::parse_uint("18446744073709551615").value_or(0), 18446744073709551615u);
  CAF_CHECK(!json::parse_uint("18446744073709551616"));
  CAF_CHECK(!json::parse_uint("-1"));
  CAF_CHECK(!json::parse_uint("1.5"));
  CAF_CHECK_EQUAL(json::parse_bool(" true ").value_or(false), true);
  CAF_CHECK(!json::parse_bool("1"));
}
