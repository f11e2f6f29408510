#include "sim/faults.hpp"

#include <charconv>
#include <utility>

namespace spectacles::sim {

namespace {

struct kind_name {
  fault_kind kind;
  std::string_view name;
};

constexpr kind_name kind_names[] = {
  { fault_kind::zombie, "zombie" },
  { fault_kind::reconnect, "reconnect" },
  { fault_kind::reconnect, "op7" },
  { fault_kind::invalid_session, "invalid_session" },
  { fault_kind::invalid_session, "op9" },
  { fault_kind::close, "close" },
  { fault_kind::drop, "drop" },
  { fault_kind::corrupt, "corrupt" },
  { fault_kind::pause, "pause" },
  { fault_kind::heartbeat_request, "heartbeat_request" },
  { fault_kind::heartbeat_request, "op1" },
  { fault_kind::rest_status, "rest_5xx" },
  { fault_kind::rest_status, "rest_status" },
  { fault_kind::rest_429, "rest_429" },
  { fault_kind::rest_slow, "rest_slow" },
  { fault_kind::rest_reset, "rest_reset" },
};

template <class T>
bool parse_number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

} // namespace

std::variant<fault, std::string> parse_fault(std::string_view spec) {
  spec = trim(spec);
  fault f;
  auto at = spec.find('@');
  auto head = spec.substr(0, at);
  if (at != std::string_view::npos) {
    auto target = spec.substr(at + 1);
    auto plus = target.find('+');
    auto shard = target.substr(0, plus);
    if (!shard.empty()) {
      uint32_t id = 0;
      if (shard.substr(0, 6) != "shard:" || !parse_number(shard.substr(6), id))
        return "bad target '" + std::string{ shard } + "' in '" + std::string{ spec }
               + "' (expected shard:N)";
      f.shard = id;
    }
    if (plus != std::string_view::npos) {
      auto after = target.substr(plus + 1);
      if (after.substr(0, 6) != "after:" || !parse_number(after.substr(6), f.after_seq))
        return "bad trigger '" + std::string{ after } + "' in '" + std::string{ spec }
               + "' (expected after:SEQ)";
    }
  }
  // A trailing xK is a repeat count (REST faults).
  auto x = head.rfind('x');
  if (x != std::string_view::npos && x + 1 < head.size()) {
    unsigned k = 0;
    if (parse_number(head.substr(x + 1), k)) {
      f.count = k;
      head = head.substr(0, x);
    }
  }
  auto colon = head.find(':');
  auto name = head.substr(0, colon);
  auto arg = colon == std::string_view::npos ? std::string_view{} : head.substr(colon + 1);
  bool known = false;
  for (auto& k : kind_names)
    if (k.name == name) {
      f.kind = k.kind;
      known = true;
    }
  if (!known)
    return "unknown fault '" + std::string{ name } + "' in '" + std::string{ spec }
           + "' (zombie, reconnect, invalid_session, close, drop, corrupt, pause, "
             "heartbeat_request, rest_5xx, rest_429, rest_slow, rest_reset)";
  auto bad_arg = [&] {
    return "bad argument '" + std::string{ arg } + "' for " + std::string{ name };
  };
  long ms = 0;
  switch (f.kind) {
    case fault_kind::invalid_session:
      if (arg == "true")
        f.resumable = true;
      else if (arg.empty() || arg == "false")
        f.resumable = false;
      else
        return bad_arg();
      break;
    case fault_kind::close:
      if (!arg.empty() && (!parse_number(arg, f.code) || f.code < 1000 || f.code > 4999))
        return bad_arg();
      break;
    case fault_kind::pause:
    case fault_kind::rest_slow:
      if (!parse_number(arg, ms) || ms < 0)
        return bad_arg();
      f.duration = milliseconds{ ms };
      break;
    case fault_kind::rest_status:
      f.code = 500;
      if (!arg.empty() && (!parse_number(arg, f.code) || f.code < 400 || f.code > 599))
        return bad_arg();
      break;
    case fault_kind::rest_429:
      f.code = 429;
      f.duration = milliseconds{ 1000 };
      if (!arg.empty()) {
        // SCOPE or SCOPE/MS, MS being the retry_after the 429 announces.
        auto slash = arg.find('/');
        auto scope = arg.substr(0, slash);
        if (scope != "user" && scope != "global" && scope != "shared")
          return bad_arg();
        f.scope = std::string{ scope };
        if (slash != std::string_view::npos) {
          if (!parse_number(arg.substr(slash + 1), ms) || ms < 0)
            return bad_arg();
          f.duration = milliseconds{ ms };
        }
      }
      break;
    default:
      if (!arg.empty())
        return bad_arg();
  }
  return f;
}

std::string to_string(const fault& f) {
  std::string out;
  for (auto& k : kind_names)
    if (k.kind == f.kind) {
      out = std::string{ k.name };
      break;
    }
  switch (f.kind) {
    case fault_kind::invalid_session: out += f.resumable ? ":true" : ":false"; break;
    case fault_kind::close:
    case fault_kind::rest_status: out += ":" + std::to_string(f.code); break;
    case fault_kind::pause:
    case fault_kind::rest_slow: out += ":" + std::to_string(f.duration.count()); break;
    case fault_kind::rest_429:
      out += ":" + f.scope;
      if (f.duration != milliseconds{ 1000 })
        out += "/" + std::to_string(f.duration.count());
      break;
    default: break;
  }
  if (f.is_rest())
    out += "x" + std::to_string(f.count);
  if (f.shard)
    out += "@shard:" + std::to_string(*f.shard);
  if (f.after_seq)
    out += (f.shard ? "+after:" : "@+after:") + std::to_string(f.after_seq);
  return out;
}

void fault_plan::add(fault f) {
  std::lock_guard<std::mutex> guard{ mtx_ };
  if (f.is_rest()) {
    if (f.count > 0)
      rest_.push_back(std::move(f));
  } else {
    gateway_.push_back(std::move(f));
  }
}

std::optional<std::string> fault_plan::add_text(std::string_view text) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line.front() == '#')
      continue;
    auto parsed = parse_fault(line);
    if (auto* err = std::get_if<std::string>(&parsed))
      return *err;
    add(std::get<fault>(std::move(parsed)));
  }
  return std::nullopt;
}

std::optional<fault> fault_plan::take_gateway(uint32_t shard, uint64_t seq) {
  std::lock_guard<std::mutex> guard{ mtx_ };
  for (auto i = gateway_.begin(); i != gateway_.end(); ++i)
    if ((!i->shard || *i->shard == shard) && seq >= i->after_seq) {
      auto f = std::move(*i);
      gateway_.erase(i);
      return f;
    }
  return std::nullopt;
}

std::optional<fault> fault_plan::take_rest() {
  std::lock_guard<std::mutex> guard{ mtx_ };
  if (rest_.empty())
    return std::nullopt;
  auto f = rest_.front();
  if (--rest_.front().count == 0)
    rest_.pop_front();
  f.count = 1;
  return f;
}

std::vector<fault> fault_plan::pending() const {
  std::lock_guard<std::mutex> guard{ mtx_ };
  std::vector<fault> out{ gateway_.begin(), gateway_.end() };
  out.insert(out.end(), rest_.begin(), rest_.end());
  return out;
}

void fault_plan::clear() {
  std::lock_guard<std::mutex> guard{ mtx_ };
  gateway_.clear();
  rest_.clear();
}

} // namespace spectacles::sim
