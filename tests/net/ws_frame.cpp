// The client's own WebSocket framing (net/ws_frame.hpp): the reader on byte
// strings, then ws_client against a server that writes raw frames.
#include "net/ws_frame.hpp"

#define CAF_SUITE net.ws_frame

#include "caf/test/unit_test.hpp"

#include "net/io_pool.hpp"
#include "net/ws_client.hpp"
#include "tests/net/raw_ws_server.hpp"
#include "tests/net/recorder.hpp"

using namespace spectacles::net;
using spectacles::net::testing::raw_ws_server;
using spectacles::net::testing::server_frame;

namespace {

// Everything the reader reports, in order, as text: "text:…", "binary:…",
// "ping:…", "close:CODE:REASON".
struct log_sink : ws_frame_sink {
  std::vector<std::string> seen;

  void on_message(std::string_view data, bool binary) override {
    seen.push_back((binary ? "binary:" : "text:") + std::string(data));
  }
  void on_ping(std::string_view payload) override {
    seen.push_back("ping:" + std::string(payload));
  }
  void on_close(uint16_t code, std::string_view reason) override {
    seen.push_back("close:" + std::to_string(code) + ":" + std::string(reason));
  }
};

constexpr uint8_t fin_text = 0x81;
constexpr uint8_t fin_binary = 0x82;

/// Feeds `wire` to a reader in pieces of `step` bytes, as a socket would
/// deliver it, keeping unconsumed bytes; returns what the sink saw.
std::vector<std::string> read_in_steps(const std::string& wire, size_t step,
                                       size_t max_message = 1u << 20) {
  ws_frame_reader reader{ max_message };
  log_sink sink;
  std::string buffered;
  for (size_t at = 0; at < wire.size(); at += step) {
    buffered.append(wire.substr(at, step));
    auto r = reader.read(buffered, sink);
    CAF_REQUIRE(!r.err);
    buffered.erase(0, r.consumed);
    if (r.closed)
      break;
  }
  return sink.seen;
}

ws_read_result read_all(const std::string& wire, log_sink& sink, size_t max_message = 1u << 20) {
  ws_frame_reader reader{ max_message };
  return reader.read(wire, sink);
}

struct fixture {
  io_pool io{ 1 };
  testing::ws_recorder rec;
  std::shared_ptr<ws_client> client;
  std::atomic<int> flushes{ 0 };

  ~fixture() {
    io.stop();
  }

  void connect(const std::string& url) {
    ws_client_options opts;
    opts.url = url;
    auto cbs = rec.callbacks();
    cbs.on_flush = [this] {
      ++flushes;
    };
    auto c = ws_client::create(io.context(), opts, std::move(cbs));
    CAF_REQUIRE(static_cast<bool>(c));
    client = *c;
    client->connect();
  }
};

} // namespace

CAF_TEST(the accept key is the one RFC 6455 gives for its sample key) {
  CAF_CHECK_EQUAL(ws_accept_for("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  auto key = ws_key_from(0x0123456789abcdefULL, 0xfedcba9876543210ULL);
  CAF_CHECK_EQUAL(key.size(), 24u); // 16 bytes in base64
  CAF_CHECK_NOT_EQUAL(key, ws_key_from(1, 2));
}

CAF_TEST(client frames are masked and unmask to the payload) {
  for (size_t n : { size_t{ 0 }, size_t{ 125 }, size_t{ 126 }, size_t{ 65535 }, size_t{ 65536 } }) {
    std::string payload(n, '\0');
    for (size_t i = 0; i < n; ++i)
      payload[i] = static_cast<char>(i * 7);
    std::string wire;
    append_client_frame(wire, ws_opcode::binary, payload, 0xa1b2c3d4);
    auto f = testing::parse_client_frame(wire);
    CAF_CHECK_EQUAL(f.size, wire.size());
    CAF_CHECK(f.masked);
    CAF_CHECK(f.fin);
    CAF_CHECK_EQUAL(f.opcode, 2);
    CAF_CHECK(f.payload == payload);
    if (n > 0)
      CAF_CHECK(wire.find(payload) == std::string::npos); // really masked
  }
  auto close = close_payload(4000, std::string(300, 'r'));
  CAF_CHECK_EQUAL(close.size(), 125u); // 2 code bytes + 123 of the reason
  CAF_CHECK_EQUAL(static_cast<uint8_t>(close[0]), 0x0f);
  CAF_CHECK_EQUAL(static_cast<uint8_t>(close[1]), 0xa0);
}

CAF_TEST(every frame of a read is delivered in order at any split) {
  std::string wire;
  std::vector<std::string> want;
  for (int i = 0; i < 20; ++i) {
    std::string body(static_cast<size_t>(i * 37), static_cast<char>('a' + i));
    wire += server_frame(i % 2 == 0 ? fin_text : fin_binary, body);
    want.push_back((i % 2 == 0 ? "text:" : "binary:") + body);
  }
  std::string big(70000, 'g'); // 64-bit length
  wire += server_frame(fin_binary, big);
  want.push_back("binary:" + big);
  std::string mid(300, 'm'); // 16-bit length
  wire += server_frame(fin_text, mid);
  want.push_back("text:" + mid);
  for (size_t step : { wire.size(), size_t{ 1 }, size_t{ 2 }, size_t{ 3 }, size_t{ 1000 } })
    CAF_CHECK(read_in_steps(wire, step) == want);
  log_sink sink;
  auto r = read_all(wire, sink);
  CAF_CHECK_EQUAL(r.consumed, wire.size());
  CAF_CHECK_EQUAL(sink.seen.size(), want.size());
}

CAF_TEST(an incomplete frame reports how many bytes it needs) {
  auto frame = server_frame(fin_binary, std::string(1000, 'x'));
  log_sink sink;
  auto r = read_all(frame.substr(0, 10), sink);
  CAF_CHECK_EQUAL(r.consumed, 0u);
  CAF_CHECK_EQUAL(r.need, frame.size());
  CAF_CHECK(sink.seen.empty());
}

CAF_TEST(a fragmented message is joined and a ping between its fragments comes first) {
  std::string wire = server_frame(0x01, "{\"op\":") + server_frame(0x89, "are you there")
                     + server_frame(0x00, "0,\"d\":") + server_frame(0x80, "null}")
                     + server_frame(fin_text, "next");
  std::vector<std::string> want{ "ping:are you there", "text:{\"op\":0,\"d\":null}", "text:next" };
  for (size_t step : { wire.size(), size_t{ 1 }, size_t{ 5 } })
    CAF_CHECK(read_in_steps(wire, step) == want);
}

CAF_TEST(a close frame ends reading and carries its code and reason) {
  std::string wire = server_frame(fin_text, "last")
                     + server_frame(0x88, "\x0f\xa4"
                                          "Authentication failed.")
                     + server_frame(fin_text, "never read");
  log_sink sink;
  auto r = read_all(wire, sink);
  CAF_CHECK(r.closed);
  CAF_CHECK(!r.err);
  std::vector<std::string> want{ "text:last", "close:4004:Authentication failed." };
  CAF_CHECK(sink.seen == want);
  log_sink empty;
  CAF_CHECK(read_all(server_frame(0x88, ""), empty).closed);
  CAF_CHECK_EQUAL(empty.seen.at(0), "close:0:");
}

CAF_TEST(protocol violations are errors with close code 1002) {
  struct bad_case {
    const char* what;
    std::string wire;
  };
  std::string masked = server_frame(fin_text, "abcd");
  masked[1] = static_cast<char>(masked[1] | 0x80);
  std::vector<bad_case> cases{
    { "reserved bit", server_frame(0xc1, "x") },
    { "masked", masked },
    { "unknown data opcode", server_frame(0x83, "x") },
    { "unknown control opcode", server_frame(0x8b, "") },
    { "fragmented control", server_frame(0x09, "x") },
    { "oversized control", server_frame(0x89, std::string(126, 'p')) },
    { "lone continuation", server_frame(0x80, "x") },
    { "message inside a message", server_frame(0x01, "a") + server_frame(fin_text, "b") },
    { "1-byte close", server_frame(0x88, "x") },
  };
  for (auto& c : cases) {
    log_sink sink;
    auto r = read_all(c.wire, sink);
    CAF_MESSAGE(c.what);
    CAF_REQUIRE(r.err.has_value());
    CAF_CHECK(r.err->code == errc::protocol);
    CAF_CHECK_EQUAL(r.close_code, 1002u);
    CAF_CHECK(sink.seen.empty());
  }
}

CAF_TEST(a message above the limit is refused before its payload arrives) {
  auto frame = server_frame(fin_binary, std::string(2000, 'x'));
  log_sink sink;
  auto r = read_all(frame.substr(0, 4), sink, 1000); // the header only
  CAF_REQUIRE(r.err.has_value());
  CAF_CHECK(r.err->code == errc::too_large);
  CAF_CHECK_EQUAL(r.close_code, 1009u);
  // Fragments count together.
  std::string parts
    = server_frame(0x02, std::string(600, 'a')) + server_frame(0x80, std::string(600, 'b'));
  log_sink sink2;
  auto r2 = read_all(parts, sink2, 1000);
  CAF_REQUIRE(r2.err.has_value());
  CAF_CHECK(r2.err->code == errc::too_large);
  CAF_CHECK(sink2.seen.empty());
}

CAF_TEST_FIXTURE_SCOPE(ws_framing_tests, fixture)

CAF_TEST(frames in the same segment as the 101 response are delivered) {
  // Discord's HELLO can arrive glued to the upgrade response.
  raw_ws_server server{ { server_frame(fin_text, R"({"op":10,"d":{"heartbeat_interval":41250}})")
                          + server_frame(fin_text, "second") } };
  connect(server.url());
  CAF_REQUIRE(rec.wait_messages(2));
  CAF_CHECK_EQUAL(rec.messages[0].first, R"({"op":10,"d":{"heartbeat_interval":41250}})");
  CAF_CHECK_EQUAL(rec.messages[1].first, "second");
}

CAF_TEST(many frames in one write are one flush) {
  std::string burst;
  for (int i = 0; i < 200; ++i)
    burst += server_frame(fin_text, "event " + std::to_string(i));
  raw_ws_server server{ { "", burst } };
  connect(server.url());
  CAF_REQUIRE(rec.wait_messages(200));
  for (int i = 0; i < 200; ++i)
    CAF_CHECK_EQUAL(rec.messages[static_cast<size_t>(i)].first, "event " + std::to_string(i));
  CAF_MESSAGE("200 messages in " << flushes.load() << " flushes");
  CAF_CHECK_GREATER_OR_EQUAL(flushes.load(), 1);
  CAF_CHECK_LESS(flushes.load(), 50);
}

CAF_TEST(a frame that arrives a byte at a time is put together) {
  auto frame = server_frame(fin_text, std::string(300, 'z'));
  std::vector<std::string> script{ "" };
  for (char c : frame)
    script.emplace_back(1, c);
  raw_ws_server server{ script, std::chrono::milliseconds(1) };
  connect(server.url());
  CAF_REQUIRE(rec.wait_messages(1));
  CAF_CHECK_EQUAL(rec.messages[0].first, std::string(300, 'z'));
}

CAF_TEST(a ping is answered with a pong carrying its payload) {
  raw_ws_server server{ { server_frame(0x89, "hb-42") } };
  connect(server.url());
  auto frames = server.wait_frames(1);
  CAF_REQUIRE_EQUAL(frames.size(), 1u);
  CAF_CHECK_EQUAL(frames[0].opcode, 0xa);
  CAF_CHECK(frames[0].masked);
  CAF_CHECK_EQUAL(frames[0].payload, "hb-42");
}

CAF_TEST(the server close code is echoed and surfaced) {
  raw_ws_server server{ { server_frame(0x88, "\x0f\xa4"
                                             "Authentication failed.") } };
  connect(server.url());
  auto info = rec.wait_closed();
  CAF_CHECK(info.clean);
  CAF_CHECK(!info.local);
  CAF_CHECK_EQUAL(info.code, 4004u);
  CAF_CHECK_EQUAL(info.reason, "Authentication failed.");
  auto frames = server.wait_frames(1);
  CAF_REQUIRE_EQUAL(frames.size(), 1u);
  CAF_CHECK_EQUAL(frames[0].opcode, 0x8);
  CAF_CHECK_EQUAL(frames[0].payload.substr(0, 2), "\x0f\xa4");
}

CAF_TEST(a masked server frame is a protocol error told with 1002) {
  std::string masked = server_frame(fin_text, "abcd");
  masked[1] = static_cast<char>(masked[1] | 0x80);
  raw_ws_server server{ { server_frame(fin_text, "fine"), masked } };
  connect(server.url());
  auto info = rec.wait_closed();
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::protocol);
  CAF_MESSAGE(info.err->what());
  CAF_CHECK_EQUAL(rec.messages.size(), 1u);
  auto frames = server.wait_frames(1);
  CAF_REQUIRE_EQUAL(frames.size(), 1u);
  CAF_CHECK_EQUAL(frames[0].opcode, 0x8);
  CAF_CHECK_EQUAL(frames[0].payload.substr(0, 2), "\x03\xea"); // 1002
}

CAF_TEST(a wrong Sec - WebSocket - Accept fails the handshake) {
  raw_ws_server server{ { server_frame(fin_text, "never") },
                        std::chrono::milliseconds(0),
                        "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" };
  connect(server.url());
  auto info = rec.wait_closed();
  CAF_REQUIRE(info.err.has_value());
  CAF_CHECK(info.err->code == errc::protocol);
  CAF_CHECK(info.err->message.find("Sec-WebSocket-Accept") != std::string::npos);
  CAF_CHECK(!info.was_open);
  CAF_CHECK(rec.messages.empty());
}

CAF_TEST(client frames reach a raw server masked and in order) {
  raw_ws_server server{ {} };
  connect(server.url());
  CAF_REQUIRE(rec.wait_open());
  client->send(R"({"op":1,"d":null})", false);
  client->send(std::string(70000, 'b'), true);
  client->close(4000, "resuming");
  auto frames = server.wait_frames(3);
  CAF_REQUIRE_EQUAL(frames.size(), 3u);
  CAF_CHECK_EQUAL(frames[0].opcode, 1);
  CAF_CHECK_EQUAL(frames[0].payload, R"({"op":1,"d":null})");
  CAF_CHECK_EQUAL(frames[1].opcode, 2);
  CAF_CHECK(frames[1].payload == std::string(70000, 'b'));
  CAF_CHECK_EQUAL(frames[2].opcode, 8);
  CAF_CHECK_EQUAL(frames[2].payload, std::string("\x0f\xa0resuming"));
  for (auto& f : frames)
    CAF_CHECK(f.masked);
}

CAF_TEST_FIXTURE_SCOPE_END()
