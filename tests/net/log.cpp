#include "net/log.hpp"

#define CAF_SUITE net.log

#include "caf/test/unit_test.hpp"

#include <vector>

namespace slog = spectacles::log;

namespace {

struct capture {
  std::vector<std::string> lines;
  capture() {
    slog::set_level(slog::level::debug);
    slog::set_sink([this](std::string_view line) {
      lines.emplace_back(line);
    });
  }
  ~capture() {
    slog::reset_sink();
    slog::set_level(slog::level::info);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(log_tests, capture)

CAF_TEST(a record carries timestamp level component and message) {
  slog::info("shard", "shard ", 3, " ready");
  CAF_REQUIRE_EQUAL(lines.size(), 1u);
  auto& line = lines.front();
  CAF_CHECK_EQUAL(line.size() > 24 && line[4] == '-' && line[10] == 'T' && line[23] == 'Z', true);
  CAF_CHECK_NOT_EQUAL(line.find(" INFO  shard "), std::string::npos);
  CAF_CHECK_NOT_EQUAL(line.find("shard 3 ready"), std::string::npos);
}

CAF_TEST(records below the level are dropped) {
  slog::set_level(slog::level::warn);
  slog::info("rest", "hidden");
  slog::error("rest", "shown");
  CAF_REQUIRE_EQUAL(lines.size(), 1u);
  CAF_CHECK_NOT_EQUAL(lines[0].find("shown"), std::string::npos);
}

CAF_TEST(a registered secret never reaches the sink) {
  slog::add_secret("s3cr3t-token-value");
  slog::warn("gateway", "identify with token s3cr3t-token-value failed");
  CAF_REQUIRE_EQUAL(lines.size(), 1u);
  CAF_CHECK_EQUAL(lines[0].find("s3cr3t"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(lines[0].find("[redacted]"), std::string::npos);
}

CAF_TEST(anything shaped like a bot token is redacted even unregistered) {
  // Shape only (24.6.38 characters); not a real token.
  auto fake = std::string(24, 'M') + "." + std::string(6, 'x') + "." + std::string(38, 'y');
  slog::error("rest", "Authorization: Bot ", fake, " rejected");
  CAF_REQUIRE_EQUAL(lines.size(), 1u);
  CAF_CHECK_EQUAL(lines[0].find(fake), std::string::npos);
  CAF_CHECK_NOT_EQUAL(lines[0].find("Authorization: Bot [redacted] rejected"), std::string::npos);
  // Ordinary dotted words (versions, host names) are left alone.
  CAF_CHECK_EQUAL(slog::redact("caf 0.17.6 on gateway.discord.gg"),
                  "caf 0.17.6 on gateway.discord.gg");
}

CAF_TEST(level names parse) {
  CAF_CHECK(slog::parse_level("debug") == slog::level::debug);
  CAF_CHECK(!slog::parse_level("loud"));
}

CAF_TEST_FIXTURE_SCOPE_END()
