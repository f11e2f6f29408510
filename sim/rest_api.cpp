#include "sim/rest_api.hpp"

#include "sim/json_writer.hpp"
#include "sim/payloads.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <initializer_list>

namespace spectacles::sim {

struct rest_api::json_parser {
  simdjson::dom::parser parser;
};

namespace {

constexpr std::string_view api_prefix = "/api/v10";

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = std::min(path.find('/', i), path.size());
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

uint64_t to_id(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() ? v : 0;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      unsigned v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc{} && p == s.data() + i + 3) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = std::min(query.find('&'), query.size());
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? std::string{} : url_decode(pair.substr(eq + 1));
    query = amp < query.size() ? query.substr(amp + 1) : std::string_view{};
  }
  return {};
}

net::http_response json_response(unsigned status, std::string body) {
  net::http_response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

net::http_response no_content() {
  net::http_response r;
  r.status = 204;
  return r;
}

net::http_response not_found(int code, std::string_view what) {
  return json_response(404, error_body(code, what));
}

net::http_response invalid_json() {
  return json_response(400, error_body(50109, "The request body contains invalid JSON."));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x))
                  == std::tolower(static_cast<unsigned char>(y));
         });
}

bool has_header(const net::http_request& req, std::string_view name) {
  return std::any_of(req.headers.begin(), req.headers.end(), [&](const auto& h) {
    return iequals(h.first, name);
  });
}

/// A form error under a nested path, as Discord reports errors inside arrays:
/// {"code":50035,...,"errors":{"0":{"name":{"_errors":[{"code":...}]}}}}.
std::string nested_form_error(std::initializer_list<std::string_view> path, std::string_view code,
                              std::string_view message) {
  json_writer w;
  w.begin_object().field("message", "Invalid Form Body").field("code", 50035);
  w.key("errors").begin_object();
  for (auto p : path)
    w.key(p).begin_object();
  w.key("_errors").begin_array();
  w.begin_object().field("code", code).field("message", message).end_object();
  w.end_array();
  for (size_t i = 0; i < path.size(); ++i)
    w.end_object();
  w.end_object().end_object();
  return w.take();
}

net::http_response bad_length(std::string_view field, size_t min, size_t max) {
  return json_response(400, form_error_body(field, "BASE_TYPE_BAD_LENGTH",
                                            "Must be between " + std::to_string(min) + " and "
                                              + std::to_string(max) + " in length."));
}

std::string message_json(const world& state, const sim_message& msg) {
  json_writer w;
  write_message(w, state, msg);
  return w.take();
}

/// A thread as POST /channels/{id}/threads returns it (the shape of a
/// captured THREAD_CREATE, plus the creator's thread member).
void write_thread(json_writer& w, const sim_channel& t) {
  w.begin_object();
  id_field(w, "id", t.id);
  w.field("type", t.type);
  id_field(w, "last_message_id", t.last_message_id);
  w.field("flags", 0);
  id_field(w, "guild_id", t.guild_id);
  w.field("name", t.name);
  id_field(w, "parent_id", t.parent_id);
  w.field("rate_limit_per_user", 0);
  id_field(w, "owner_id", t.owner_id);
  w.key("thread_metadata").begin_object();
  w.field("archived", false).field("archive_timestamp", t.created);
  w.field("auto_archive_duration", t.auto_archive_duration).field("locked", false);
  w.field("create_timestamp", t.created);
  if (t.type == 12)
    w.field("invitable", true);
  w.end_object();
  w.field("message_count", 0).field("member_count", 1).field("total_message_sent", 0);
  w.key("member").begin_object();
  id_field(w, "id", t.id);
  id_field(w, "user_id", t.owner_id);
  w.field("join_timestamp", t.created).field("flags", 0);
  w.end_object();
  w.end_object();
}

/// A DM channel: {"id":..,"type":1,"last_message_id":..,"flags":0,"recipients":[user]}.
void write_dm(json_writer& w, const world& state, const sim_channel& c) {
  w.begin_object();
  id_field(w, "id", c.id);
  w.field("type", 1);
  id_field(w, "last_message_id", c.last_message_id);
  w.field("flags", 0);
  w.key("recipients").begin_array();
  if (auto* u = state.user(c.recipient_id))
    write_user(w, *u);
  w.end_array();
  w.end_object();
}

void write_any_channel(json_writer& w, const world& state, const sim_channel& c) {
  if (c.type == 1)
    write_dm(w, state, c);
  else if (c.type >= 10 && c.type <= 12)
    write_thread(w, c);
  else
    write_channel(w, c);
}

void write_command(json_writer& w, const sim_command& c, uint64_t application_id) {
  w.begin_object();
  id_field(w, "id", c.id);
  id_field(w, "application_id", application_id);
  id_field(w, "version", c.version);
  w.key("default_member_permissions");
  if (c.default_member_permissions.empty())
    w.null();
  else
    w.value(c.default_member_permissions);
  w.field("type", c.type).field("name", c.name).key("name_localizations").null();
  w.field("description", c.description).key("description_localizations").null();
  if (c.guild_id != 0)
    id_field(w, "guild_id", c.guild_id);
  else
    w.field("dm_permission", true);
  if (!c.options_json.empty())
    w.key("options").raw(c.options_json);
  w.key("contexts").null();
  w.key("integration_types").begin_array().value(0).end_array();
  w.field("nsfw", c.nsfw);
  w.end_object();
}

/// The message fields of a create/edit/execute body, JSON or multipart.
struct message_input {
  bool has_content = false;
  std::string content;
  bool has_embeds = false;
  std::string embeds_json = "[]";
  bool has_components = false; ///< the field was given (an empty list clears)
  std::string components_json = "[]";
  std::string nonce;
  std::vector<sim_attachment> files;
  int callback_type = -1; ///< interaction callback "type"
  std::string error;      ///< a ready 400 body when the input is bad
};

std::string content_type_of(const net::http_request& req) {
  std::string ct{ req.header("Content-Type") };
  std::transform(ct.begin(), ct.end(), ct.begin(), [](unsigned char c) {
    return std::tolower(c);
  });
  return ct;
}

std::string_view header_param(std::string_view headers, std::string_view name) {
  auto pos = headers.find(name);
  if (pos == std::string_view::npos)
    return {};
  pos += name.size();
  if (pos < headers.size() && headers[pos] == '"') {
    auto end = headers.find('"', pos + 1);
    return end == std::string_view::npos ? std::string_view{}
                                         : headers.substr(pos + 1, end - pos - 1);
  }
  auto end = headers.find_first_of(";\r\n", pos);
  return headers.substr(pos, end == std::string_view::npos ? headers.size() - pos : end - pos);
}

} // namespace

rest_api::rest_api(world& state, fault_plan& faults, verdict& tally,
                   session_start_limit& start_limit, rest_options options)
    : state_(state),
      faults_(faults),
      tally_(tally),
      start_limit_(start_limit),
      options_(std::move(options)),
      limits_(options_.limits),
      parser_(std::make_unique<json_parser>()) {}

rest_api::~rest_api() = default;

rest_reply rest_api::handle(const net::http_request& req, time_point now) {
  std::string_view target = req.target;
  auto qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  std::string_view query
    = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
  request_record rec{ now, req.method, std::string{ path }, {}, {}, 0, {} };
  rec.user_agent = std::string{ req.header("User-Agent") };
  rec.audit_log_reason = std::string{ req.header("X-Audit-Log-Reason") };
  rec.authorization = has_header(req, "Authorization");
  auto finish = [&](rest_reply reply) {
    rec.status = reply.response.drop ? 0 : reply.response.status;
    records_.push_back(rec);
    if (records_.size() > options_.max_records)
      records_.pop_front();
    limits_.record_status(rec.status, rec.scope, now);
    tally_.invalid_last_10min = limits_.invalid_requests(now);
    tally_.invalid_peak_10min = limits_.peak_invalid_requests();
    return reply;
  };
  ++tally_.rest_requests;
  if (path.substr(0, api_prefix.size()) != api_prefix) {
    rec.route = req.method + " " + std::string{ path };
    return finish({ json_response(404, error_body(0, "404: Not Found")) });
  }
  auto sub = path.substr(api_prefix.size());
  auto key = classify_route(req.method, sub, std::to_string(state_.bot().id));
  rec.route = key.name();
  rec.bucket = limits_.bucket_hash(key);
  // Token check (PROTOCOL.md §2.2); interaction callbacks and webhooks use
  // their own token in the URL, and GET /gateway needs none.
  bool needs_auth = key.route != "/gateway" && key.route.rfind("/webhooks/", 0) != 0
                    && key.route.rfind("/interactions/", 0) != 0;
  std::string auth{ req.header("Authorization") };
  std::string token = auth.rfind("Bot ", 0) == 0 ? auth.substr(4) : std::string{};
  if (needs_auth && token != options_.token) {
    ++tally_.rest_unauthorized;
    if (!revoked_tokens_.insert(auth).second) {
      ++tally_.rest_after_unauthorized;
      tally_.note("REST request with a token that already got 401: " + rec.route);
    }
    return finish({ json_response(401, error_body(0, "401: Unauthorized")) });
  }
  milliseconds delay{ 0 };
  if (auto f = faults_.take_rest()) {
    if (f->kind == fault_kind::rest_slow) {
      delay = f->duration;
    } else if (f->kind == fault_kind::rest_reset) {
      // The request arrived and is not carried out; the client sees the
      // connection reset and cannot know that.
      ++tally_.rest_resets;
      net::http_response dropped;
      dropped.drop = true;
      return finish({ std::move(dropped) });
    } else if (f->kind == fault_kind::rest_status) {
      auto body = f->code == 502 ? std::string{ R"({"message": "502: Bad Gateway", "code": 0})" }
                                 : error_body(0, std::to_string(f->code) + ": Server Error");
      return finish({ json_response(static_cast<unsigned>(f->code), std::move(body)) });
    } else if (f->kind == fault_kind::rest_429) {
      double retry = std::chrono::duration<double>(f->duration).count();
      auto r = json_response(429, rate_limited_body(retry, f->scope == "global"));
      r.headers.emplace_back("X-RateLimit-Scope", f->scope);
      if (f->scope == "global")
        r.headers.emplace_back("X-RateLimit-Global", "true");
      r.headers.emplace_back("Retry-After", std::to_string((f->duration.count() + 999) / 1000));
      rec.scope = f->scope;
      ++tally_.rest_rate_limited[f->scope];
      return finish({ std::move(r) });
    }
  }
  auto decision = limits_.check(token.empty() ? std::string{ req.remote } : token, key, now);
  if (!decision.allowed) {
    auto r = json_response(429, decision.body);
    for (auto& h : decision.headers)
      r.headers.push_back(h);
    rec.scope = decision.scope;
    ++tally_.rest_rate_limited[decision.scope];
    if (decision.scope == "global") {
      ++tally_.rest_global_breaches;
      tally_.note("global rate limit exceeded on " + rec.route);
    } else {
      ++tally_.rest_exhausted_bucket;
      tally_.note("request into exhausted bucket " + decision.bucket + " (" + rec.route + ")");
    }
    return finish({ std::move(r), delay });
  }
  auto reply = route(req, key, sub, query, now);
  reply.delay = delay;
  for (auto& h : decision.headers)
    reply.response.headers.push_back(h);
  return finish(std::move(reply));
}

rest_reply rest_api::route(const net::http_request& req, const route_key& key,
                           std::string_view path, std::string_view query, time_point now) {
  auto parts = split(path);
  auto& m = req.method;
  auto name = key.name();
  auto ok = [](std::string body) {
    return rest_reply{ json_response(200, std::move(body)) };
  };
  // The body as a JSON object ("{}" when empty); false when it is not one.
  simdjson::padded_string padded_body;
  auto parse_object = [&](simdjson::dom::element& doc) {
    padded_body = simdjson::padded_string{ req.body.empty() ? std::string{ "{}" } : req.body };
    return !parser_->parser.parse(padded_body).get(doc) && doc.is_object();
  };

  // Reads a message body (JSON or multipart/form-data, PROTOCOL.md §2.12).
  auto read_message = [&]() {
    message_input in;
    auto parse_json = [&](std::string_view text) {
      simdjson::padded_string padded{ text };
      simdjson::dom::element doc;
      if (parser_->parser.parse(padded).get(doc) || !doc.is_object()) {
        in.error = error_body(50109, "The request body contains invalid JSON.");
        return;
      }
      std::string_view s;
      if (!doc["content"].get_string().get(s)) {
        in.has_content = true;
        in.content = std::string{ s };
      }
      simdjson::dom::array embeds;
      if (!doc["embeds"].get_array().get(embeds)) {
        in.has_embeds = embeds.size() > 0;
        in.embeds_json = simdjson::minify(embeds);
      }
      simdjson::dom::array components;
      if (!doc["components"].get_array().get(components)) {
        in.has_components = true;
        in.components_json = simdjson::minify(components);
      }
      if (!doc["nonce"].get_string().get(s))
        in.nonce = std::string{ s };
      int64_t type = 0;
      if (!doc["type"].get_int64().get(type))
        in.callback_type = static_cast<int>(type);
      simdjson::dom::element data;
      if (!doc["data"].get(data) && data.is_object()) {
        if (!data["content"].get_string().get(s)) {
          in.has_content = true;
          in.content = std::string{ s };
        }
      }
    };
    auto ct = content_type_of(req);
    if (ct.rfind("multipart/form-data", 0) == 0) {
      auto boundary = std::string{ header_param(req.header("Content-Type"), "boundary=") };
      if (boundary.empty()) {
        in.error = form_error_body("", "CONTENT_TYPE_INVALID", "Invalid multipart boundary");
        return in;
      }
      std::string_view body = req.body;
      std::string delim = "--" + boundary;
      size_t pos = body.find(delim);
      while (pos != std::string_view::npos) {
        pos += delim.size();
        if (body.substr(pos, 2) == "--")
          break;
        auto head_end = body.find("\r\n\r\n", pos);
        if (head_end == std::string_view::npos)
          break;
        auto headers = body.substr(pos, head_end - pos);
        auto next = body.find("\r\n" + delim, head_end + 4);
        if (next == std::string_view::npos)
          break;
        auto content = body.substr(head_end + 4, next - head_end - 4);
        auto field = header_param(headers, "name=");
        auto filename = header_param(headers, "filename=");
        if (field == "payload_json") {
          parse_json(content);
        } else if (field == "content") {
          in.has_content = true;
          in.content = std::string{ content };
        } else if (!filename.empty()) {
          auto ctype = header_param(headers, "Content-Type: ");
          in.files.push_back(
            sim_attachment{ 0, std::string{ filename }, std::string{ ctype }, content.size() });
        }
        pos = next + 2;
      }
      return in;
    }
    if (ct.rfind("application/json", 0) != 0) {
      in.error = form_error_body("", "CONTENT_TYPE_INVALID",
                                 "Expected \"Content-Type\" header to be one of "
                                 "{'application/json', 'multipart/form-data'}.");
      return in;
    }
    parse_json(req.body);
    if (in.error.empty() && in.content.size() > 2000)
      in.error
        = form_error_body("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
    return in;
  };

  auto create_message = [&](uint64_t channel_id, uint64_t author, uint64_t webhook,
                            const message_input& in) -> rest_reply {
    if (!in.error.empty())
      return { json_response(400, in.error) };
    if (in.content.empty() && !in.has_embeds && in.files.empty() && in.components_json == "[]")
      return { json_response(400, error_body(50006, "Cannot send an empty message")) };
    auto* ch = state_.channel(channel_id);
    sim_message msg;
    msg.id = state_.next_id(now);
    msg.channel_id = channel_id;
    msg.guild_id = ch ? ch->guild_id : 0;
    msg.author_id = author;
    msg.webhook_id = webhook;
    msg.content = in.content;
    msg.timestamp = iso_timestamp(now);
    msg.embeds_json = in.embeds_json;
    msg.components_json = in.components_json;
    msg.nonce = in.nonce;
    msg.attachments = in.files;
    for (auto& a : msg.attachments)
      a.id = state_.next_id(now);
    auto& stored = state_.add_message(std::move(msg));
    auto out = message_json(state_, stored);
    if (on_message_created)
      on_message_created(stored);
    state_.trim_messages(options_.max_messages);
    return { json_response(200, std::move(out)) };
  };

  auto write_list = [](auto& items, auto fn) {
    json_writer w;
    w.begin_array();
    for (auto& x : items)
      fn(w, x);
    w.end_array();
    return w.take();
  };

  if (name == "GET /gateway") {
    json_writer w;
    w.begin_object().field("url", options_.gateway_url).end_object();
    return ok(w.take());
  }
  if (name == "GET /gateway/bot") {
    json_writer w;
    w.begin_object().field("url", options_.gateway_url).field("shards", options_.shards);
    w.key("session_start_limit")
      .begin_object()
      .field("total", start_limit_.total)
      .field("remaining", start_limit_.remaining)
      .field("reset_after", start_limit_.reset_after_ms)
      .field("max_concurrency", start_limit_.max_concurrency)
      .end_object()
      .end_object();
    return ok(w.take());
  }
  if (name == "GET /users/@me") {
    json_writer w;
    write_user(w, state_.bot(), true);
    return ok(w.take());
  }
  if (name == "GET /users/:id") {
    auto* u = state_.user(to_id(parts[1]));
    if (!u)
      return { not_found(10013, "Unknown User") };
    json_writer w;
    write_user(w, *u);
    return ok(w.take());
  }
  if (name == "POST /users/@me/channels") {
    simdjson::dom::element doc;
    if (!parse_object(doc))
      return { invalid_json() };
    std::string_view s;
    if (doc["recipient_id"].get_string().get(s))
      return { json_response(
        400, form_error_body("recipient_id", "BASE_TYPE_REQUIRED", "This field is required")) };
    auto* u = state_.user(to_id(s));
    if (!u || u->id == state_.bot().id)
      return { json_response(400, error_body(50033, "Invalid Recipient(s)")) };
    json_writer w;
    write_dm(w, state_, state_.dm_channel(u->id, now));
    return ok(w.take());
  }

  if (parts.size() >= 3 && parts[0] == "applications") {
    if (to_id(parts[1]) != state_.bot().id)
      return { json_response(403, error_body(50001, "Missing Access")) };
    uint64_t guild_id = 0;
    bool list = parts.size() == 3 && parts[2] == "commands";
    if (parts.size() == 5 && parts[2] == "guilds" && parts[4] == "commands") {
      guild_id = to_id(parts[3]);
      if (!state_.guild(guild_id))
        return { not_found(10004, "Unknown Guild") };
      list = true;
    }
    auto write_commands = [&](const std::vector<sim_command>& commands) {
      json_writer w;
      w.begin_array();
      for (auto& c : commands)
        write_command(w, c, state_.bot().id);
      w.end_array();
      return w.take();
    };
    if (list && m == "GET")
      return ok(write_commands(commands_[guild_id]));
    if (list && m == "PUT") {
      // Bulk overwrite: the list replaces every command; one whose name and
      // type were there before keeps its id.
      simdjson::padded_string padded{ req.body.empty() ? std::string{ "[]" } : req.body };
      simdjson::dom::element doc;
      simdjson::dom::array items;
      if (parser_->parser.parse(padded).get(doc))
        return { invalid_json() };
      if (doc.get_array().get(items))
        return { json_response(400, form_error_body("", "LIST_TYPE_CONVERT",
                                                    "Only iterables may be used in a ListType")) };
      if (items.size() > 100)
        return { json_response(
          400, form_error_body("", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")) };
      auto& old = commands_[guild_id];
      std::vector<sim_command> next;
      size_t i = 0;
      for (auto item : items) {
        auto index = std::to_string(i++);
        if (!item.is_object())
          return { json_response(400, nested_form_error({ index }, "DICT_TYPE_CONVERT",
                                                        "Only dictionaries may be used in a "
                                                        "DictType")) };
        sim_command c;
        c.guild_id = guild_id;
        int64_t type = 1;
        if (!item["type"].get_int64().get(type) && (type < 1 || type > 3))
          return { json_response(400, nested_form_error({ index, "type" }, "BASE_TYPE_CHOICES",
                                                        "Value must be one of {1, 2, 3}.")) };
        c.type = static_cast<int>(type);
        std::string_view s;
        if (item["name"].get_string().get(s) || s.empty() || s.size() > 32)
          return { json_response(400, nested_form_error({ index, "name" }, "BASE_TYPE_BAD_LENGTH",
                                                        "Must be between 1 and 32 in length.")) };
        c.name = std::string{ s };
        bool has_description = !item["description"].get_string().get(s);
        if (c.type == 1) {
          if (!has_description || s.empty() || s.size() > 100)
            return { json_response(400, nested_form_error({ index, "description" },
                                                          "BASE_TYPE_BAD_LENGTH",
                                                          "Must be between 1 and 100 in "
                                                          "length.")) };
          c.description = std::string{ s };
        }
        for (auto& earlier : next)
          if (earlier.name == c.name && earlier.type == c.type)
            return { json_response(400, nested_form_error({ index, "name" },
                                                          "APPLICATION_COMMANDS_DUPLICATE_NAME",
                                                          "Application command names must be "
                                                          "unique")) };
        simdjson::dom::array options;
        if (!item["options"].get_array().get(options))
          c.options_json = simdjson::minify(options);
        if (!item["default_member_permissions"].get_string().get(s))
          c.default_member_permissions = std::string{ s };
        bool nsfw = false;
        if (!item["nsfw"].get_bool().get(nsfw))
          c.nsfw = nsfw;
        auto prev = std::find_if(old.begin(), old.end(), [&](const sim_command& x) {
          return x.name == c.name && x.type == c.type;
        });
        c.id = prev != old.end() ? prev->id : state_.next_id(now);
        c.version = state_.next_id(now);
        next.push_back(std::move(c));
      }
      old = std::move(next);
      return ok(write_commands(old));
    }
  }

  if (parts.size() >= 2 && parts[0] == "channels") {
    auto* ch = state_.channel(to_id(parts[1]));
    if (!ch)
      return { not_found(10003, "Unknown Channel") };
    if (name == "GET /channels/:id") {
      json_writer w;
      write_any_channel(w, state_, *ch);
      return ok(w.take());
    }
    if (name == "PATCH /channels/:id") {
      simdjson::dom::element doc;
      if (!parse_object(doc))
        return { invalid_json() };
      std::string_view s;
      if (!doc["name"].get_string().get(s)) {
        if (s.empty() || s.size() > 100)
          return { bad_length("name", 1, 100) };
        ch->name = std::string{ s };
      }
      int64_t n = 0;
      if (!doc["position"].get_int64().get(n))
        ch->position = static_cast<int>(n);
      json_writer w;
      write_any_channel(w, state_, *ch);
      return ok(w.take());
    }
    if (name == "DELETE /channels/:id") {
      json_writer w;
      write_any_channel(w, state_, *ch);
      state_.remove_channel(ch->id);
      return ok(w.take());
    }
    if (name == "PUT /channels/:id/permissions/:id") {
      simdjson::dom::element doc;
      if (!parse_object(doc))
        return { invalid_json() };
      int64_t type = -1;
      if (doc["type"].get_int64().get(type) || (type != 0 && type != 1))
        return { json_response(
          400, form_error_body("type", "BASE_TYPE_CHOICES", "Value must be one of {0, 1}.")) };
      auto target = to_id(parts[3]);
      auto* g = state_.guild(ch->guild_id);
      bool known = g
                   && (type == 0 ? std::any_of(g->roles.begin(), g->roles.end(),
                                               [&](const sim_role& r) {
                                                 return r.id == target;
                                               })
                                 : g->members.count(target) > 0);
      if (!known)
        return { type == 0 ? not_found(10011, "Unknown Role") : not_found(10013, "Unknown User") };
      sim_overwrite ow{ target, static_cast<int>(type), "0", "0" };
      std::string_view s;
      if (!doc["allow"].get_string().get(s))
        ow.allow = std::string{ s };
      if (!doc["deny"].get_string().get(s))
        ow.deny = std::string{ s };
      auto i
        = std::find_if(ch->overwrites.begin(), ch->overwrites.end(), [&](const sim_overwrite& x) {
            return x.id == target;
          });
      if (i != ch->overwrites.end())
        *i = ow;
      else
        ch->overwrites.push_back(ow);
      return { no_content() };
    }
    if (name == "POST /channels/:id/threads") {
      simdjson::dom::element doc;
      if (!parse_object(doc))
        return { invalid_json() };
      std::string_view s;
      if (doc["name"].get_string().get(s) || s.empty() || s.size() > 100)
        return { bad_length("name", 1, 100) };
      // Without "type", Discord still makes a private thread (API v10).
      int64_t type = 12;
      int64_t archive = 4320;
      int64_t v = 0;
      if (!doc["type"].get_int64().get(v))
        type = v;
      if (!doc["auto_archive_duration"].get_int64().get(v))
        archive = v;
      if (type < 10 || type > 12)
        return { json_response(400, form_error_body("type", "BASE_TYPE_CHOICES",
                                                    "Value must be one of {10, 11, 12}.")) };
      if (archive != 60 && archive != 1440 && archive != 4320 && archive != 10080)
        return { json_response(400, form_error_body("auto_archive_duration", "BASE_TYPE_CHOICES",
                                                    "Value must be one of {60, 1440, 4320, "
                                                    "10080}.")) };
      if (ch->type != 0)
        return { json_response(400, error_body(50024, "Cannot execute action on this channel "
                                                      "type")) };
      sim_channel t;
      t.id = state_.next_id(now);
      t.guild_id = ch->guild_id;
      t.parent_id = ch->id;
      t.name = std::string{ s };
      t.type = static_cast<int>(type);
      t.owner_id = state_.bot().id;
      t.auto_archive_duration = static_cast<int>(archive);
      t.created = iso_timestamp(now);
      json_writer w;
      write_thread(w, state_.add_channel(std::move(t), false));
      return { json_response(201, w.take()) };
    }
    if (name == "GET /channels/:id/messages") {
      auto limit_text = query_param(query, "limit");
      size_t limit = limit_text.empty() ? 50 : to_id(limit_text);
      if (limit < 1 || limit > 100)
        return { json_response(400, form_error_body("limit", "NUMBER_TYPE_MAX",
                                                    "int value should be <= 100 and >= 1.")) };
      auto msgs = state_.channel_messages(ch->id, limit);
      return ok(write_list(msgs, [&](json_writer& w, const sim_message* x) {
        w.raw(message_json(state_, *x));
      }));
    }
    if (name == "POST /channels/:id/messages")
      return create_message(ch->id, state_.bot().id, 0, read_message());
    if (name == "POST /channels/:id/messages/bulk-delete") {
      simdjson::padded_string padded{ req.body };
      simdjson::dom::element doc;
      simdjson::dom::array ids;
      if (parser_->parser.parse(padded).get(doc) || doc["messages"].get_array().get(ids))
        return { json_response(
          400, form_error_body("messages", "BASE_TYPE_REQUIRED", "This field is required")) };
      if (ids.size() < 2 || ids.size() > 100)
        return { json_response(400, error_body(50016, "You must provide at least 2 and fewer "
                                                      "than 100 messages to delete.")) };
      for (auto id : ids) {
        std::string_view s;
        if (!id.get_string().get(s))
          if (auto* msg = state_.message(to_id(s)); msg && msg->channel_id == ch->id)
            state_.remove_message(msg->id);
      }
      return { no_content() };
    }
    if (parts.size() >= 4 && parts[2] == "messages") {
      auto* msg = state_.message(to_id(parts[3]));
      if (!msg || msg->channel_id != ch->id)
        return { not_found(10008, "Unknown Message") };
      if (name == "GET /channels/:id/messages/:id")
        return ok(message_json(state_, *msg));
      if (name == "PATCH /channels/:id/messages/:id") {
        auto in = read_message();
        if (!in.error.empty())
          return { json_response(400, in.error) };
        if (in.has_content)
          msg->content = in.content;
        if (in.has_embeds)
          msg->embeds_json = in.embeds_json;
        if (in.has_components)
          msg->components_json = in.components_json;
        msg->edited_timestamp = iso_timestamp(now);
        return ok(message_json(state_, *msg));
      }
      if (name == "DELETE /channels/:id/messages/:id") {
        state_.remove_message(msg->id);
        return { no_content() };
      }
      if (name == "DELETE /channels/:id/messages/:id/reactions") {
        msg->reactions.clear();
        return { no_content() };
      }
      if (parts.size() >= 6 && parts[4] == "reactions") {
        auto emoji = url_decode(parts[5]);
        if (emoji.empty())
          return { json_response(400, error_body(10014, "Unknown Emoji")) };
        if (m == "PUT" && parts.size() == 7 && parts[6] == "@me") {
          msg->reactions[emoji].insert(state_.bot().id);
          return { no_content() };
        }
        if (m == "DELETE" && parts.size() == 7) {
          uint64_t user = parts[6] == "@me" ? state_.bot().id : to_id(parts[6]);
          if (auto i = msg->reactions.find(emoji); i != msg->reactions.end()) {
            i->second.erase(user);
            if (i->second.empty())
              msg->reactions.erase(i);
          }
          return { no_content() };
        }
        if (m == "DELETE" && parts.size() == 6) {
          msg->reactions.erase(emoji);
          return { no_content() };
        }
        if (m == "GET" && parts.size() == 6) {
          auto limit_text = query_param(query, "limit");
          size_t limit = limit_text.empty() ? 25 : to_id(limit_text);
          if (limit < 1 || limit > 100)
            return { json_response(400, form_error_body("limit", "NUMBER_TYPE_MAX",
                                                        "int value should be <= 100 and >= 1.")) };
          auto after = to_id(query_param(query, "after"));
          std::vector<const sim_user*> users;
          if (auto i = msg->reactions.find(emoji); i != msg->reactions.end())
            for (auto id : i->second)
              if (id > after && users.size() < limit)
                if (auto* u = state_.user(id))
                  users.push_back(u);
          return ok(write_list(users, [](json_writer& w, const sim_user* u) {
            write_user(w, *u);
          }));
        }
      }
    }
  }

  if (parts.size() >= 2 && parts[0] == "guilds") {
    auto* g = state_.guild(to_id(parts[1]));
    if (!g)
      return { not_found(10004, "Unknown Guild") };
    if (name == "GET /guilds/:id") {
      json_writer w;
      write_guild(w, *g);
      return ok(w.take());
    }
    if (name == "PATCH /guilds/:id") {
      simdjson::dom::element doc;
      if (!parse_object(doc))
        return { invalid_json() };
      std::string_view s;
      if (!doc["name"].get_string().get(s)) {
        if (s.size() < 2 || s.size() > 100)
          return { bad_length("name", 2, 100) };
        g->name = std::string{ s };
      }
      json_writer w;
      write_guild(w, *g);
      return ok(w.take());
    }
    if (name == "POST /guilds/:id/channels") {
      simdjson::dom::element doc;
      if (!parse_object(doc))
        return { invalid_json() };
      std::string_view s;
      if (doc["name"].get_string().get(s) || s.empty() || s.size() > 100)
        return { bad_length("name", 1, 100) };
      sim_channel c;
      c.id = state_.next_id(now);
      c.guild_id = g->id;
      c.name = std::string{ s };
      int64_t v = 0;
      if (!doc["type"].get_int64().get(v))
        c.type = static_cast<int>(v);
      // The sim models text channels and categories only.
      if (c.type != 0 && c.type != 4)
        return { json_response(
          400, form_error_body("type", "BASE_TYPE_CHOICES", "Value must be one of {0, 4}.")) };
      c.position = static_cast<int>(g->channels.size());
      if (!doc["position"].get_int64().get(v))
        c.position = static_cast<int>(v);
      if (!doc["parent_id"].get_string().get(s)) {
        auto* parent = state_.channel(to_id(s));
        if (!parent || parent->guild_id != g->id || parent->type != 4 || c.type == 4)
          return { json_response(
            400, form_error_body("parent_id", "CHANNEL_PARENT_INVALID_TYPE", "Not a category")) };
        c.parent_id = parent->id;
      }
      json_writer w;
      write_channel(w, state_.add_channel(std::move(c), true));
      return { json_response(201, w.take()) };
    }
    if (name == "GET /guilds/:id/channels") {
      std::vector<const sim_channel*> chans;
      for (auto id : g->channels)
        if (auto* c = state_.channel(id))
          chans.push_back(c);
      return ok(write_list(chans, [](json_writer& w, const sim_channel* c) {
        write_channel(w, *c);
      }));
    }
    if (name == "GET /guilds/:id/roles")
      return ok(write_list(g->roles, [](json_writer& w, const sim_role& r) {
        write_role(w, r);
      }));
    if (name == "POST /guilds/:id/roles") {
      simdjson::padded_string padded{ req.body.empty() ? std::string{ "{}" } : req.body };
      simdjson::dom::element doc;
      if (parser_->parser.parse(padded).get(doc) || !doc.is_object())
        return { json_response(400, error_body(50109, "The request body contains invalid JSON.")) };
      sim_role role{ state_.next_id(now), "new role", 0, 1, "0" };
      std::string_view s;
      if (!doc["name"].get_string().get(s)) {
        if (s.size() > 100)
          return { json_response(400, form_error_body("name", "BASE_TYPE_MAX_LENGTH",
                                                      "Must be 100 or fewer in length.")) };
        role.name = std::string{ s };
      }
      int64_t color = 0;
      if (!doc["color"].get_int64().get(color))
        role.color = static_cast<uint32_t>(color);
      if (!doc["permissions"].get_string().get(s))
        role.permissions = std::string{ s };
      json_writer w;
      write_role(w, state_.add_role(g->id, role));
      return ok(w.take());
    }
    if (name == "GET /guilds/:id/members") {
      auto limit_text = query_param(query, "limit");
      size_t limit = limit_text.empty() ? 1 : to_id(limit_text);
      if (limit < 1 || limit > 1000)
        return { json_response(400, form_error_body("limit", "NUMBER_TYPE_MAX",
                                                    "int value should be <= 1000 and >= 1.")) };
      auto after = to_id(query_param(query, "after"));
      json_writer w;
      w.begin_array();
      size_t n = 0;
      for (auto i = g->members.upper_bound(after); i != g->members.end() && n < limit; ++i, ++n)
        write_member(w, state_, i->second);
      w.end_array();
      return ok(w.take());
    }
    if (name == "GET /guilds/:id/members/:id") {
      auto i = g->members.find(to_id(parts[3]));
      if (i == g->members.end())
        return { not_found(10007, "Unknown Member") };
      json_writer w;
      write_member(w, state_, i->second);
      return ok(w.take());
    }
    auto find_role = [&](uint64_t id) {
      return std::find_if(g->roles.begin(), g->roles.end(), [id](const sim_role& r) {
        return r.id == id;
      });
    };
    if (parts.size() >= 4 && parts[2] == "members") {
      auto mi = g->members.find(to_id(parts[3]));
      if (mi == g->members.end())
        return { not_found(10007, "Unknown Member") };
      auto& member = mi->second;
      if (name == "PATCH /guilds/:id/members/:id") {
        simdjson::dom::element doc;
        if (!parse_object(doc))
          return { invalid_json() };
        simdjson::dom::array roles;
        if (!doc["roles"].get_array().get(roles)) {
          std::vector<uint64_t> ids;
          for (auto r : roles) {
            std::string_view s;
            auto id = r.get_string().get(s) ? 0 : to_id(s);
            if (id == g->id || find_role(id) == g->roles.end())
              return { not_found(10011, "Unknown Role") };
            if (std::find(ids.begin(), ids.end(), id) == ids.end())
              ids.push_back(id);
          }
          member.roles = std::move(ids);
        }
        json_writer w;
        write_member(w, state_, member);
        return ok(w.take());
      }
      if (name == "DELETE /guilds/:id/members/:id") {
        g->members.erase(mi);
        return { no_content() };
      }
      if (parts.size() == 6 && parts[4] == "roles") {
        auto role = to_id(parts[5]);
        if (role == g->id || find_role(role) == g->roles.end())
          return { not_found(10011, "Unknown Role") };
        auto at = std::find(member.roles.begin(), member.roles.end(), role);
        if (m == "PUT") {
          if (at == member.roles.end())
            member.roles.push_back(role);
          return { no_content() };
        }
        if (m == "DELETE") {
          if (at != member.roles.end())
            member.roles.erase(at);
          return { no_content() };
        }
      }
    }
    if (parts.size() == 4 && parts[2] == "roles") {
      auto role = find_role(to_id(parts[3]));
      if (role == g->roles.end())
        return { not_found(10011, "Unknown Role") };
      if (name == "PATCH /guilds/:id/roles/:id") {
        simdjson::dom::element doc;
        if (!parse_object(doc))
          return { invalid_json() };
        std::string_view s;
        if (!doc["name"].get_string().get(s)) {
          if (s.size() > 100)
            return { json_response(400, form_error_body("name", "BASE_TYPE_MAX_LENGTH",
                                                        "Must be 100 or fewer in length.")) };
          role->name = std::string{ s };
        }
        int64_t color = 0;
        if (!doc["color"].get_int64().get(color))
          role->color = static_cast<uint32_t>(color);
        if (!doc["permissions"].get_string().get(s))
          role->permissions = std::string{ s };
        bool flag = false;
        if (!doc["hoist"].get_bool().get(flag))
          role->hoist = flag;
        if (!doc["mentionable"].get_bool().get(flag))
          role->mentionable = flag;
        json_writer w;
        write_role(w, *role);
        return ok(w.take());
      }
      if (name == "DELETE /guilds/:id/roles/:id") {
        if (role->id == g->id)
          return { json_response(400, error_body(50028, "Invalid Role")) };
        auto id = role->id;
        g->roles.erase(role);
        for (auto& [uid, mem] : g->members)
          std::erase(mem.roles, id);
        return { no_content() };
      }
    }
    if (name == "GET /guilds/:id/bans") {
      json_writer w;
      w.begin_array();
      for (auto& [uid, reason] : g->bans) {
        w.begin_object().key("reason");
        if (reason.empty())
          w.null();
        else
          w.value(reason);
        w.key("user");
        if (auto* u = state_.user(uid))
          write_user(w, *u);
        else
          write_user(w, sim_user{ uid, "deleted_user", "", "0", false });
        w.end_object();
      }
      w.end_array();
      return ok(w.take());
    }
    if (parts.size() == 4 && parts[2] == "bans") {
      auto uid = to_id(parts[3]);
      if (name == "PUT /guilds/:id/bans/:id") {
        if (!state_.user(uid))
          return { not_found(10013, "Unknown User") };
        simdjson::dom::element doc;
        if (!parse_object(doc))
          return { invalid_json() };
        int64_t seconds = 0;
        if (!doc["delete_message_seconds"].get_int64().get(seconds)
            && (seconds < 0 || seconds > 604800))
          return { json_response(400, form_error_body("delete_message_seconds", "NUMBER_TYPE_MAX",
                                                      "int value should be <= 604800 and >= "
                                                      "0.")) };
        // The ban's reason is the request's audit-log reason (PROTOCOL.md §2.10).
        g->bans[uid] = url_decode(req.header("X-Audit-Log-Reason"));
        g->members.erase(uid);
        return { no_content() };
      }
      if (name == "DELETE /guilds/:id/bans/:id") {
        if (g->bans.erase(uid) == 0)
          return { not_found(10026, "Unknown Ban") };
        return { no_content() };
      }
    }
  }

  if (name == "POST /interactions/:id/:token/callback") {
    auto in = read_message();
    if (!in.error.empty())
      return { json_response(400, in.error) };
    if (in.callback_type < 1 || in.callback_type > 12)
      return { json_response(400, form_error_body("type", "BASE_TYPE_CHOICES",
                                                  "Value must be one of {1, 4, 5, 6, 7, 8, 9, "
                                                  "10, 12}.")) };
    std::string token{ parts[2] };
    if (!acked_interactions_.insert(token).second)
      return { json_response(400,
                             error_body(40060, "Interaction has already been acknowledged.")) };
    if (acked_interactions_.size() > 10000)
      acked_interactions_.erase(acked_interactions_.begin());
    if (in.callback_type == 4 && !state_.guild_ids().empty()) {
      auto* g = state_.guild(state_.guild_ids().front());
      auto reply = create_message(g->channels.size() > 1 ? g->channels[1] : g->channels[0],
                                  state_.bot().id, state_.bot().id, in);
      if (reply.response.status == 200)
        if (auto* last = state_.channel(g->channels.size() > 1 ? g->channels[1] : g->channels[0]))
          originals_[token] = last->last_message_id;
    }
    return { no_content() };
  }

  if (parts.size() >= 3 && parts[0] == "webhooks") {
    auto id = to_id(parts[1]);
    std::string token{ parts[2] };
    bool followup = id == state_.bot().id;
    const sim_webhook* hook = followup ? nullptr : state_.webhook(id);
    if (!followup && (!hook || hook->token != token))
      return { not_found(10015, "Unknown Webhook") };
    uint64_t channel_id = hook ? hook->channel_id : 0;
    if (followup && !state_.guild_ids().empty()) {
      auto* g = state_.guild(state_.guild_ids().front());
      channel_id = g->channels.size() > 1 ? g->channels[1] : g->channels[0];
    }
    if (name == "POST /webhooks/:id/:token") {
      auto in = read_message();
      auto reply = create_message(channel_id, followup ? state_.bot().id : id, id, in);
      bool wait = followup || query_param(query, "wait") == "true";
      if (reply.response.status == 200 && !wait)
        return { no_content() };
      return reply;
    }
    if (parts.size() == 5 && parts[3] == "messages") {
      uint64_t msg_id = 0;
      if (parts[4] == "@original") {
        auto i = originals_.find(token);
        msg_id = i == originals_.end() ? 0 : i->second;
      } else {
        msg_id = to_id(parts[4]);
      }
      auto* msg = state_.message(msg_id);
      if (!msg || msg->webhook_id != id)
        return { not_found(10008, "Unknown Message") };
      if (m == "GET")
        return ok(message_json(state_, *msg));
      if (m == "PATCH") {
        auto in = read_message();
        if (!in.error.empty())
          return { json_response(400, in.error) };
        if (in.has_content)
          msg->content = in.content;
        if (in.has_embeds)
          msg->embeds_json = in.embeds_json;
        if (in.has_components)
          msg->components_json = in.components_json;
        msg->edited_timestamp = iso_timestamp(now);
        return ok(message_json(state_, *msg));
      }
      if (m == "DELETE") {
        state_.remove_message(msg->id);
        return { no_content() };
      }
    }
  }
  (void)m;
  return { json_response(404, error_body(0, "404: Not Found")) };
}

} // namespace spectacles::sim
