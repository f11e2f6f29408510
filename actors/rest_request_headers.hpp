// rest_request_headers: request headers Discord asks every client to send
// in a certain form.
//
//   User-Agent: DiscordBot (https://github.com/spectacles-cpp, 0.1.0)
//     (PROTOCOL.md §2.3: "DiscordBot ($url, $versionNumber)"; requests
//      without a valid one may be blocked by Cloudflare)
//   X-Audit-Log-Reason: Spam%20%E2%80%94%20user%20warned%20twice
//     (PROTOCOL.md §2.10: 1-512 characters, URL-encoded UTF-8)
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace spectacles::actors {

inline constexpr std::string_view library_url = "https://github.com/spectacles-cpp";
inline constexpr std::string_view library_version = "0.1.0";

/// "DiscordBot (<url>, <version>)", then " <extra>" if given. Control
/// characters in any part are dropped so the value cannot split the header.
std::string user_agent(std::string_view url = library_url,
                       std::string_view version = library_version, std::string_view extra = {});

/// Percent-encodes everything but RFC 3986's unreserved characters
/// (A-Z a-z 0-9 - . _ ~), byte by byte (UTF-8 stays UTF-8 underneath).
/// Also right for a reaction's emoji path segment (§2.9).
std::string percent_encode(std::string_view text);

struct audit_reason_error {
  std::string message;
};

/// Validates and encodes an audit-log reason: valid UTF-8 of 1 to 512
/// characters (code points); anything else is refused with a message.
std::variant<std::string, audit_reason_error> encode_audit_log_reason(std::string_view reason);

} // namespace spectacles::actors
