// Fuzzes the envelope scan: any bytes must give a result or an error, never a crash or a read
// outside the input; a successful scan's views must lie inside the input; the AVX2 kernel
// (when the CPU has it) must give exactly what the baseline kernel gives.
#include "models/envelope.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size heap copy, so ASan sees any read past the end.
  auto* buf = static_cast<char*>(std::malloc(size ? size : 1));
  if (size)
    std::memcpy(buf, data, size);
  std::string_view text{ buf, size };
  auto r = spectacles::models::scan_envelope(text);
  if (r) {
    auto inside = [&](std::string_view v) {
      return v.empty() || (v.data() >= buf && v.data() + v.size() <= buf + size);
    };
    if (!inside(r->t) || !inside(r->d))
      std::abort();
  } else if (r.error().empty() || r.error_offset() > size) {
    std::abort();
  }
  using spectacles::models::scan_kernel;
  auto a = spectacles::models::scan_envelope_with(scan_kernel::sse2, text);
  auto b = spectacles::models::scan_envelope_with(scan_kernel::avx2, text);
  if (a.ok() != b.ok())
    std::abort();
  if (a.ok()) {
    if (a->op != b->op || a->s != b->s || a->t.data() != b->t.data() || a->t.size() != b->t.size()
        || a->d.data() != b->d.data() || a->d.size() != b->d.size() || a->guild_id != b->guild_id)
      std::abort();
  } else if (a.error() != b.error() || a.error_offset() != b.error_offset()) {
    std::abort();
  }
  std::free(buf);
  return 0;
}
