#include "actors/node_info_service.hpp"

#define CAF_SUITE actors.node_info_service

#include "caf/test/dsl.hpp"

#include "actors/register_types.hpp"

using namespace spectacles::actors;

namespace {

struct test_config : caf::actor_system_config {
  test_config() {
    register_types(*this);
  }
};

struct fixture : test_coordinator_fixture<test_config> {
  node_info_actor svc;

  fixture() {
    svc = sys.spawn(node_info_service, node_info{ "gw-1", { "gateway" }, "127.0.0.1:4000", 42, 0 });
    run();
  }

  ~fixture() {
    caf::anon_send_exit(svc, caf::exit_reason::user_shutdown);
    run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(node_info_service_tests, fixture)

CAF_TEST(replies with its identity and an uptime from the actor clock) {
  self->send(svc, get_atom::value);
  expect((get_atom), from(self).to(svc));
  expect((node_info),
         from(svc).to(self).with(node_info{ "gw-1", { "gateway" }, "127.0.0.1:4000", 42, 0 }));
  advance_time(std::chrono::seconds(90));
  self->send(svc, get_atom::value);
  expect((get_atom), from(self).to(svc));
  expect((node_info),
         from(svc).to(self).with(node_info{ "gw-1", { "gateway" }, "127.0.0.1:4000", 42, 90000 }));
}

CAF_TEST(fills in the process id when none is given) {
  auto anonymous = sys.spawn(node_info_service, node_info{ "w", { "worker" }, "", 0, 0 });
  run();
  self->send(anonymous, get_atom::value);
  run();
  auto reply = node_info{};
  self->receive([&](node_info& x) {
    reply = std::move(x);
  });
  CAF_CHECK_EQUAL(reply.pid, static_cast<uint32_t>(::getpid()));
  caf::anon_send_exit(anonymous, caf::exit_reason::user_shutdown);
  run();
}

CAF_TEST_FIXTURE_SCOPE_END()
