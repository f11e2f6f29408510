#include "models/check_payload.hpp"

#include "models/envelope.hpp"
#include "models/events.hpp"

#include <simdjson.h>

#include <fstream>
#include <map>
#include <sstream>

namespace spectacles::models {

namespace {

using check_fn = std::string (*)(std::string_view);

template <class T>
std::string check_type(std::string_view text) {
  auto r = decode<T>(text);
  return r ? std::string{} : r.error().message;
}

const std::map<std::string_view, check_fn>& types() {
  static const std::map<std::string_view, check_fn> map{
    { "application", check_type<application> },
    { "application_command", check_type<application_command> },
    { "attachment", check_type<attachment> },
    { "audit_log_entry", check_type<audit_log_entry> },
    { "auto_moderation_rule", check_type<auto_moderation_rule> },
    { "ban", check_type<ban> },
    { "channel", check_type<channel> },
    { "component", check_type<component> },
    { "embed", check_type<embed> },
    { "emoji", check_type<emoji> },
    { "entitlement", check_type<entitlement> },
    { "guild", check_type<guild> },
    { "hello", check_type<hello> },
    { "identify", check_type<identify> },
    { "integration", check_type<integration> },
    { "interaction", check_type<interaction> },
    { "interaction_response", check_type<interaction_response> },
    { "invite", check_type<invite> },
    { "member", check_type<guild_member> },
    { "message", check_type<message> },
    { "poll", check_type<poll> },
    { "presence", check_type<presence> },
    { "ready", check_type<ready> },
    { "role", check_type<role> },
    { "scheduled_event", check_type<scheduled_event> },
    { "sku", check_type<sku> },
    { "soundboard_sound", check_type<soundboard_sound> },
    { "stage_instance", check_type<stage_instance> },
    { "sticker", check_type<sticker> },
    { "subscription", check_type<subscription> },
    { "user", check_type<user> },
    { "voice_state", check_type<voice_state> },
    { "webhook", check_type<webhook> },
  };
  return map;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in{ path, std::ios::binary };
  if (!in)
    return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return !in.bad();
}

} // namespace

std::vector<std::string_view> check_types() {
  std::vector<std::string_view> names;
  for (auto& [name, fn] : types())
    names.push_back(name);
  return names;
}

result<std::vector<std::string>> split_payloads(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded{ text };
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root))
    return decode_error{ std::string("invalid JSON: ") + simdjson::error_message(err) };
  std::vector<std::string> out;
  simdjson::dom::array arr;
  if (root.get_array().get(arr) == simdjson::SUCCESS) {
    for (auto el : arr)
      out.push_back(simdjson::minify(el));
  } else {
    out.emplace_back(text);
  }
  return out;
}

std::string check_envelope(std::string_view envelope) {
  auto env = scan_envelope(envelope);
  if (!env)
    return env.error_message();
  switch (env->op) {
    case 0: {
      auto ev = decode_event(env->t, env->d);
      return ev ? std::string{} : ev.error().message;
    }
    case 10: {
      auto h = decode<hello>(env->d, "d");
      return h ? std::string{} : "HELLO " + h.error().message;
    }
    case 9:
      return parse_invalid_session(env->d) ? std::string{}
                                           : "INVALID_SESSION d: expected a boolean";
    case 1:
    case 7:
    case 11: return {};
    default: return "unknown opcode " + std::to_string(env->op);
  }
}

std::string check_as(std::string_view type, std::string_view object) {
  auto i = types().find(type);
  if (i == types().end())
    return "unknown type " + std::string(type);
  return i->second(object);
}

int check_payload(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> files;
  std::string as;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--as") {
      if (i + 1 >= args.size()) {
        err << "check-payload: --as needs a TYPE\n";
        return 2;
      }
      as = args[++i];
    } else if (args[i].rfind("--as=", 0) == 0) {
      as = args[i].substr(5);
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty()) {
    err << "usage: spectacles-node check-payload FILE... [--as TYPE]\n";
    return 2;
  }
  if (!as.empty() && !types().count(as)) {
    err << "check-payload: unknown type '" << as << "'; one of:";
    for (auto name : check_types())
      err << ' ' << name;
    err << '\n';
    return 2;
  }
  int failed = 0;
  for (auto& file : files) {
    std::string text;
    if (!read_file(file, text)) {
      out << file << ": cannot read the file\n";
      ++failed;
      continue;
    }
    auto payloads = split_payloads(text);
    if (!payloads) {
      out << file << ": " << payloads.error().message << '\n';
      ++failed;
      continue;
    }
    auto first = text.find_first_not_of(" \t\r\n");
    bool is_array = first != std::string::npos && text[first] == '[';
    for (size_t i = 0; i < payloads->size(); ++i) {
      auto& p = (*payloads)[i];
      auto problem = as.empty() ? check_envelope(p) : check_as(as, p);
      out << file;
      if (is_array)
        out << '[' << i << ']';
      if (problem.empty()) {
        out << ": OK\n";
      } else {
        out << ": " << problem << '\n';
        ++failed;
      }
    }
  }
  return failed ? 1 : 0;
}

} // namespace spectacles::models
