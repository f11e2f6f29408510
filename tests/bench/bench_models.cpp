// Envelope scan and full event decode in MB/s, each next to simdjson's DOM parse of the same
// bytes in the same run (the ratio is the figure). Goals (issue 3): scan >= 2x DOM, full
// decode >= 0.5x DOM. Every timed loop checks its result against the DOM's reading of the same
// payload, so a loop that did nothing would fail instead of looking fast.
#include "bench.hpp"

#include "models/envelope.hpp"
#include "models/events.hpp"

#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

using namespace spectacles;

namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in{ std::string(SPECTACLES_FIXTURES_DIR) + "/discord-captures/" + name };
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The fixtures are pretty-printed arrays of envelopes; the gateway sends compact single
// envelopes, so benchmark the first element, minified.
std::string first_envelope(const std::string& array_text) {
  simdjson::dom::parser parser;
  auto doc = parser.parse(array_text);
  simdjson::dom::array arr;
  if (doc.get_array().get(arr))
    return {};
  for (auto el : arr)
    return simdjson::minify(el);
  return {};
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_models: %s\n", what.c_str());
  std::exit(1);
}

template <class F>
double mb_per_s(size_t bytes, F&& once) {
  // Size the batch to ~20 ms so the clock resolution does not matter.
  size_t iters = 1;
  while (true) {
    auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < iters; ++i)
      once();
    if (bench::seconds_since(t0) > 0.02)
      break;
    iters *= 2;
  }
  std::vector<double> reps;
  for (int r = 0; r < 9; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < iters; ++i)
      once();
    double s = bench::seconds_since(t0);
    reps.push_back(static_cast<double>(bytes * iters) / s / 1e6);
  }
  return bench::median(reps);
}

void run(const std::string& label, const std::string& fixture) {
  auto text = first_envelope(read_fixture(fixture));
  if (text.empty())
    die("cannot read " + fixture);
  simdjson::padded_string padded{ text };

  // Reference: the DOM's reading of op, s, t.
  simdjson::dom::parser dom;
  simdjson::dom::element root;
  if (dom.parse(padded).get(root))
    die("DOM parse failed for " + fixture);
  int64_t ref_op = root["op"].get_int64().value_unsafe();
  uint64_t ref_s = root["s"].get_uint64().value_unsafe();
  std::string ref_t{ root["t"].get_string().value_unsafe() };

  double dom_mbs = mb_per_s(text.size(), [&] {
    simdjson::dom::element el;
    if (dom.parse(padded).get(el) || el["s"].get_uint64().value_unsafe() != ref_s)
      die("DOM result changed");
  });
  bench::report("models.dom_parse." + label, dom_mbs, "MB/s", "", 0,
                std::to_string(text.size()) + " bytes, simdjson DOM");

  double scan_mbs = mb_per_s(text.size(), [&] {
    auto r = models::scan_envelope(text);
    if (!r || r->op != ref_op || r->s != ref_s || r->t != ref_t)
      die("scan disagrees with the DOM: " + r.error_message());
  });
  bench::report("models.envelope_scan." + label, scan_mbs, "MB/s", "models.dom_parse." + label,
                dom_mbs,
                std::string("goal >= 2x DOM; kernel ")
                  + (models::active_scan_kernel() == models::scan_kernel::avx2 ? "avx2" : "sse2"));
  // The baseline kernel on the same bytes, for the figure of what runtime dispatch buys.
  double sse2_mbs = mb_per_s(text.size(), [&] {
    auto r = models::scan_envelope_with(models::scan_kernel::sse2, text);
    if (!r || r->op != ref_op || r->s != ref_s || r->t != ref_t)
      die("sse2 scan disagrees with the DOM: " + r.error_message());
  });
  bench::report("models.envelope_scan_sse2." + label, sse2_mbs, "MB/s", "models.dom_parse." + label,
                dom_mbs, "the baseline kernel, forced");

  auto env = models::scan_envelope(text);
  {
    auto ev = models::decode_event(env->t, env->d);
    if (!ev)
      die("decode failed: " + ev.error().message);
  }
  // The worker's step: typed decode of `d` (the shard already scanned the envelope).
  double decode_mbs = mb_per_s(text.size(), [&] {
    auto ev = models::decode_event(env->t, env->d);
    if (!ev || models::event_name(*ev) != ref_t)
      die("decode disagrees with the DOM");
  });
  bench::report("models.full_decode." + label, decode_mbs, "MB/s", "models.dom_parse." + label,
                dom_mbs, "decode_event(t, d) to typed structs; goal >= 0.5x DOM");
  // Both steps in one process, for a reader who wants the end-to-end figure.
  double both_mbs = mb_per_s(text.size(), [&] {
    auto r = models::scan_envelope(text);
    auto ev = models::decode_event(r->t, r->d);
    if (!ev || models::event_name(*ev) != ref_t)
      die("decode disagrees with the DOM");
  });
  bench::report("models.scan_and_decode." + label, both_mbs, "MB/s", "models.dom_parse." + label,
                dom_mbs, "scan_envelope + decode_event");
}

} // namespace

int main() {
  run("guild_create", "gateway_guild_create.json");
  run("message_create", "gateway_message_create.json");
  return 0;
}
