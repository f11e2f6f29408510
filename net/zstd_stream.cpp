#include "net/zstd_stream.hpp"

#include <zstd.h>

#include <algorithm>

namespace spectacles::net {

namespace {

std::string zstd_message(size_t rc) {
  return ZSTD_getErrorName(rc);
}

} // namespace

struct zstd_inflater::impl {
  inflater_options opts;
  ZSTD_DStream* ds = ZSTD_createDStream();
  bool broken = false;
  bool shrink_next = false;
  std::string out;

  explicit impl(inflater_options o) : opts(o) {
    if (ds != nullptr)
      ZSTD_initDStream(ds);
  }

  ~impl() {
    ZSTD_freeDStream(ds);
  }
};

zstd_inflater::zstd_inflater(inflater_options opts) : impl_(std::make_unique<impl>(opts)) {}

zstd_inflater::~zstd_inflater() = default;

result<std::string_view> zstd_inflater::feed(std::string_view message) {
  auto& d = *impl_;
  if (d.ds == nullptr)
    return error{ errc::corrupt, "zstd-stream: cannot create a decompression stream" };
  if (d.broken)
    return error{ errc::corrupt, "zstd-stream: context broken by an earlier error; reset first" };
  if (d.shrink_next) {
    d.shrink_next = false;
    std::string{}.swap(d.out);
  }
  // Small to start (most messages are a few KiB); doubles as needed.
  if (d.out.size() < 8 * 1024)
    d.out.resize(8 * 1024);
  ZSTD_inBuffer in{ message.data(), message.size(), 0 };
  size_t produced = 0;
  // Loop until the input is consumed and the decoder has nothing left to
  // flush (it filled less than the output space offered).
  for (;;) {
    if (d.out.size() - produced < 4096) {
      if (d.out.size() >= d.opts.max_message) {
        d.broken = true;
        return error{ errc::too_large, "zstd-stream message decompresses beyond "
                                         + std::to_string(d.opts.max_message) + " bytes" };
      }
      d.out.resize(std::min(d.out.size() * 2, d.opts.max_message + 4096));
    }
    ZSTD_outBuffer out{ d.out.data() + produced, d.out.size() - produced, 0 };
    size_t rc = ZSTD_decompressStream(d.ds, &out, &in);
    produced += out.pos;
    if (ZSTD_isError(rc)) {
      d.broken = true;
      return error{ errc::corrupt, "zstd-stream: " + zstd_message(rc) };
    }
    if (in.pos == in.size && out.pos < out.size)
      break;
  }
  if (produced > d.opts.shrink_above)
    d.shrink_next = true;
  return std::string_view{ d.out.data(), produced };
}

void zstd_inflater::release_buffers(size_t keep) {
  if (impl_->out.capacity() > keep)
    std::string{}.swap(impl_->out);
}

void zstd_inflater::reset() {
  auto& d = *impl_;
  d.broken = false;
  d.shrink_next = true;
  if (d.ds != nullptr)
    ZSTD_DCtx_reset(d.ds, ZSTD_reset_session_only);
}

size_t zstd_inflater::buffer_capacity() const {
  return impl_->out.capacity();
}

struct zstd_deflater::impl {
  ZSTD_CStream* cs = ZSTD_createCStream();
  std::string out;

  explicit impl(int level) {
    if (cs != nullptr)
      ZSTD_CCtx_setParameter(cs, ZSTD_c_compressionLevel, level);
  }

  ~impl() {
    ZSTD_freeCStream(cs);
  }
};

zstd_deflater::zstd_deflater(int level) : impl_(std::make_unique<impl>(level)) {}

zstd_deflater::~zstd_deflater() = default;

result<std::string_view> zstd_deflater::compress(std::string_view message) {
  auto& d = *impl_;
  if (d.cs == nullptr)
    return error{ errc::io, "zstd-stream: cannot create a compression stream" };
  size_t bound = ZSTD_compressBound(message.size()) + 64;
  if (d.out.size() < bound)
    d.out.resize(bound);
  ZSTD_inBuffer in{ message.data(), message.size(), 0 };
  size_t produced = 0;
  for (;;) {
    if (d.out.size() - produced < 64)
      d.out.resize(d.out.size() * 2);
    ZSTD_outBuffer out{ d.out.data() + produced, d.out.size() - produced, 0 };
    size_t rc = ZSTD_compressStream2(d.cs, &out, &in, ZSTD_e_flush);
    produced += out.pos;
    if (ZSTD_isError(rc))
      return error{ errc::io, "zstd-stream: compression failed: " + zstd_message(rc) };
    if (rc == 0) // everything flushed
      break;
  }
  return std::string_view{ d.out.data(), produced };
}

void zstd_deflater::reset() {
  if (impl_->cs != nullptr)
    ZSTD_CCtx_reset(impl_->cs, ZSTD_reset_session_only);
}

} // namespace spectacles::net
