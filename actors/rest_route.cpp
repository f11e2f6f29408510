#include "actors/rest_route.hpp"

#include "models/snowflake.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace spectacles::actors {

namespace {

// base64("interaction:"): every interaction token seen in captures starts so.
constexpr std::string_view interaction_token_prefix = "aW50ZXJhY3Rpb246";

bool is_id(std::string_view segment) {
  return !segment.empty() && segment.size() <= 20
         && std::all_of(segment.begin(), segment.end(), [](char c) {
              return c >= '0' && c <= '9';
            });
}

std::vector<std::string_view> split_path(std::string_view path) {
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '?' || path[i] == '#') {
      path = path.substr(0, i);
      break;
    }
  }
  std::vector<std::string_view> segments;
  segments.reserve(8);
  size_t pos = 0;
  while (pos <= path.size()) {
    auto next = path.find('/', pos);
    if (next == std::string_view::npos)
      next = path.size();
    if (next > pos)
      segments.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  return segments;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) {
             return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
           };
           return lower(x) == lower(y);
         });
}

} // namespace

std::string_view to_string(rest_method method) {
  switch (method) {
    case rest_method::get: return "GET";
    case rest_method::head: return "HEAD";
    case rest_method::post: return "POST";
    case rest_method::put: return "PUT";
    case rest_method::patch: return "PATCH";
    case rest_method::delete_: return "DELETE";
  }
  return "GET";
}

std::optional<rest_method> parse_rest_method(std::string_view name) {
  static constexpr std::array<rest_method, 6> all{ rest_method::get,   rest_method::head,
                                                   rest_method::post,  rest_method::put,
                                                   rest_method::patch, rest_method::delete_ };
  for (auto method : all)
    if (to_string(method) == name)
      return method;
  return std::nullopt;
}

bool is_idempotent(rest_method method) {
  return method == rest_method::get || method == rest_method::head || method == rest_method::put
         || method == rest_method::delete_;
}

std::string token_digest(std::string_view token) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : token) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4)
    out[static_cast<size_t>(i)] = hex[hash & 0xF];
  return out;
}

rest_route make_rest_route(rest_method method, std::string_view path,
                           std::chrono::system_clock::time_point now,
                           const rest_route_options& options) {
  rest_route route;
  route.method = method;
  route.major = "global";
  auto segments = split_path(path);
  auto at = [&](size_t i) {
    return i < segments.size() ? segments[i] : std::string_view{};
  };

  // Major parameter: only at the top of the path, as Discord documents it.
  bool has_major
    = (at(0) == "channels" || at(0) == "guilds" || at(0) == "webhooks") && is_id(at(1));
  if (has_major) {
    route.major.assign(at(0));
    route.major += '/';
    route.major += at(1);
  }
  // Positions whose segment is a secret token.
  size_t token_at = SIZE_MAX;
  if (at(0) == "webhooks" && is_id(at(1)) && segments.size() >= 3)
    token_at = 2;
  bool callback
    = at(0) == "interactions" && is_id(at(1)) && segments.size() == 4 && at(3) == "callback";
  if (at(0) == "interactions" && segments.size() >= 3)
    token_at = 2;

  if (callback) {
    route.interaction_callback = true;
    route.global_exempt = true;
  }
  if (token_at == 2 && at(0) == "webhooks") {
    // Discord's major parameter is webhook id + token (§2.9): two tokens of
    // one webhook (every interaction's follow-ups use the application id)
    // have separate limits, and must not share one bucket actor here.
    route.major += "/:token~";
    route.major += token_digest(at(2));
    uint64_t webhook_id = models::snowflake::parse(at(1)).value_or(models::snowflake{}).value();
    bool by_application = options.application_id != 0 && webhook_id == options.application_id;
    if (by_application
        || at(2).substr(0, interaction_token_prefix.size()) == interaction_token_prefix)
      route.global_exempt = true;
  }

  std::string key{ to_string(method) };
  key += ' ';
  key.reserve(key.size() + path.size() + 24);
  std::string log_path;
  log_path.reserve(path.size());
  for (size_t i = 0; i < segments.size(); ++i) {
    auto segment = segments[i];
    std::string_view previous = i > 0 ? segments[i - 1] : std::string_view{};
    log_path += '/';
    key += '/';
    if (i == token_at) {
      log_path += ":token";
      key += ":token~";
      key += token_digest(segment);
      continue;
    }
    log_path += segment;
    if (has_major && i == 1) {
      key += segment;
    } else if (previous == "reactions" && i >= 3 && segments[i - 3] == "messages") {
      // Every reaction route of one message shares a key (§2.9); the emoji
      // and user tail do not make separate buckets.
      key += ":reaction";
      for (size_t j = i + 1; j < segments.size(); ++j) {
        log_path += '/';
        log_path += segments[j];
      }
      break;
    } else if (callback && i == 1) {
      // One key per interaction: callbacks never wait behind each other.
      key += segment;
    } else if (is_id(segment)) {
      key += ":id";
    } else if (previous == "invites" || previous == "templates") {
      key += ":code";
    } else {
      key += segment;
    }
  }
  if (segments.empty()) {
    key += '/';
    log_path = "/";
  }

  if (method == rest_method::delete_ && has_major && at(0) == "channels" && segments.size() == 4
      && at(2) == "messages" && is_id(at(3))) {
    auto id = models::snowflake::parse(at(3)).value_or(models::snowflake{});
    auto created
      = std::chrono::system_clock::time_point{} + std::chrono::milliseconds(id.timestamp());
    if (now - created > old_message_age) {
      route.old_message_delete = true;
      key += " (older than 14 days)";
    }
  }
  route.key = std::move(key);
  route.log_path = std::move(log_path);
  return route;
}

std::variant<proxy_target, proxy_target_error> normalize_proxy_target(std::string_view target) {
  auto refuse = [](int status, std::string message) {
    return proxy_target_error{ status, std::move(message) };
  };
  static constexpr std::string_view prefix = "/api/v10";
  static constexpr size_t max_target = 2048;
  if (target.size() > max_target)
    return refuse(414, "request target longer than " + std::to_string(max_target) + " bytes");
  for (unsigned char c : target)
    if (c <= 0x20 || c == 0x7F || c == '\\')
      return refuse(400, "request target contains a space, control character or backslash");
  if (target.find('#') != std::string_view::npos)
    return refuse(400, "request target contains a fragment ('#')");
  auto query_at = target.find('?');
  std::string_view path = target.substr(0, query_at);
  std::string_view query
    = query_at == std::string_view::npos ? std::string_view{} : target.substr(query_at + 1);
  if (path.substr(0, prefix.size()) != prefix
      || (path.size() > prefix.size() && path[prefix.size()] != '/')) {
    if (path.substr(0, 5) == "/api/" || path == "/api")
      return refuse(404, "only Discord API v10 is proxied: use /api/v10/... (got '"
                           + std::string(path.substr(0, 16)) + "')");
    return refuse(404, "not a Discord API path: the proxy serves /api/v10/...");
  }
  path.remove_prefix(prefix.size());
  if (path.empty() || path == "/")
    return refuse(404, "no endpoint after /api/v10");
  // Every segment must be non-empty and not "." or ".." (also percent-encoded),
  // so that one endpoint cannot be spelled two ways and land in two buckets.
  size_t pos = 1;
  while (pos <= path.size()) {
    auto next = path.find('/', pos);
    if (next == std::string_view::npos)
      next = path.size();
    auto segment = path.substr(pos, next - pos);
    if (segment.empty() && next != path.size())
      return refuse(400, "empty path segment ('//') in request target");
    if (segment == "." || segment == ".." || equals_ignoring_case(segment, "%2e")
        || equals_ignoring_case(segment, "%2e%2e") || equals_ignoring_case(segment, ".%2e")
        || equals_ignoring_case(segment, "%2e."))
      return refuse(400, "dot segment ('.' or '..') in request target");
    for (size_t i = 0; i + 2 < segment.size(); ++i)
      if (segment[i] == '%' && segment[i + 1] == '2'
          && (segment[i + 2] == 'f' || segment[i + 2] == 'F'))
        return refuse(400, "encoded slash ('%2F') in a path segment");
    pos = next + 1;
  }
  if (path.size() > 1 && path.back() == '/')
    path.remove_suffix(1);
  return proxy_target{ std::string(path), std::string(query) };
}

} // namespace spectacles::actors
