// envelope: the fast scan of one gateway message (PROTOCOL.md §1.3).
//
//   {"t":"MESSAGE_CREATE","s":4,"op":0,"d":{"id":"9000...","guild_id":"9000...",...}}
//     -> op 0, s 4, t "MESSAGE_CREATE", d = the exact bytes of the object, guild_id 9000...
//
// The shard reads only op, s and t and forwards `d` as bytes (ARCHITECTURE.md decision 1), so the
// scan builds no DOM and copies nothing: `t` and `d` are views into the input text, which must
// outlive the result. `d` is delimited (strings and brackets matched), not fully validated; the
// worker that decodes it validates it. Keys may come in any order; unknown keys are skipped.
#pragma once

#include "models/snowflake.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spectacles::models {

struct envelope_view {
  int op = -1;
  std::optional<uint64_t> s; // null or absent when op != 0
  std::string_view t;        // empty when null or absent
  std::string_view d;        // raw JSON of `d` ("null" when null, empty when absent)
  /// `d.guild_id` (string or integer form); for GUILD_CREATE/UPDATE/DELETE, `d.id`.
  std::optional<snowflake> guild_id;
};

/// Either an envelope_view or an error naming what is wrong and where.
class scan_result {
public:
  scan_result(const envelope_view& value) : value_(value) {}
  scan_result(const char* error, size_t offset) : error_(error), offset_(offset) {}

  bool ok() const {
    return error_ == nullptr;
  }
  explicit operator bool() const {
    return ok();
  }
  const envelope_view& value() const {
    return value_;
  }
  const envelope_view& operator*() const {
    return value_;
  }
  const envelope_view* operator->() const {
    return &value_;
  }

  /// What is wrong, e.g. "`op` is missing"; empty when ok().
  std::string_view error() const {
    return error_ ? std::string_view{ error_ } : std::string_view{};
  }
  /// Byte offset in the input where the problem was found.
  size_t error_offset() const {
    return offset_;
  }
  /// "gateway envelope at byte 17: expected ':' after a key"
  std::string error_message() const;

private:
  envelope_view value_{};
  const char* error_ = nullptr;
  size_t offset_ = 0;
};

/// Scans one gateway message. Never reads outside `text`, never allocates.
scan_result scan_envelope(std::string_view text);

/// The block loop that delimits `d`: the baseline one (SSE2 on x86-64) or AVX2. scan_envelope
/// picks AVX2 once, at run time, when the CPU has it; both give the same result for every input.
enum class scan_kernel { sse2, avx2 };

/// The kernel scan_envelope uses on this CPU.
scan_kernel active_scan_kernel();

/// Whether `k` can run on this CPU (sse2 always can).
bool scan_kernel_available(scan_kernel k);

/// scan_envelope with a chosen kernel (falls back to sse2 when `k` is not available); for the
/// tests and the benchmark that compare the kernels.
scan_result scan_envelope_with(scan_kernel k, std::string_view text);

} // namespace spectacles::models
