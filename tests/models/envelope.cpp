#include "models/envelope.hpp"

#define CAF_SUITE models.envelope
#include "caf/test/unit_test.hpp"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace spectacles::models;

namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in{ std::string(SPECTACLES_FIXTURES_DIR) + "/discord-captures/" + name };
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The fixtures are arrays of envelopes; cut out the first one with a plain bracket matcher so
// this test does not depend on the model decoder.
std::string first_element(const std::string& array_text) {
  auto inner = array_text.substr(array_text.find('{'));
  // Find the end of the first object by scanning it as `d` of a wrapper.
  int depth = 0;
  bool in_str = false;
  for (size_t i = 0; i < inner.size(); ++i) {
    char c = inner[i];
    if (in_str) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"')
      in_str = true;
    else if (c == '{')
      ++depth;
    else if (c == '}' && --depth == 0)
      return inner.substr(0, i + 1);
  }
  return {};
}

} // namespace

CAF_TEST(a dispatch in the key order Discord uses yields op s t d and guild_id) {
  std::string text
    = R"({"t":"MESSAGE_CREATE","s":42,"op":0,"d":{"id":"1","guild_id":"81384788765712384","x":[1,{"guild_id":"5"}]}})";
  auto r = scan_envelope(text);
  CAF_REQUIRE(r.ok());
  CAF_CHECK_EQUAL(r->op, 0);
  CAF_REQUIRE(r->s.has_value());
  CAF_CHECK_EQUAL(*r->s, 42u);
  CAF_CHECK_EQUAL(r->t, "MESSAGE_CREATE");
  CAF_CHECK_EQUAL(r->d, R"({"id":"1","guild_id":"81384788765712384","x":[1,{"guild_id":"5"}]})");
  CAF_REQUIRE(r->guild_id.has_value());
  CAF_CHECK_EQUAL(r->guild_id->value(), 81384788765712384u);
  // d is a view into the input, not a copy
  CAF_CHECK(r->d.data() >= text.data() && r->d.data() < text.data() + text.size());
}

CAF_TEST(keys in any order and whitespace everywhere) {
  auto r = scan_envelope(" {\n \"d\" : { \"guild_id\" : 123 , \"a\":\"}\\\"{\" } ,\"op\" : 0 , "
                         "\"s\":7, \"t\" : \"TYPING_START\" } \n");
  CAF_REQUIRE(r.ok());
  CAF_CHECK_EQUAL(r->op, 0);
  CAF_CHECK_EQUAL(*r->s, 7u);
  CAF_CHECK_EQUAL(r->t, "TYPING_START");
  CAF_CHECK_EQUAL(r->d, R"({ "guild_id" : 123 , "a":"}\"{" })");
  CAF_REQUIRE(r->guild_id.has_value());
  CAF_CHECK_EQUAL(r->guild_id->value(), 123u);
}

CAF_TEST(nested guild_id is not taken for the event) {
  auto r = scan_envelope(R"({"op":0,"s":1,"t":"X","d":{"a":{"guild_id":"9"},"b":["guild_id"]}})");
  CAF_REQUIRE(r.ok());
  CAF_CHECK(!r->guild_id.has_value());
  // a string value "guild_id" followed by ':' cannot happen in JSON, but a value equal to the
  // key name must not be mistaken for a key either
  auto r2 = scan_envelope(R"({"op":0,"s":1,"t":"X","d":{"k":"guild_id","guild_id":"77"}})");
  CAF_REQUIRE(r2.ok());
  CAF_CHECK_EQUAL(r2->guild_id->value(), 77u);
}

CAF_TEST(guild events use the id of d as their guild id) {
  auto r = scan_envelope(
    R"({"d":{"id":"41771983423143937","name":"g"},"op":0,"s":2,"t":"GUILD_CREATE"})");
  CAF_REQUIRE(r.ok());
  CAF_REQUIRE(r->guild_id.has_value());
  CAF_CHECK_EQUAL(r->guild_id->value(), 41771983423143937u);
  auto m = scan_envelope(R"({"op":0,"s":2,"t":"MESSAGE_CREATE","d":{"id":"41771983423143937"}})");
  CAF_REQUIRE(m.ok());
  CAF_CHECK(!m->guild_id.has_value());
}

// The scan looks only for the key the event needs when `t` comes before `d`; wherever `t` is,
// and whichever `t` is last, the answer is the same as looking for both.
CAF_TEST(the guild id follows the last t wherever it is) {
  struct row {
    const char* text;
    std::optional<uint64_t> guild_id;
  };
  const row rows[] = {
    { R"({"t":"GUILD_CREATE","op":0,"s":1,"d":{"guild_id":"6","id":"5"}})", 5 },
    { R"({"t":"MESSAGE_CREATE","op":0,"s":1,"d":{"id":"5","guild_id":"6"}})", 6 },
    { R"({"op":0,"s":1,"d":{"id":"5","guild_id":"6"},"t":"GUILD_UPDATE"})", 5 },
    { R"({"op":0,"s":1,"d":{"id":"5","guild_id":"6"},"t":"MESSAGE_CREATE"})", 6 },
    { R"({"t":"MESSAGE_CREATE","op":0,"s":1,"d":{"id":"5","guild_id":"6"},"t":"GUILD_DELETE"})",
      5 },
    { R"({"t":"GUILD_CREATE","op":0,"s":1,"d":{"id":"5","guild_id":"6"},"t":"TYPING_START"})", 6 },
    { R"({"t":"GUILD_CREATE","op":0,"s":1,"d":{"id":"5","guild_id":"6"},"t":"GUILD_CREATE"})", 5 },
    { R"({"t":null,"op":0,"s":1,"d":{"id":"5","guild_id":"6"},"t":"GUILD_CREATE"})", 5 },
    { R"({"t":"GUILD_CREATE","op":0,"s":1,"d":{"guild_id":"6"}})", std::nullopt },
    { R"({"t":"MESSAGE_CREATE","op":0,"s":1,"d":{"id":"5"}})", std::nullopt },
    { R"({"t":"MESSAGE_CREATE","op":0,"s":1,"d":[{"guild_id":"6"}],"t":"GUILD_CREATE"})",
      std::nullopt },
  };
  for (const auto& r : rows) {
    auto env = scan_envelope(r.text);
    CAF_REQUIRE(env.ok());
    auto got = env->guild_id ? std::optional<uint64_t>{ env->guild_id->value() } : std::nullopt;
    if (got != r.guild_id)
      CAF_MESSAGE("wrong guild id for " << r.text);
    CAF_CHECK(got == r.guild_id);
    for (auto k : { scan_kernel::sse2, scan_kernel::avx2 }) {
      auto other = scan_envelope_with(k, r.text);
      CAF_REQUIRE(other.ok());
      CAF_CHECK(other->guild_id == env->guild_id);
    }
  }
}

// The digits of a guild id are found eight bytes at a time; whatever follows them (a quote, a
// comma, junk, a byte above 0xF9 that carries into the next one) ends the run at the same place.
CAF_TEST(guild ids are read up to the first non digit) {
  struct row {
    std::string d;
    std::optional<uint64_t> guild_id;
  };
  const row rows[] = {
    { R"({"guild_id":"123456789012345678"})", 123456789012345678u },
    { R"({"guild_id":123456789012345678})", 123456789012345678u },
    { R"({"guild_id":123456789012345678 ,"x":1})", 123456789012345678u },
    { R"({"guild_id":"1234567a9012345678"})", std::nullopt },
    { R"({"guild_id":"12345678901234567\u0030"})", std::nullopt },
    { "{\"guild_id\":\"12345678\xFA"
      "9\"}",
      std::nullopt },
    { "{\"guild_id\":12345678\xFF"
      "9}",
      12345678u }, // an unquoted id ends at any non-digit
    { R"({"guild_id":"18446744073709551615"})", UINT64_MAX },
    { R"({"guild_id":"18446744073709551616"})", std::nullopt },
    { R"({"guild_id":"123456789012345678901"})", std::nullopt },
    { R"({"guild_id":"7"})", 7u },
    { R"({"guild_id":7})", 7u },
  };
  for (const auto& r : rows) {
    std::string text = R"({"t":"MESSAGE_CREATE","s":1,"op":0,"d":)" + r.d + "}";
    for (auto k : { scan_kernel::sse2, scan_kernel::avx2 }) {
      auto env = scan_envelope_with(k, text);
      if (!env.ok()) // junk bytes make some rows invalid JSON for the scan; that is fine too
        continue;
      uint64_t got = env->guild_id ? env->guild_id->value() : 0;
      bool same = env->guild_id.has_value() == r.guild_id.has_value()
                  && (!r.guild_id || got == *r.guild_id);
      if (!same)
        CAF_MESSAGE("wrong guild id for " << r.d);
      CAF_CHECK(same);
    }
  }
}

CAF_TEST(non dispatch envelopes have null s and t) {
  auto hello = scan_envelope(R"({"t":null,"s":null,"op":10,"d":{"heartbeat_interval":41250}})");
  CAF_REQUIRE(hello.ok());
  CAF_CHECK_EQUAL(hello->op, 10);
  CAF_CHECK(!hello->s.has_value());
  CAF_CHECK(hello->t.empty());
  CAF_CHECK_EQUAL(hello->d, R"({"heartbeat_interval":41250})");
  auto ack = scan_envelope(R"({"op":11})");
  CAF_REQUIRE(ack.ok());
  CAF_CHECK_EQUAL(ack->op, 11);
  CAF_CHECK(ack->d.empty());
  auto invalid = scan_envelope(R"({"op":9,"d":false})");
  CAF_REQUIRE(invalid.ok());
  CAF_CHECK_EQUAL(invalid->d, "false");
  auto reconnect = scan_envelope(R"({"op":7,"d":null})");
  CAF_REQUIRE(reconnect.ok());
  CAF_CHECK_EQUAL(reconnect->d, "null");
}

CAF_TEST(the captured fixtures scan) {
  for (auto name :
       { "gateway_guild_create.json", "gateway_message_create.json", "gateway_ready.json",
         "gateway_hello.json", "gateway_heartbeat_ack.json", "gateway_voice_state_update.json" }) {
    auto text = first_element(read_fixture(name));
    CAF_REQUIRE(!text.empty());
    auto r = scan_envelope(text);
    CAF_CHECK(r.ok());
    if (!r.ok())
      CAF_MESSAGE(name << ": " << r.error_message());
  }
  // The scan's views point into its input: keep the text alive.
  auto guild_text = first_element(read_fixture("gateway_guild_create.json"));
  auto guild = scan_envelope(guild_text);
  CAF_REQUIRE(guild.ok());
  CAF_CHECK_EQUAL(guild->t, "GUILD_CREATE");
  CAF_CHECK_EQUAL(*guild->s, 2u);
  CAF_REQUIRE(guild->guild_id.has_value());
  CAF_CHECK_EQUAL(guild->guild_id->value(), 900000000000000008u);
  CAF_CHECK(guild->d.size() > 10000);
  CAF_CHECK_EQUAL(guild->d.front(), '{');
  CAF_CHECK_EQUAL(guild->d.back(), '}');
}

CAF_TEST(malformed input is an error naming the problem) {
  struct bad_case {
    const char* text;
    const char* error;
  };
  bad_case cases[] = {
    { "", "expected a JSON object" },
    { "[]", "expected a JSON object" },
    { "{", "unterminated object" },
    { R"({"op":0,"t":"X","d":{"a":1})", "unterminated object" },
    { R"({"op":0,"t":"X","d":{"a":"x}})", "unterminated string" },
    { R"({"op":0,"t":"X","d":{"a":[1})", "unterminated object or array" },
    { R"({"op":0,"t":"X","d":{"a":"\\\"}})", "unterminated string" },
    { R"({"s":1,"t":"X","d":{}})", "`op` is missing" },
    { R"({"op":"0","d":{}})", "`op` must be a non-negative integer" },
    { R"({"op":-1})", "`op` must be a non-negative integer" },
    { R"({"op":1.5})", "`op` must be a non-negative integer" },
    { R"({"op":0,"s":true,"t":"X"})", "`s` must be null or a non-negative integer" },
    { R"({"op":0,"s":1,"t":5})", "`t` must be null or a string" },
    { R"({"op":0,"s":1,"d":{}})", "dispatch (op 0) without an event name `t`" },
    { R"({"op":1 "d":2})", "expected ',' or '}' after a value" },
    { R"({"op":1,})", "trailing comma before '}'" },
    { R"({"op":1} x)", "unexpected text after the envelope" },
    { R"({"op":99999999999999999999999})", "integer out of range" },
    { R"({"op":1,"d":tru})", "invalid literal" },
    { R"({op:1})", "expected a key string" },
  };
  for (auto& c : cases) {
    auto r = scan_envelope(c.text);
    CAF_CHECK(!r.ok());
    CAF_CHECK_EQUAL(r.error(), c.error);
  }
  auto r = scan_envelope(R"({"op":0,"t":"X","d":{"a":[1}})");
  CAF_CHECK_EQUAL(r.error_message(), "gateway envelope at byte 29: unterminated object");
}

CAF_TEST(deep nesting is delimited without recursion) {
  // Brackets are counted, not recursed into, so depth costs nothing here; the worker's decoder
  // refuses what is too deep for it.
  std::string deep
    = R"({"op":0,"t":"X","d":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto r = scan_envelope(deep);
  CAF_REQUIRE(r.ok());
  CAF_CHECK_EQUAL(r->d.size(), 200000u);
  // brackets in d are counted, not matched: a mismatch is the decoder's to report
  auto odd = scan_envelope(R"({"op":0,"t":"X","d":{"a":[1}],"s":3})");
  CAF_REQUIRE(odd.ok());
  CAF_CHECK_EQUAL(odd->d, R"({"a":[1}])");
}

CAF_TEST(every prefix of a valid envelope is rejected without reading past it) {
  std::string text
    = R"({"t":"MESSAGE_CREATE","s":42,"op":0,"d":{"content":"a \"quoted\" \\ [text]","guild_id":"5","n":[1,2,{"x":null}]}})";
  CAF_REQUIRE(scan_envelope(text).ok());
  for (size_t n = 0; n < text.size(); ++n) {
    // a heap copy of exactly n bytes lets ASan catch any read past the end
    auto* buf = new char[n];
    std::memcpy(buf, text.data(), n);
    auto r = scan_envelope(std::string_view(buf, n));
    CAF_CHECK(!r.ok());
    delete[] buf;
  }
}

CAF_TEST(escapes and brackets in strings at every offset of a 64 byte block) {
  for (size_t pad = 0; pad < 140; ++pad) {
    // an escaped quote, an escaped backslash followed by a closing quote's neighbour, brackets
    std::string content = std::string(pad, 'a') + R"(\"}]\\{[)" + std::string(pad % 7, '\\')
                          + std::string(pad % 7, '\\');
    std::string d = R"({"c":")" + content + R"(","n":[{"guild_id":"1"}],"guild_id":"12"})";
    std::string text = R"({"op":0,"s":1,"t":"X","d":)" + d + "}";
    auto r = scan_envelope(text);
    CAF_REQUIRE(r.ok());
    CAF_CHECK_EQUAL(r->d, d);
    CAF_REQUIRE(r->guild_id.has_value());
    CAF_CHECK_EQUAL(r->guild_id->value(), 12u);
  }
}

// -- the AVX2 kernel against the baseline one ---------------------------------------------------

namespace {

// Every top-level element of a JSON array, as it is written (pretty-printed fixtures stay so).
std::vector<std::string> elements(const std::string& array_text) {
  std::vector<std::string> out;
  int depth = 0;
  bool in_str = false;
  size_t begin = 0;
  for (size_t i = 0; i < array_text.size(); ++i) {
    char c = array_text[i];
    if (in_str) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"') {
      in_str = true;
    } else if (c == '{' || c == '[') {
      if (++depth == 2)
        begin = i;
    } else if ((c == '}' || c == ']') && --depth == 1) {
      out.push_back(array_text.substr(begin, i + 1 - begin));
    }
  }
  return out;
}

// Both kernels on the same bytes; any difference is reported with the input's size.
bool kernels_agree(std::string_view text) {
  auto a = scan_envelope_with(scan_kernel::sse2, text);
  auto b = scan_envelope_with(scan_kernel::avx2, text);
  auto offset = [&](std::string_view v) {
    return v.data() == nullptr ? -1 : static_cast<long>(v.data() - text.data());
  };
  bool same = a.ok() == b.ok();
  if (same && a.ok()) {
    same = a->op == b->op && a->s == b->s && offset(a->t) == offset(b->t)
           && a->t.size() == b->t.size() && offset(a->d) == offset(b->d)
           && a->d.size() == b->d.size() && a->guild_id == b->guild_id;
  } else if (same) {
    same = a.error() == b.error() && a.error_offset() == b.error_offset();
  }
  if (!same)
    CAF_MESSAGE("kernels differ on " << text.size() << " bytes: sse2 '" << a.error_message()
                                     << "' avx2 '" << b.error_message() << "'");
  return same;
}

} // namespace

CAF_TEST(scan_envelope uses the best kernel of this cpu) {
  CAF_CHECK(scan_kernel_available(scan_kernel::sse2));
  auto active = active_scan_kernel();
  CAF_CHECK(scan_kernel_available(active));
  if (scan_kernel_available(scan_kernel::avx2))
    CAF_CHECK(active == scan_kernel::avx2);
  CAF_MESSAGE("active kernel: " << (active == scan_kernel::avx2 ? "avx2" : "sse2"));
}

CAF_TEST(both kernels agree on every captured fixture) {
  if (!scan_kernel_available(scan_kernel::avx2))
    CAF_MESSAGE("no AVX2 on this CPU: the avx2 kernel falls back to sse2 here");
  namespace fs = std::filesystem;
  size_t files = 0;
  size_t envelopes = 0;
  for (auto& entry :
       fs::directory_iterator{ std::string(SPECTACLES_FIXTURES_DIR) + "/discord-captures" }) {
    if (entry.path().extension() != ".json")
      continue;
    ++files;
    auto text = read_fixture(entry.path().filename().string());
    CAF_REQUIRE(!text.empty());
    CAF_CHECK(kernels_agree(text)); // the whole file (an array: an error for both)
    for (auto& element : elements(text)) {
      ++envelopes;
      CAF_CHECK(kernels_agree(element));
      // At every alignment to the 64-byte blocks, and cut short at a stride of prefixes (the
      // cuts end inside strings, after backslashes, between brackets).
      std::string shifted;
      for (size_t pad = 1; pad < 64; pad += 7) {
        shifted = std::string(pad, ' ') + element;
        CAF_CHECK(kernels_agree(shifted));
      }
      size_t stride = element.size() / 97 + 1;
      for (size_t n = 0; n < element.size(); n += stride) {
        auto* buf = new char[n]; // exact size: ASan catches a read past the end
        std::memcpy(buf, element.data(), n);
        CAF_CHECK(kernels_agree(std::string_view(buf, n)));
        delete[] buf;
      }
    }
  }
  CAF_CHECK(files >= 20u);
  CAF_CHECK(envelopes >= 20u);
  auto guild = first_element(read_fixture("gateway_guild_create.json"));
  auto a = scan_envelope_with(scan_kernel::sse2, guild);
  auto b = scan_envelope_with(scan_kernel::avx2, guild);
  CAF_REQUIRE(a.ok() && b.ok());
  CAF_CHECK_EQUAL(b->guild_id->value(), 900000000000000008u);
  CAF_CHECK_EQUAL(a->d.size(), b->d.size());
}

CAF_TEST(both kernels agree on mutated envelopes) {
  // The bytes the kernels classify, dropped at random places into a real envelope.
  auto base = first_element(read_fixture("gateway_message_create.json"));
  CAF_REQUIRE(!base.empty());
  const char specials[] = { '"', '\\', '{', '}', '[', ']', 'g', 'i', ':', ',' };
  std::mt19937 rng{ 12345 };
  size_t differing = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = base;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e)
      text[rng() % text.size()] = specials[rng() % sizeof(specials)];
    if (!kernels_agree(text))
      ++differing;
  }
  CAF_CHECK_EQUAL(differing, 0u);
  // And the hand-written tricky inputs of the tests above.
  for (size_t pad = 0; pad < 140; ++pad) {
    std::string content = std::string(pad, 'a') + R"(\"}]\\{[)" + std::string(pad % 7, '\\')
                          + std::string(pad % 7, '\\');
    std::string text = R"({"op":0,"s":1,"t":"X","d":{"c":")" + content
                       + R"(","n":[{"guild_id":"1"}],"guild_id":"12","id":"3"}})";
    CAF_CHECK(kernels_agree(text));
  }
}
