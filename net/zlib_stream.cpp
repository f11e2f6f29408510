#include "net/zlib_stream.hpp"

#include <sys/mman.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <utility>

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

// zlib's allocations (an inflater makes two: its state and its window) are
// mapped pages, so a context that is freed (hibernate(), a closed connection)
// goes back to the OS instead of staying in a malloc arena.
struct mapped_blocks {
  std::array<std::pair<void*, size_t>, 8> blocks{}; // deflate makes five allocations

  size_t bytes() const {
    size_t n = 0;
    for (auto& b : blocks)
      n += b.second;
    return n;
  }

  static voidpf alloc(voidpf opaque, uInt items, uInt size) {
    auto* self = static_cast<mapped_blocks*>(opaque);
    size_t len = (size_t{ items } * size + 4095) & ~size_t{ 4095 };
    for (auto& [ptr, n] : self->blocks) {
      if (ptr != nullptr)
        continue;
      void* m = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (m == MAP_FAILED)
        return Z_NULL;
      ptr = m;
      n = len;
      return m;
    }
    return Z_NULL;
  }

  static void free(voidpf opaque, voidpf address) {
    auto* self = static_cast<mapped_blocks*>(opaque);
    for (auto& [ptr, n] : self->blocks) {
      if (ptr == address) {
        ::munmap(ptr, n);
        ptr = nullptr;
        n = 0;
        return;
      }
    }
  }

  void attach(z_stream& strm) {
    strm.zalloc = &mapped_blocks::alloc;
    strm.zfree = &mapped_blocks::free;
    strm.opaque = this;
  }
};

// A hibernated window is deflated with a 4 KiB window and small hash tables:
// about 20 KiB of temporary state rather than deflate's default 256 KiB.
constexpr int pack_window_bits = 12;
constexpr int pack_mem_level = 3;

bool pack(std::string_view data, std::string& out) {
  mapped_blocks mem;
  z_stream d{};
  mem.attach(d);
  if (deflateInit2(&d, Z_BEST_SPEED, Z_DEFLATED, pack_window_bits, pack_mem_level,
                   Z_DEFAULT_STRATEGY)
      != Z_OK)
    return false;
  out.resize(deflateBound(&d, data.size()));
  d.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  d.avail_in = clamp_uint(data.size());
  d.next_out = reinterpret_cast<Bytef*>(out.data());
  d.avail_out = clamp_uint(out.size());
  int rc = ::deflate(&d, Z_FINISH);
  out.resize(out.size() - d.avail_out);
  deflateEnd(&d);
  out.shrink_to_fit();
  return rc == Z_STREAM_END;
}

bool unpack(std::string_view packed, std::string& out) {
  mapped_blocks mem;
  z_stream i{};
  mem.attach(i);
  if (inflateInit2(&i, pack_window_bits) != Z_OK)
    return false;
  i.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
  i.avail_in = clamp_uint(packed.size());
  i.next_out = reinterpret_cast<Bytef*>(out.data());
  i.avail_out = clamp_uint(out.size());
  int rc = ::inflate(&i, Z_FINISH);
  bool whole = rc == Z_STREAM_END && i.avail_out == 0;
  inflateEnd(&i);
  return whole;
}

} // namespace

struct zlib_inflater::impl {
  inflater_options opts;
  mapped_blocks mem; // zlib's state and window (strm.opaque points here)
  z_stream strm{};
  bool ready = false;  // the context is initialised
  bool raw = false;    // restored from hibernation: a raw inflater with the window as dictionary
  bool broken = false; // a data error happened; only reset() helps
  std::string in;      // partial frames waiting for the marker
  std::string out;     // size() is the usable capacity, not the message length
  bool shrink_next = false;
  uint64_t messages = 0; // inflated since the last reset
  bool hibernated = false;
  std::string saved;     // the hibernated window, deflated
  size_t saved_size = 0; // its inflated size

  explicit impl(inflater_options o) : opts(o) {
    init(false);
  }

  ~impl() {
    if (ready)
      inflateEnd(&strm);
  }

  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  bool init(bool raw_stream) {
    strm = z_stream{};
    mem.attach(strm);
    ready = (raw_stream ? inflateInit2(&strm, -MAX_WBITS) : inflateInit(&strm)) == Z_OK;
    raw = raw_stream && ready;
    return ready;
  }

  bool hibernate() {
    if (!ready || broken || hibernated || !in.empty() || messages == 0)
      return false;
    // Only at a block boundary with no bits pending, where a sync flush
    // leaves the stream (zlib's data_type: 128 = between blocks, 64 = in
    // the last block, the low bits = bits held). Input that merely ends with
    // the marker bytes mid-block keeps its context.
    if ((strm.data_type & 0xff) != 128)
      return false;
    std::string window(32 * 1024, '\0');
    uInt size = 0;
    if (inflateGetDictionary(&strm, reinterpret_cast<Bytef*>(window.data()), &size) != Z_OK)
      return false;
    std::string packed;
    if (!pack(std::string_view{ window.data(), size }, packed))
      return false;
    saved = std::move(packed);
    saved_size = size;
    inflateEnd(&strm);
    ready = false;
    hibernated = true;
    std::string{}.swap(in);
    std::string{}.swap(out);
    return true;
  }

  // Every message ended with a Z_SYNC_FLUSH (an empty stored block, byte
  // aligned), so the stream continues with a fresh block: a raw inflater
  // that has the last 32 KiB of output as its dictionary reads it exactly
  // as the old context would have.
  bool wake() {
    std::string window(saved_size, '\0');
    bool ok = unpack(saved, window) && init(true)
              && inflateSetDictionary(&strm, reinterpret_cast<const Bytef*>(window.data()),
                                      static_cast<uInt>(window.size()))
                   == Z_OK;
    std::string{}.swap(saved);
    hibernated = false;
    if (!ok)
      broken = true;
    return ok;
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
    ++messages;
    return std::optional<std::string_view>{ std::string_view{ out.data(), produced } };
  }
};

zlib_inflater::zlib_inflater(inflater_options opts) : impl_(std::make_unique<impl>(opts)) {}

zlib_inflater::~zlib_inflater() = default;

result<std::optional<std::string_view>> zlib_inflater::feed(std::string_view frame) {
  auto& d = *impl_;
  if (!d.ready && !d.hibernated)
    return error{ errc::corrupt, "zlib-stream: inflateInit failed (out of memory?)" };
  if (d.hibernated && !d.wake())
    return error{ errc::corrupt, "zlib-stream: cannot restore the hibernated context" };
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
  d.messages = 0;
  d.hibernated = false;
  std::string{}.swap(d.saved);
  if (d.ready && !d.raw) {
    inflateReset(&d.strm);
    return;
  }
  if (d.ready)
    inflateEnd(&d.strm);
  d.init(false);
}

bool zlib_inflater::hibernate() {
  return impl_->hibernate();
}

bool zlib_inflater::hibernating() const {
  return impl_->hibernated;
}

size_t zlib_inflater::held_bytes() const {
  auto& d = *impl_;
  return d.mem.bytes() + d.in.capacity() + d.out.capacity() + d.saved.capacity();
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
