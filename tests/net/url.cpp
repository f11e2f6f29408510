#include "net/url.hpp"

#define CAF_SUITE net.url

#include "caf/test/unit_test.hpp"

using namespace spectacles::net;

CAF_TEST(gateway and REST URLs split into their parts) {
  auto g = parse_url("wss://gateway.discord.gg/?v=10&encoding=json&compress=zstd-stream");
  CAF_REQUIRE(static_cast<bool>(g));
  CAF_CHECK_EQUAL(g->scheme, "wss");
  CAF_CHECK_EQUAL(g->host, "gateway.discord.gg");
  CAF_CHECK_EQUAL(g->port, 443u);
  CAF_CHECK_EQUAL(g->target, "/?v=10&encoding=json&compress=zstd-stream");
  CAF_CHECK(g->tls());
  CAF_CHECK_EQUAL(g->host_header(), "gateway.discord.gg");
  auto r = parse_url("HTTP://127.0.0.1:8080/api/v10/users/@me#frag");
  CAF_REQUIRE(static_cast<bool>(r));
  CAF_CHECK_EQUAL(r->scheme, "http");
  CAF_CHECK_EQUAL(r->port, 8080u);
  CAF_CHECK_EQUAL(r->target, "/api/v10/users/@me");
  CAF_CHECK_EQUAL(r->host_header(), "127.0.0.1:8080");
  CAF_CHECK_EQUAL(r->origin(), "http://127.0.0.1:8080");
  auto q = parse_url("ws://localhost?v=10");
  CAF_REQUIRE(static_cast<bool>(q));
  CAF_CHECK_EQUAL(q->target, "/?v=10");
  auto v6 = parse_url("ws://[::1]:9000/x");
  CAF_REQUIRE(static_cast<bool>(v6));
  CAF_CHECK_EQUAL(v6->host, "::1");
  CAF_CHECK_EQUAL(v6->host_header(), "[::1]:9000");
}

CAF_TEST(bad URLs are invalid_argument errors naming the URL) {
  for (auto text : { "discord.com/api", "ftp://x/", "http:///x", "http://x:0/", "http://x:70000/",
                     "http://x:8a/", "http://[::1/", "http://user@x/" }) {
    auto u = parse_url(text);
    CAF_CHECK(!u);
    if (!u) {
      CAF_CHECK(u.error().code == errc::invalid_argument);
      CAF_CHECK(u.error().message.find(text) != std::string::npos);
    }
  }
}
