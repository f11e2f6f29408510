// Membership across real spectacles-node processes on 127.0.0.1: joining
// through a seed, death by kill -9 and by SIGSTOP, rejoining after a restart,
// and a cluster closed to processes without its certificate.
#define CAF_SUITE cluster.membership

#include "caf/test/unit_test.hpp"

#include <chrono>
#include <filesystem>
#include <set>

#include "caf/actor_system.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/io/middleman.hpp"
#include "caf/openssl/manager.hpp"
#include "caf/openssl/remote_actor.hpp"
#include "caf/scoped_actor.hpp"

#include "actors/register_types.hpp"
#include "actors/type_ids.hpp"
#include "cluster/node_process.hpp"
#include "net/certs.hpp"
#include "nodes/openssl_error_queue.hpp"

using namespace std::chrono_literals;
using spectacles::test::eventually;
using spectacles::test::node_process;
namespace actors = spectacles::actors;

namespace {

std::vector<std::string> plain_args(const std::string& name, const std::string& seed = "") {
  std::vector<std::string> args{ "run", "--node.name=" + name, "--node.roles=[\"worker\"]",
                                 "--cluster.listen=127.0.0.1:0", "--cluster.insecure-loopback" };
  if (!seed.empty())
    args.push_back("--cluster.seeds=[\"" + seed + "\"]");
  return args;
}

struct client_config : caf::actor_system_config {
  client_config(const std::string& ca = "", const std::string& cert = "",
                const std::string& key = "") {
    actors::register_types(*this);
    load<caf::io::middleman>();
    if (!ca.empty()) {
      load<caf::openssl::manager>();
      openssl_cafile = ca;
      openssl_certificate = cert;
      openssl_key = key;
    }
    set("middleman.heartbeat-interval", caf::timespan{ 250ms });
    set("middleman.connection-timeout", caf::timespan{ 1500ms });
  }
};

// The names of the members a node reports, or {"<error>"}.
std::set<std::string> members_of(caf::actor_system& sys, const node_process& node,
                                 bool tls = false) {
  auto agent = tls ? caf::openssl::remote_actor(sys, "127.0.0.1", node.port())
                   : sys.middleman().remote_actor("127.0.0.1", node.port());
  if (!agent)
    return { "<unreachable>" };
  std::set<std::string> names;
  caf::scoped_actor self{ sys };
  self->request(*agent, 5s, actors::members_atom::value)
    .receive(
      [&](const std::vector<actors::member>& ms) {
        for (auto& m : ms)
          names.insert(m.info.name);
      },
      [&](const caf::error&) {
        names.insert("<error>");
      });
  return names;
}

using names = std::set<std::string>;

} // namespace

CAF_TEST(three nodes join through one seed and learn each other) {
  node_process a{ "a", plain_args("a") };
  CAF_REQUIRE(a.started());
  node_process b{ "b", plain_args("b", a.address()) };
  node_process c{ "c", plain_args("c", a.address()) };
  CAF_REQUIRE(b.started() && c.started());
  client_config cfg;
  caf::actor_system sys{ cfg };
  auto all = names{ "a", "b", "c" };
  CAF_CHECK(eventually(
    [&] {
      return members_of(sys, a) == all;
    },
    5s));
  CAF_CHECK(eventually(
    [&] {
      return members_of(sys, b) == all;
    },
    5s));
  // c joined through a but knows b: the mesh is direct, not via the seed.
  CAF_CHECK(eventually(
    [&] {
      return members_of(sys, c) == all;
    },
    5s));
}

CAF_TEST(a killed node is announced at once and a frozen one within two seconds) {
  node_process a{ "a", plain_args("a") };
  node_process b{ "b", plain_args("b", a.address()) };
  node_process c{ "c", plain_args("c", a.address()) };
  CAF_REQUIRE(a.started() && b.started() && c.started());
  client_config cfg;
  caf::actor_system sys{ cfg };
  CAF_REQUIRE(eventually(
    [&] {
      return members_of(sys, a) == names{ "a", "b", "c" };
    },
    5s));
  b.signal(SIGKILL);
  auto t0 = std::chrono::steady_clock::now();
  CAF_CHECK(eventually(
    [&] {
      return members_of(sys, a) == names{ "a", "c" };
    },
    1s));
  CAF_MESSAGE("kill -9 seen after " << (std::chrono::steady_clock::now() - t0) / 1ms << " ms");
  c.signal(SIGSTOP);
  t0 = std::chrono::steady_clock::now();
  CAF_CHECK(eventually(
    [&] {
      return members_of(sys, a) == names{ "a" };
    },
    2s));
  auto frozen_ms = (std::chrono::steady_clock::now() - t0) / 1ms;
  CAF_MESSAGE("SIGSTOP seen after " << frozen_ms << " ms");
  CAF_CHECK_LESS_OR_EQUAL(frozen_ms, 2000);
  // Thawed, it finds the cluster again through its seed.
  c.signal(SIGCONT);
  CAF_CHECK(eventually(
    [&] {
      return members_of(sys, a) == names{ "a", "c" };
    },
    8s));
}

CAF_TEST(a restarted seed is rejoined by the nodes that knew it) {
  auto a = std::make_unique<node_process>("a", plain_args("a"));
  CAF_REQUIRE(a->started());
  auto seed = a->address();
  node_process b{ "b", plain_args("b", seed) };
  client_config cfg;
  caf::actor_system sys{ cfg };
  CAF_REQUIRE(eventually(
    [&] {
      return members_of(sys, b) == names{ "a", "b" };
    },
    5s));
  a.reset(); // kill -9
  CAF_CHECK(eventually(
    [&] {
      return members_of(sys, b) == names{ "b" };
    },
    2s));
  auto args = plain_args("a2");
  args[3] = "--cluster.listen=" + seed; // same address, new process
  node_process a2{ "a2", args };
  CAF_REQUIRE(a2.started());
  CAF_CHECK(eventually(
    [&] {
      return members_of(sys, b) == names{ "a2", "b" };
    },
    6s));
  CAF_CHECK(eventually(
    [&] {
      return members_of(sys, a2) == names{ "a2", "b" };
    },
    2s));
}

CAF_TEST(without the cluster certificate a process can neither join nor send) {
  CAF_REQUIRE(spectacles::nodes::openssl_error_queue_guard_active());
  auto dir
    = std::filesystem::temp_directory_path() / ("spectacles-mtls-" + std::to_string(::getpid()));
  auto other = dir / "other";
  CAF_REQUIRE(spectacles::net::make_ca(dir.string()));
  CAF_REQUIRE(spectacles::net::make_leaf(dir.string(), "a", { "IP:127.0.0.1" }));
  CAF_REQUIRE(spectacles::net::make_leaf(dir.string(), "b", { "IP:127.0.0.1" }));
  CAF_REQUIRE(spectacles::net::make_leaf(dir.string(), "client", { "IP:127.0.0.1" }));
  CAF_REQUIRE(spectacles::net::make_ca(other.string()));
  CAF_REQUIRE(spectacles::net::make_leaf(other.string(), "x", { "IP:127.0.0.1" }));
  auto tls_args
    = [](const std::filesystem::path& d, const std::string& name, const std::string& seed) {
        std::vector<std::string> args{ "run",
                                       "--node.name=" + name,
                                       "--cluster.listen=127.0.0.1:0",
                                       "--cluster.tls.ca=" + (d / "ca.pem").string(),
                                       "--cluster.tls.cert=" + (d / (name + ".pem")).string(),
                                       "--cluster.tls.key=" + (d / (name + ".key")).string() };
        if (!seed.empty())
          args.push_back("--cluster.seeds=[\"" + seed + "\"]");
        return args;
      };
  node_process a{ "a", tls_args(dir, "a", "") };
  CAF_REQUIRE(a.started());
  node_process b{ "b", tls_args(dir, "b", a.address()) };
  node_process x{ "x", tls_args(other, "x", a.address()) };
  CAF_REQUIRE(b.started() && x.started());
  client_config good{ (dir / "ca.pem").string(), (dir / "client.pem").string(),
                      (dir / "client.key").string() };
  caf::actor_system sys{ good };
  CAF_CHECK(eventually(
    [&] {
      return members_of(sys, a, true) == names{ "a", "b" };
    },
    5s));
  // x keeps retrying its seed; a plain client and a foreign-CA client try too.
  client_config plain;
  caf::actor_system plain_sys{ plain };
  CAF_CHECK(!plain_sys.middleman().remote_actor("127.0.0.1", a.port()));
  client_config foreign{ (other / "ca.pem").string(), (other / "x.pem").string(),
                         (other / "x.key").string() };
  caf::actor_system foreign_sys{ foreign };
  CAF_CHECK(!caf::openssl::remote_actor(foreign_sys, "127.0.0.1", a.port()));
  std::this_thread::sleep_for(2500ms); // x retries every 2 s
  // Nobody got in, and the refused handshakes did not drop the a-b link.
  // Asked again only when this test's own TLS connect fails (CI saw one time
  // out under load); a wrong member list is never retried.
  auto members_now = [&](const node_process& node) {
    auto got = members_of(sys, node, true);
    for (int attempt = 0; attempt < 3 && got == names{ "<unreachable>" }; ++attempt) {
      std::this_thread::sleep_for(200ms);
      got = members_of(sys, node, true);
    }
    return got;
  };
  CAF_CHECK_EQUAL(members_now(a), (names{ "a", "b" }));
  CAF_CHECK_EQUAL(members_now(b), (names{ "a", "b" }));
  CAF_CHECK_NOT_EQUAL(x.log().find("TLS handshake refused"), std::string::npos);
  std::filesystem::remove_all(dir);
}
