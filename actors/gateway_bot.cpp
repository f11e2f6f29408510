#include "actors/gateway_bot.hpp"

#include "actors/gateway_json.hpp"

namespace spectacles::actors {

std::variant<gateway_bot, std::string> parse_gateway_bot(std::string_view body) {
  gateway_bot out;
  auto url = gateway_json::find_member(body, "url");
  auto parsed_url = url ? gateway_json::parse_string(*url) : std::nullopt;
  if (!parsed_url || parsed_url->empty())
    return std::string{ "GET /gateway/bot: no \"url\" in the answer" };
  out.url = std::move(*parsed_url);
  if (auto shards = gateway_json::find_member(body, "shards")) {
    auto n = gateway_json::parse_uint(*shards);
    if (!n || *n == 0 || *n > 1'000'000)
      return std::string{ "GET /gateway/bot: \"shards\" is not a positive count" };
    out.shards = static_cast<uint32_t>(*n);
  }
  if (auto limit = gateway_json::find_member(body, "session_start_limit")) {
    auto field = [&](std::string_view key) -> std::optional<uint64_t> {
      auto raw = gateway_json::find_member(*limit, key);
      return raw ? gateway_json::parse_uint(*raw) : std::nullopt;
    };
    auto total = field("total");
    auto remaining = field("remaining");
    auto reset_after = field("reset_after");
    auto concurrency = field("max_concurrency");
    if (!total || !remaining || !reset_after || !concurrency || *concurrency == 0)
      return std::string{ "GET /gateway/bot: incomplete \"session_start_limit\"" };
    out.limits.total = static_cast<uint32_t>(*total);
    out.limits.remaining = static_cast<uint32_t>(*remaining);
    out.limits.reset_after = milliseconds{ static_cast<int64_t>(*reset_after) };
    out.limits.max_concurrency = static_cast<uint32_t>(*concurrency);
  }
  return out;
}

} // namespace spectacles::actors
