// The README's `./run demo`: spectacles-node with no configuration runs the
// simulator, a coordinator, a 4-shard gateway, the REST role, a router and
// the record and ping workers in one process. Run for a few seconds, it must
// exit 0 with a clean simulator verdict, every shard ready, no 429 and every
// ping it saw answered without a failed REST call.
#define CAF_SUITE cluster.demo

#include "caf/test/unit_test.hpp"

#include <regex>
#include <string>

#include "cluster/node_process.hpp"

using spectacles::test::node_process;

CAF_TEST(the embedded demo runs the whole path and stops clean) {
  node_process demo{ "demo", { "--duration", "12" } };
  auto out = demo.read_stdout();
  auto rc = demo.wait();
  CAF_MESSAGE("demo output:\n" << out);
  CAF_CHECK_EQUAL(rc, 0);
  CAF_CHECK_NOT_EQUAL(out.find("summary: 4/4 shards ready"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(out.find("global-limit breaches (clean)"), std::string::npos);
  // The last status line: events flowed, pings were answered, no 429.
  std::smatch last;
  std::regex status{ R"(events (\d+) \(.*pongs (\d+)/(\d+) \| 429s (\d+))" };
  for (auto it = std::sregex_iterator(out.begin(), out.end(), status); it != std::sregex_iterator();
       ++it)
    last = *it;
  CAF_REQUIRE(!last.empty());
  auto events = std::stoull(last[1].str());
  auto pongs = std::stoull(last[2].str());
  auto pings = std::stoull(last[3].str());
  auto limited = std::stoull(last[4].str());
  CAF_CHECK_GREATER(events, 100u);
  CAF_CHECK_GREATER(pings, 0u);
  // A ping seen in the last moments may still be on its way to Discord.
  CAF_CHECK_GREATER_OR_EQUAL(pongs + 2, pings);
  CAF_CHECK_EQUAL(limited, 0u);
  std::smatch ping_line;
  std::regex worker{
    R"(ping worker: (\d+) "!ping" seen, (\d+) "pong" replies sent, (\d+) failed)"
  };
  CAF_REQUIRE(std::regex_search(out, ping_line, worker));
  CAF_CHECK_EQUAL(ping_line[3].str(), "0");
  if (rc != 0)
    CAF_MESSAGE("demo log:\n" << demo.log());
}
