#include "net/ws_frame.hpp"

#include <array>
#include <cstring>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace spectacles::net {

namespace {

ws_read_result failed(ws_read_result r, errc code, uint16_t close_code, std::string message) {
  r.err = error{ code, std::move(message) };
  r.close_code = close_code;
  return r;
}

std::string base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  int n
    = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

} // namespace

ws_read_result ws_frame_reader::read(std::string_view buffered, ws_frame_sink& sink) {
  ws_read_result r;
  const auto* base = reinterpret_cast<const uint8_t*>(buffered.data());
  for (;;) {
    size_t avail = buffered.size() - r.consumed;
    const uint8_t* p = base + r.consumed;
    if (avail < 2) {
      r.need = 2;
      return r;
    }
    bool fin = (p[0] & 0x80) != 0;
    unsigned rsv = p[0] & 0x70;
    unsigned op = p[0] & 0x0f;
    bool masked = (p[1] & 0x80) != 0;
    uint64_t len = p[1] & 0x7f;
    size_t header = 2;
    if (len == 126) {
      if (avail < 4) {
        r.need = 4;
        return r;
      }
      len = (uint64_t{ p[2] } << 8) | p[3];
      header = 4;
    } else if (len == 127) {
      if (avail < 10) {
        r.need = 10;
        return r;
      }
      len = 0;
      for (int i = 2; i < 10; ++i)
        len = (len << 8) | p[i];
      header = 10;
    }
    // No extension was negotiated, so no reserved bit may be set (§5.2); a
    // server never masks (§5.1).
    if (rsv != 0)
      return failed(r, errc::protocol, 1002, "frame with reserved bits set");
    if (masked)
      return failed(r, errc::protocol, 1002, "masked frame from the server");
    bool control = (op & 0x8) != 0;
    if (control) {
      if (op != 0x8 && op != 0x9 && op != 0xa)
        return failed(r, errc::protocol, 1002, "unknown control opcode " + std::to_string(op));
      if (!fin || len > 125)
        return failed(r, errc::protocol, 1002, "fragmented or oversized control frame");
    } else {
      if (op > 0x2)
        return failed(r, errc::protocol, 1002, "unknown data opcode " + std::to_string(op));
      if (op == 0x0 && !in_message_)
        return failed(r, errc::protocol, 1002, "continuation frame without a message");
      if (op != 0x0 && in_message_)
        return failed(r, errc::protocol, 1002, "new message before the last one ended");
      uint64_t so_far = op == 0x0 ? fragments_.size() : 0;
      if (len > max_message_ || so_far + len > max_message_)
        return failed(r, errc::too_large, 1009,
                      "incoming message larger than " + std::to_string(max_message_) + " bytes");
    }
    if (avail - header < len) {
      r.need = header + static_cast<size_t>(len);
      return r;
    }
    std::string_view payload{ reinterpret_cast<const char*>(p + header), static_cast<size_t>(len) };
    r.consumed += header + static_cast<size_t>(len);
    switch (op) {
      case 0x1:
      case 0x2:
        if (fin) {
          sink.on_message(payload, op == 0x2); // the common case: no copy
        } else {
          in_message_ = true;
          binary_ = op == 0x2;
          fragments_.assign(payload);
        }
        break;
      case 0x0:
        fragments_.append(payload);
        if (fin) {
          in_message_ = false;
          sink.on_message(fragments_, binary_);
          fragments_.clear();
          if (fragments_.capacity() > keep_buffer_)
            std::string{}.swap(fragments_);
        }
        break;
      case 0x9: sink.on_ping(payload); break;
      case 0xa: break; // we send no pings; an unsolicited pong is allowed (§5.5.3)
      case 0x8: {
        if (payload.size() == 1)
          return failed(r, errc::protocol, 1002, "close frame with a 1-byte payload");
        uint16_t code = 0;
        std::string_view reason;
        if (payload.size() >= 2) {
          code = static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8)
                                       | static_cast<uint8_t>(payload[1]));
          reason = payload.substr(2);
        }
        r.closed = true;
        sink.on_close(code, reason);
        return r;
      }
      default: break;
    }
  }
}

void append_frame_header(std::string& out, uint8_t first, uint64_t length, bool masked) {
  const uint8_t mask_bit = masked ? 0x80 : 0;
  out.push_back(static_cast<char>(first));
  if (length < 126) {
    out.push_back(static_cast<char>(mask_bit | length));
  } else if (length < 65536) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(length >> 8));
    out.push_back(static_cast<char>(length & 0xff));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((length >> shift) & 0xff));
  }
}

void append_client_frame(std::string& out, ws_opcode op, std::string_view payload,
                         uint32_t mask_key) {
  size_t n = payload.size();
  append_frame_header(out, 0x80 | static_cast<uint8_t>(op), n, true);
  std::array<uint8_t, 4> mask{ static_cast<uint8_t>(mask_key >> 24),
                               static_cast<uint8_t>(mask_key >> 16),
                               static_cast<uint8_t>(mask_key >> 8),
                               static_cast<uint8_t>(mask_key) };
  out.append(reinterpret_cast<const char*>(mask.data()), mask.size());
  size_t at = out.size();
  out.append(payload);
  for (size_t i = 0; i < n; ++i)
    out[at + i] = static_cast<char>(static_cast<uint8_t>(out[at + i]) ^ mask[i & 3]);
}

std::string close_payload(uint16_t code, std::string_view reason) {
  std::string out;
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xff));
  out.append(reason.substr(0, 123));
  return out;
}

std::string ws_accept_for(std::string_view key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input{ key };
  input.append(guid);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  return base64(digest.data(), digest.size());
}

std::string ws_key_from(uint64_t random_hi, uint64_t random_lo) {
  std::array<unsigned char, 16> bytes{};
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(random_hi >> (8 * i));
    bytes[8 + i] = static_cast<unsigned char>(random_lo >> (8 * i));
  }
  return base64(bytes.data(), bytes.size());
}

} // namespace spectacles::net
