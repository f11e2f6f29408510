// Two real actor systems in one process, talking over a real TCP socket on
// 127.0.0.1: the smallest cluster there is.
#define CAF_SUITE actors.remote_roundtrip

#include "caf/test/unit_test.hpp"

#include <chrono>

#include "caf/actor_system.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/io/middleman.hpp"
#include "caf/scoped_actor.hpp"

#include "actors/node_info_service.hpp"
#include "actors/register_types.hpp"

using namespace spectacles::actors;

namespace {

struct node_cfg : caf::actor_system_config {
  node_cfg() {
    register_types(*this);
    load<caf::io::middleman>();
    set("scheduler.max-threads", size_t{ 2 });
  }
};

} // namespace

CAF_TEST(a published actor answers a custom type across two actor systems) {
  node_cfg cfg_a;
  node_cfg cfg_b;
  caf::actor_system a{ cfg_a };
  caf::actor_system b{ cfg_b };
  auto svc = a.spawn(node_info_service, node_info{ "node-a", { "router", "worker" }, "", 7, 0 });
  auto port = a.middleman().publish(svc, 0, "127.0.0.1", true);
  CAF_REQUIRE(port);
  CAF_CHECK_NOT_EQUAL(*port, 0u);
  auto proxy = b.middleman().remote_actor<node_info_actor>("127.0.0.1", *port);
  CAF_REQUIRE(proxy);
  CAF_CHECK_EQUAL(proxy->node(), a.node());
  CAF_CHECK_NOT_EQUAL(proxy->node(), b.node());
  caf::scoped_actor self{ b };
  bool answered = false;
  self->request(*proxy, std::chrono::seconds(10), get_atom::value)
    .receive(
      [&](const node_info& info) {
        answered = true;
        CAF_CHECK_EQUAL(info.name, "node-a");
        CAF_CHECK_EQUAL(info.roles, (std::vector<std::string>{ "router", "worker" }));
        CAF_CHECK_EQUAL(info.pid, 7u);
        CAF_CHECK_GREATER_OR_EQUAL(info.uptime_ms, 0);
      },
      [&](const caf::error& err) {
        CAF_FAIL("request failed: " << b.render(err));
      });
  CAF_CHECK(answered);
  caf::anon_send_exit(svc, caf::exit_reason::user_shutdown);
}

CAF_TEST(connecting to a closed port is an error value not a hang) {
  node_cfg cfg;
  caf::actor_system sys{ cfg };
  // Publish then close to get a port that is certainly not listening.
  auto svc = sys.spawn(node_info_service, node_info{ "tmp", {}, "", 1, 0 });
  auto port = sys.middleman().publish(svc, 0, "127.0.0.1", true);
  CAF_REQUIRE(port);
  CAF_REQUIRE(sys.middleman().unpublish(svc, *port));
  auto proxy = sys.middleman().remote_actor<node_info_actor>("127.0.0.1", *port);
  CAF_CHECK(!proxy);
  caf::anon_send_exit(svc, caf::exit_reason::user_shutdown);
}
