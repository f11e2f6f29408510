#include "sim/verdict.hpp"

#include "sim/json_writer.hpp"

namespace spectacles::sim {

void verdict::note(std::string text) {
  if (notes.size() < 100)
    notes.push_back(std::move(text));
}

bool verdict::clean() const {
  return identify_pacing_violations == 0 && identify_cap_exceeded == 0 && missing_heartbeats == 0
         && late_heartbeats == 0 && resumes_wrong_url == 0 && resumes_wrong_seq == 0
         && resumes_unknown_session == 0 && commands_rate_limited == 0 && rest_exhausted_bucket == 0
         && rest_global_breaches == 0 && rest_after_unauthorized == 0;
}

std::string verdict::to_json() const {
  json_writer w;
  w.begin_object().field("clean", clean());
  w.key("identify")
    .begin_object()
    .field("total", identifies)
    .field("pacing_violations", identify_pacing_violations)
    .field("cap_exceeded", identify_cap_exceeded)
    .end_object();
  w.key("heartbeats")
    .begin_object()
    .field("received", heartbeats)
    .field("missing", missing_heartbeats)
    .field("late", late_heartbeats)
    .end_object();
  w.key("resumes")
    .begin_object()
    .field("ok", resumes_ok)
    .field("wrong_url", resumes_wrong_url)
    .field("wrong_seq", resumes_wrong_seq)
    .field("unknown_session", resumes_unknown_session)
    .end_object();
  w.field("commands_rate_limited", commands_rate_limited);
  w.key("shards").begin_object();
  for (auto& [id, t] : shards)
    w.key(std::to_string(id))
      .begin_object()
      .field("events", t.events)
      .field("last_seq", t.last_seq)
      .field("sessions", t.sessions)
      .field("resumes", t.resumes)
      .field("pings", t.pings)
      .end_object();
  w.end_object();
  auto codes = [&](std::string_view name, const std::map<int, uint64_t>& m) {
    w.key(name).begin_object();
    for (auto& [code, n] : m)
      w.field(std::to_string(code), n);
    w.end_object();
  };
  codes("closes_sent", closes_sent);
  codes("closes_received", closes_received);
  w.key("rest")
    .begin_object()
    .field("requests", rest_requests)
    .field("exhausted_bucket", rest_exhausted_bucket)
    .field("global_breaches", rest_global_breaches);
  w.key("rate_limited").begin_object();
  for (auto scope : { "user", "global", "shared" }) {
    auto i = rest_rate_limited.find(scope);
    w.field(scope, i == rest_rate_limited.end() ? uint64_t{ 0 } : i->second);
  }
  w.end_object();
  w.field("unauthorized", rest_unauthorized)
    .field("resets", rest_resets)
    .field("after_unauthorized", rest_after_unauthorized)
    .field("invalid_last_10min", invalid_last_10min)
    .field("invalid_peak_10min", invalid_peak_10min)
    .end_object();
  w.key("notes").begin_array();
  for (auto& n : notes)
    w.value(n);
  w.end_array();
  w.end_object();
  return w.take();
}

} // namespace spectacles::sim
