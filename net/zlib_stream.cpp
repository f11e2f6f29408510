#include "net/zlib_stream.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace spectacles::net {

namespace {

// Most gateway messages inflate to a few KiB; the buffer doubles for larger
// ones and release_buffers() gives the growth back.
constexpr size_t initial_out = 8 * 1024;
constexpr std::string_view sync_marker{ "\x00\x00\xff\xff", 4 };

bool ends_with_marker(std::string_view data) {
  return data.size() >= 4 && data.substr(data.size() - 4) == sync_marker;
}

std::string zlib_message(const z_stream& strm, int rc) {
  return strm.msg != nullptr ? std::string(strm.msg) : "zlib error " + std::to_string(rc);
}

// zlib counts in uInt; feed huge inputs in pieces.
uInt clamp_uint(size_t n) {
  return static_cast<uInt>(std::min<size_t>(n, UINT_MAX));
}

} // namespace

struct zlib_inflater::impl {
  inflater_options opts;
  z_stream strm{};
  bool ready = false;  // inflateInit succeeded
  bool broken = false; // a data error happened; only reset() helps
  std::string in;      // partial frames waiting for the marker
  std::string out;     // size() is the usable capacity, not the message length
  bool shrink_next = false;

  explicit impl(inflater_options o) : opts(o) {
    ready = inflateInit(&strm) == Z_OK;
  }

  ~impl() {
    if (ready)
      inflateEnd(&strm);
  }

  void release_if_grown() {
    if (!shrink_next)
      return;
    shrink_next = false;
    std::string{}.swap(in);
    std::string{}.swap(out);
  }

  result<std::optional<std::string_view>> inflate_all(std::string_view data) {
    if (out.size() < initial_out)
      out.resize(initial_out);
    strm.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    strm.avail_in = 0; // an earlier error may have left input behind
    size_t remaining = data.size();
    size_t produced = 0;
    for (;;) {
      if (strm.avail_in == 0 && remaining > 0) {
        strm.avail_in = clamp_uint(remaining);
        remaining -= strm.avail_in;
      }
      if (out.size() - produced < 4096) {
        if (out.size() >= opts.max_message) {
          broken = true;
          return error{ errc::too_large, "zlib-stream message inflates beyond "
                                           + std::to_string(opts.max_message) + " bytes" };
        }
        out.resize(std::min(out.size() * 2, opts.max_message + 4096));
      }
      strm.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
      strm.avail_out = clamp_uint(out.size() - produced);
      auto before = strm.avail_out;
      int rc = ::inflate(&strm, Z_SYNC_FLUSH);
      produced += before - strm.avail_out;
      if (rc == Z_STREAM_END) {
        // Discord never ends the stream; tolerate it only at the very end.
        if (strm.avail_in != 0 || remaining != 0) {
          broken = true;
          return error{ errc::corrupt, "zlib-stream: data after the end of the stream" };
        }
        break;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        broken = true;
        return error{ errc::corrupt, "zlib-stream: " + zlib_message(strm, rc) };
      }
      if (strm.avail_in == 0 && remaining == 0 && strm.avail_out != 0)
        break;
      if (rc == Z_BUF_ERROR && strm.avail_out != 0) {
        broken = true;
        return error{ errc::corrupt, "zlib-stream: inflate made no progress" };
      }
    }
    if (produced > opts.shrink_above || in.size() > opts.shrink_above)
      shrink_next = true;
    return std::optional<std::string_view>{ std::string_view{ out.data(), produced } };
  }
};

zlib_inflater::zlib_inflater(inflater_options opts) : impl_(std::make_unique<impl>(opts)) {}

zlib_inflater::~zlib_inflater() = default;

result<std::optional<std::string_view>> zlib_inflater::feed(std::string_view frame) {
  auto& d = *impl_;
  if (!d.ready)
    return error{ errc::corrupt, "zlib-stream: inflateInit failed (out of memory?)" };
  if (d.broken)
    return error{ errc::corrupt, "zlib-stream: context broken by an earlier error; reset first" };
  d.release_if_grown();
  if (d.in.empty() && ends_with_marker(frame)) // the common case: one frame, no copy
    return d.inflate_all(frame);
  if (d.in.size() + frame.size() > d.opts.max_message) {
    d.broken = true;
    return error{ errc::too_large, "zlib-stream: partial frames exceed "
                                     + std::to_string(d.opts.max_message) + " bytes" };
  }
  d.in.append(frame);
  if (!ends_with_marker(d.in))
    return std::optional<std::string_view>{};
  auto res = d.inflate_all(d.in);
  d.in.clear();
  return res;
}

void zlib_inflater::reset() {
  auto& d = *impl_;
  d.in.clear();
  d.broken = false;
  d.shrink_next = true;
  if (d.ready)
    inflateReset(&d.strm);
  else
    d.ready = inflateInit(&d.strm) == Z_OK;
}

void zlib_inflater::release_buffers(size_t keep) {
  auto& d = *impl_;
  if (d.out.capacity() > keep)
    std::string{}.swap(d.out);
  if (d.in.empty() && d.in.capacity() > keep)
    std::string{}.swap(d.in);
}

size_t zlib_inflater::buffer_capacity() const {
  return impl_->in.capacity() + impl_->out.capacity();
}

struct zlib_deflater::impl {
  z_stream strm{};
  bool ready = false;
  std::string out;

  explicit impl(int level) {
    ready = deflateInit(&strm, level) == Z_OK;
  }

  ~impl() {
    if (ready)
      deflateEnd(&strm);
  }
};

zlib_deflater::zlib_deflater(int level) : impl_(std::make_unique<impl>(level)) {}

zlib_deflater::~zlib_deflater() = default;

result<std::string_view> zlib_deflater::compress(std::string_view message) {
  auto& d = *impl_;
  if (!d.ready)
    return error{ errc::io, "zlib-stream: deflateInit failed" };
  size_t bound = deflateBound(&d.strm, message.size()) + 16;
  if (d.out.size() < bound)
    d.out.resize(bound);
  d.strm.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  d.strm.avail_in = clamp_uint(message.size());
  size_t produced = 0;
  for (;;) {
    if (d.out.size() - produced < 64)
      d.out.resize(d.out.size() * 2);
    d.strm.next_out = reinterpret_cast<Bytef*>(d.out.data() + produced);
    d.strm.avail_out = clamp_uint(d.out.size() - produced);
    auto before = d.strm.avail_out;
    int rc = ::deflate(&d.strm, Z_SYNC_FLUSH);
    produced += before - d.strm.avail_out;
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return error{ errc::io, "zlib-stream: deflate failed: " + zlib_message(d.strm, rc) };
    // Z_SYNC_FLUSH is complete once deflate leaves output space unused.
    if (d.strm.avail_in == 0 && d.strm.avail_out != 0)
      break;
  }
  return std::string_view{ d.out.data(), produced };
}

void zlib_deflater::reset() {
  if (impl_->ready)
    deflateReset(&impl_->strm);
}

} // namespace spectacles::net
