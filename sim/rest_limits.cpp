#include "sim/rest_limits.hpp"

#include "sim/json_writer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace spectacles::sim {

namespace {

bool is_id(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string_view::npos)
      j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

// A stable 32-hex-digit name like Discord's opaque bucket ids.
std::string derive_hash(std::string_view name) {
  uint64_t a = 1469598103934665603ull, b = 1099511628211ull * 31;
  for (char c : name) {
    a = (a ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    b = (b ^ static_cast<unsigned char>(c)) * 1469598103934665603ull + 7;
  }
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return buf;
}

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", s);
  return buf;
}

} // namespace

route_key classify_route(std::string_view method, std::string_view path,
                         std::string_view application_id) {
  route_key key;
  key.method = std::string{ method };
  auto parts = split_path(path);
  if (parts.size() >= 2 && (parts[0] == "channels" || parts[0] == "guilds") && is_id(parts[1]))
    key.major
      = std::string{ parts[0] == "channels" ? "channel:" : "guild:" } + std::string{ parts[1] };
  bool webhook = parts.size() >= 2 && parts[0] == "webhooks" && is_id(parts[1]);
  bool interaction = parts.size() >= 4 && parts[0] == "interactions" && parts[3] == "callback";
  if (webhook) {
    key.major = "webhook:" + std::string{ parts[1] };
    if (parts.size() >= 3)
      key.major += "/" + std::string{ parts[2] };
    key.interaction = !application_id.empty() && parts[1] == application_id;
  }
  if (interaction) {
    key.major = "interaction:" + std::string{ parts[1] } + "/" + std::string{ parts[2] };
    key.interaction = true;
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    auto p = parts[i];
    if (i > 0 && parts[i - 1] == "reactions") {
      // Every reaction route of a message shares one key (PROTOCOL.md §2.9).
      key.route += "/:reaction";
      break;
    }
    key.route += '/';
    if (is_id(p))
      key.route += ":id";
    else if ((webhook || interaction) && i == 2)
      key.route += ":token";
    else
      key.route += p;
  }
  if (key.route.empty())
    key.route = "/";
  // Deleting a message older than 14 days has its own, slower bucket
  // (PROTOCOL.md §2.9: about 30 per 4 s); the age comes from the snowflake.
  if (method == "DELETE" && parts.size() == 4 && parts[0] == "channels" && parts[2] == "messages"
      && is_id(parts[3])) {
    uint64_t id = 0;
    for (char c : parts[3])
      id = id * 10 + static_cast<uint64_t>(c - '0');
    constexpr int64_t discord_epoch_ms = 1420070400000;
    auto created_ms = static_cast<int64_t>(id >> 22) + discord_epoch_ms;
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    key.old_message = now_ms - created_ms > int64_t{ 14 } * 24 * 3600 * 1000;
  }
  return key;
}

rest_limits_options default_rest_limits() {
  rest_limits_options o;
  auto add = [&](std::string route, std::string hash, unsigned limit, long ms) {
    o.routes[std::move(route)] = bucket_limit{ std::move(hash), limit, milliseconds{ ms } };
  };
  add("POST /channels/:id/messages", "80c17d2f203122d936070c88c8d10f33", 5, 5000);
  add("PATCH /channels/:id/messages/:id", "2c3b1e6f9d3a4e0c8b7f1a5d6e9c0b21", 5, 5000);
  add("DELETE /channels/:id/messages/:id", "b0a1d7e6c5f4e3d2c1b0a9f8e7d6c5b4", 5, 1000);
  add("DELETE /channels/:id/messages/:id (old)", "3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b", 30, 4000);
  add("GET /channels/:id/messages", "4d3c2b1a0f9e8d7c6b5a49382716f5e4", 5, 5000);
  add("GET /channels/:id/messages/:id", "4d3c2b1a0f9e8d7c6b5a49382716f5e4", 5, 5000);
  add("POST /channels/:id/messages/bulk-delete", "e9d8c7b6a5f4e3d2c1b0a99887766554", 1, 1000);
  // PUT and DELETE of reactions share one bucket hash, as Discord reports.
  add("PUT /channels/:id/messages/:id/reactions/:reaction", "c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0", 1,
      250);
  add("DELETE /channels/:id/messages/:id/reactions/:reaction", "c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0",
      1, 250);
  add("GET /guilds/:id/members", "7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b", 10, 10000);
  add("GET /guilds/:id/members/:id", "7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b", 10, 10000);
  add("GET /gateway/bot", "0a1b2c3d4e5f60718293a4b5c6d7e8f9", 2, 5000);
  add("POST /interactions/:id/:token/callback", "f0e1d2c3b4a5968778695a4b3c2d1e0f", 5, 1000);
  add("POST /webhooks/:id/:token", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", 5, 2000);
  return o;
}

std::string rate_limited_body(double retry_after, bool global) {
  json_writer w;
  w.begin_object()
    .field("message", "You are being rate limited.")
    .field("retry_after", retry_after)
    .field("global", global)
    .end_object();
  return w.take();
}

rest_limits::rest_limits(rest_limits_options options) : options_(std::move(options)) {
  // Fill in derived hashes once so two routes never collide by accident.
  for (auto& [name, lim] : options_.routes)
    if (lim.hash.empty())
      lim.hash = derive_hash(name);
}

const bucket_limit& rest_limits::limit_for(const route_key& key) const {
  auto i = options_.routes.find(key.limit_name());
  return i != options_.routes.end() ? i->second : options_.default_limit;
}

std::string rest_limits::bucket_hash(const route_key& key) const {
  auto& lim = limit_for(key);
  return lim.hash.empty() ? derive_hash(key.limit_name()) : lim.hash;
}

limit_decision rest_limits::check(std::string_view token, const route_key& key, time_point now) {
  limit_decision d;
  d.bucket = bucket_hash(key);
  if (!options_.enabled)
    return d;
  // Global limit first: per token, sliding one-second window (§2.7).
  if (!key.interaction && options_.global_per_second > 0) {
    auto& q = global_[std::string{ token }];
    while (!q.empty() && now - q.front() >= std::chrono::seconds{ 1 })
      q.pop_front();
    if (q.size() >= options_.global_per_second) {
      d.allowed = false;
      d.scope = "global";
      d.retry_after = std::max(0.001, seconds_between(now, q.front() + std::chrono::seconds{ 1 }));
      d.body = rate_limited_body(d.retry_after, true);
      d.headers.emplace_back("X-RateLimit-Global", "true");
      d.headers.emplace_back("X-RateLimit-Scope", "global");
      d.headers.emplace_back("Retry-After",
                             std::to_string(static_cast<long>(std::ceil(d.retry_after))));
      return d;
    }
    q.push_back(now);
  }
  auto& lim = limit_for(key);
  auto& b = buckets_[d.bucket + ":" + key.major];
  if (b.limit == 0 || now >= b.reset_at) {
    b.limit = lim.limit;
    b.remaining = lim.limit;
    b.reset_at = now + lim.window;
  }
  double reset_after = seconds_between(now, b.reset_at);
  if (b.remaining == 0) {
    d.allowed = false;
    d.scope = "user";
    d.retry_after = std::max(0.001, reset_after);
    d.body = rate_limited_body(d.retry_after, false);
  } else {
    --b.remaining;
  }
  d.headers.emplace_back("X-RateLimit-Limit", std::to_string(b.limit));
  d.headers.emplace_back("X-RateLimit-Remaining", std::to_string(b.remaining));
  d.headers.emplace_back("X-RateLimit-Reset", format_seconds(epoch_seconds(b.reset_at)));
  d.headers.emplace_back("X-RateLimit-Reset-After", format_seconds(reset_after));
  d.headers.emplace_back("X-RateLimit-Bucket", d.bucket);
  if (!d.allowed) {
    d.headers.emplace_back("X-RateLimit-Scope", "user");
    d.headers.emplace_back("Retry-After",
                           std::to_string(static_cast<long>(std::ceil(d.retry_after))));
  }
  return d;
}

void rest_limits::record_status(unsigned status, std::string_view scope, time_point now) {
  if (status != 401 && status != 403 && status != 429)
    return;
  if (status == 429 && scope == "shared")
    return;
  invalid_.push_back(now);
  invalid_requests(now);
  peak_invalid_ = std::max(peak_invalid_, invalid_.size());
}

size_t rest_limits::invalid_requests(time_point now) {
  while (!invalid_.empty() && now - invalid_.front() >= std::chrono::minutes{ 10 })
    invalid_.pop_front();
  return invalid_.size();
}

} // namespace spectacles::sim
