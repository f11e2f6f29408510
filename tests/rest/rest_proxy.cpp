// The REST proxy against the simulator: curl (any HTTP client) talks Discord's
// API at /api/v10 with its own token; calls go through the rest_router.
#include "actors/rest_proxy.hpp"

#define CAF_SUITE actors.rest_proxy

#include "caf/test/unit_test.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "tests/rest/rest_support.hpp"

using namespace spectacles;
using namespace spectacles::actors;
using namespace spectacles::actors::testing;

namespace {

struct curl_result {
  int status = 0;
  std::string body;
};

/// Runs curl; status 0 when curl itself failed.
curl_result curl(const std::string& args) {
  std::string cmd = "curl -s -m 20 -w '\\n%{http_code}' " + args + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe{ popen(cmd.c_str(), "r"), pclose };
  curl_result out;
  if (!pipe)
    return out;
  std::string text;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), pipe.get())) > 0)
    text.append(buf, n);
  auto nl = text.rfind('\n');
  if (nl == std::string::npos)
    return out;
  out.body = text.substr(0, nl);
  out.status = std::atoi(text.c_str() + nl + 1);
  return out;
}

/// Runs a shell command, returns its stdout (stderr dropped) and exit code.
std::pair<int, std::string> run(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe{ popen((cmd + " 2>/dev/null").c_str(), "r"), pclose };
  std::string text;
  if (!pipe)
    return { -1, text };
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), pipe.get())) > 0)
    text.append(buf, n);
  int rc = pclose(pipe.release());
  return { rc, text };
}

bool have_curl() {
  return std::system("curl --version > /dev/null 2>&1") == 0;
}

} // namespace

CAF_TEST(curl gets Discord replies through the proxy and the router) {
  if (!have_curl()) {
    CAF_MESSAGE("SKIPPED: curl is not installed");
    return;
  }
  rest_env env;
  auto opts = env.router_options();
  opts.token.clear(); // the proxy's clients bring their own
  auto router = env.start_router(opts);
  auto started = rest_proxy::start(*env.sys, env.io->context(), router);
  CAF_REQUIRE(static_cast<bool>(started));
  auto proxy = *started;
  auto base = "http://127.0.0.1:" + std::to_string(proxy->port()) + "/api/v10";
  auto me = curl("-H 'Authorization: Bot sim-token' " + base + "/users/@me");
  CAF_CHECK_EQUAL(me.status, 200);
  CAF_CHECK_NOT_EQUAL(me.body.find("spectacles-sim"), std::string::npos);
  auto posted = curl("-X POST -H 'Authorization: Bot sim-token' -H 'Content-Type: "
                     "application/json' -d '{\"content\":\"via proxy\"}' "
                     + base + "/channels/" + env.channel() + "/messages");
  CAF_CHECK_EQUAL(posted.status, 200);
  CAF_CHECK_NOT_EQUAL(posted.body.find("via proxy"), std::string::npos);
  auto unknown = curl("-H 'Authorization: Bot sim-token' " + base + "/channels/123456789012345678");
  CAF_CHECK_EQUAL(unknown.status, 404);
  CAF_CHECK_NOT_EQUAL(unknown.body.find("10003"), std::string::npos);
  auto bad_version
    = curl("http://127.0.0.1:" + std::to_string(proxy->port()) + "/api/v9/users/@me");
  CAF_CHECK_NOT_EQUAL(bad_version.status, 200);
  // A wrong token: Discord's 401 once, then the cluster refuses it itself.
  auto first = curl("-H 'Authorization: Bot wrong' " + base + "/users/@me");
  CAF_CHECK_EQUAL(first.status, 401);
  auto second = curl("-H 'Authorization: Bot wrong' " + base + "/users/@me");
  CAF_CHECK_EQUAL(second.status, 401);
  CAF_CHECK_NOT_EQUAL(second.body.find("token_invalid"), std::string::npos);
  auto v = env.sim->verdict_snapshot();
  CAF_CHECK_EQUAL(v.rest_unauthorized, 1u);
  CAF_CHECK_EQUAL(v.rest_exhausted_bucket, 0u);
  proxy->stop();
}

CAF_TEST(a caller without a token never gets the bot token) {
  rest_env env;
  auto router = env.start_router(env.router_options()); // the router holds the bot token
  auto get_me = [&](const rest_proxy_options& po) {
    auto started = rest_proxy::start(*env.sys, env.io->context(), router, po);
    CAF_REQUIRE(static_cast<bool>(started));
    auto url = "http://127.0.0.1:" + std::to_string((*started)->port()) + "/api/v10/users/@me";
    auto r = env.http->request_sync("GET", url);
    (*started)->stop();
    CAF_REQUIRE(static_cast<bool>(r));
    return r->status;
  };
  // By default the request goes out as its caller sent it: without a token,
  // and Discord (the sim) answers 401.
  auto anonymous = get_me(rest_proxy_options{});
  CAF_CHECK_EQUAL(anonymous, 401u);
  CAF_CHECK_EQUAL(env.sim->verdict_snapshot().rest_unauthorized, 1u);
  // Lending the bot token is an explicit choice.
  rest_proxy_options lend;
  lend.lend_bot_token = true;
  auto lent = get_me(lend);
  CAF_CHECK_EQUAL(lent, 200u);
}

CAF_TEST(discord.js REST client works against the proxy) {
  if (std::system("npm --version > /dev/null 2>&1") != 0
      || std::system("node --version > /dev/null 2>&1") != 0) {
    CAF_MESSAGE("SKIPPED: npm/node are not installed; the @discordjs/rest test needs them");
    return;
  }
  // Installed once per machine into a cache directory (npm needs the registry).
  auto dir = std::filesystem::temp_directory_path() / "spectacles-discordjs-rest";
  std::filesystem::create_directories(dir);
  if (!std::filesystem::exists(dir / "node_modules" / "@discordjs" / "rest")) {
    auto [rc, out]
      = run("cd '" + dir.string() + "' && npm install --no-audit --no-fund @discordjs/rest@2");
    if (rc != 0) {
      CAF_MESSAGE("SKIPPED: npm could not install @discordjs/rest (no registry access?)");
      return;
    }
  }
  {
    std::ofstream js{ dir / "probe.js" };
    js << R"(const { REST } = require('@discordjs/rest');
const rest = new REST({ api: process.argv[2], version: '10', retries: 0 }).setToken('sim-token');
(async () => {
  const me = await rest.get('/users/@me');
  const msg = await rest.post(`/channels/${process.argv[3]}/messages`,
                              { body: { content: 'from discord.js' } });
  let missing = 'none';
  try { await rest.get('/channels/123456789012345678'); } catch (e) { missing = String(e.code); }
  console.log(JSON.stringify({ me: me.username, content: msg.content, missing }));
})().catch((e) => { console.error(e); process.exit(1); });
)";
  }
  rest_env env;
  auto opts = env.router_options();
  opts.token.clear();
  auto router = env.start_router(opts);
  auto started = rest_proxy::start(*env.sys, env.io->context(), router);
  CAF_REQUIRE(static_cast<bool>(started));
  auto proxy = *started;
  auto api = "http://127.0.0.1:" + std::to_string(proxy->port()) + "/api";
  auto [rc, out] = run("cd '" + dir.string() + "' && node probe.js " + api + " " + env.channel());
  CAF_CHECK_EQUAL(rc, 0);
  CAF_CHECK_NOT_EQUAL(out.find(R"("me":"spectacles-sim")"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(out.find(R"("content":"from discord.js")"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(out.find(R"("missing":"10003")"), std::string::npos);
  CAF_MESSAGE("node said: " << out);
  CAF_CHECK_EQUAL(env.sim->verdict_snapshot().rest_exhausted_bucket, 0u);
  proxy->stop();
}
