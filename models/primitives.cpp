#include "models/primitives.hpp"

#include <bit>
#include <cstdio>
#include <cstring>

namespace spectacles::models {

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Days from 1970-01-01 to a civil date (Howard Hinnant's days_from_civil).
// Out of line: inlined into timestamp::parse, g++ 12 compiled its divisions by constants as
// real divide instructions, a third of the cost of a timestamp.
[[gnu::noinline]] int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// The form Discord writes every timestamp in, "2024-02-27T19:50:51.701000+00:00", checked
// and read eight bytes at a time: a byte-by-byte parse was two dozen branches per timestamp,
// and a message carries several. Anything else (no fraction, other offsets, 'Z') takes the
// general parser below, which accepts this form too and must agree with it.
struct canonical_word {
  uint64_t digits; // 0xFF in the bytes that must be digits
  uint64_t fixed;  // the other bytes, as they must be
};
constexpr canonical_word canonical_layout(const char* pattern) {
  canonical_word w{ 0, 0 };
  for (int i = 0; i < 8; ++i) {
    if (pattern[i] == 'd')
      w.digits |= uint64_t{ 0xFF } << (8 * i);
    else
      w.fixed |= uint64_t{ static_cast<unsigned char>(pattern[i]) } << (8 * i);
  }
  return w;
}
constexpr canonical_word canonical[4]
  = { canonical_layout("dddd-dd-"), canonical_layout("ddTdd:dd"), canonical_layout(":dd.dddd"),
      canonical_layout("dd+00:00") };
constexpr size_t canonical_size = 32;

// Digit byte i of `w` (little-endian: byte 0 is the first character), as a number.
constexpr int digit_at(uint64_t w, int i) {
  return static_cast<int>((w >> (8 * i)) & 0xF);
}

// The fields of a date and time as written, before they are checked.
struct civil_time {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;
};

bool parse_canonical(std::string_view s, civil_time& t) {
  if constexpr (std::endian::native != std::endian::little)
    return false;
  if (s.size() != canonical_size)
    return false;
  uint64_t w[4];
  std::memcpy(w, s.data(), sizeof(w));
  uint64_t bad = 0;
  for (int i = 0; i < 4; ++i) {
    uint64_t d = w[i] & canonical[i].digits;
    uint64_t nibble_high = 0x3030303030303030ull & canonical[i].digits;
    // A digit byte is 0x30..0x39: high nibble 3, and adding 6 does not carry out of it.
    bad |= ((w[i] & ~canonical[i].digits) ^ canonical[i].fixed)
           | ((d & 0xF0F0F0F0F0F0F0F0ull) ^ nibble_high)
           | (((d + (0x0606060606060606ull & canonical[i].digits)) & 0xF0F0F0F0F0F0F0F0ull)
              ^ nibble_high);
  }
  if (bad != 0)
    return false;
  t.year = digit_at(w[0], 0) * 1000 + digit_at(w[0], 1) * 100 + digit_at(w[0], 2) * 10
           + digit_at(w[0], 3);
  t.month = digit_at(w[0], 5) * 10 + digit_at(w[0], 6);
  t.day = digit_at(w[1], 0) * 10 + digit_at(w[1], 1);
  t.hour = digit_at(w[1], 3) * 10 + digit_at(w[1], 4);
  t.minute = digit_at(w[1], 6) * 10 + digit_at(w[1], 7);
  t.second = digit_at(w[2], 1) * 10 + digit_at(w[2], 2);
  t.micros = digit_at(w[2], 4) * 100000 + digit_at(w[2], 5) * 10000 + digit_at(w[2], 6) * 1000
             + digit_at(w[2], 7) * 100 + digit_at(w[3], 0) * 10 + digit_at(w[3], 1);
  return true;
}

// The instant `t` names at UTC offset `offset_s`, or nullopt when no such date exists.
std::optional<timestamp> instant_of(const civil_time& t, int64_t offset_s) {
  static constexpr int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  if (t.month < 1 || t.month > 12 || t.day < 1
      || t.day > month_days[t.month - 1] + (t.month == 2 && leap(t.year) ? 1 : 0) || t.hour > 23
      || t.minute > 59 || t.second > 60)
    return std::nullopt;
  int64_t days
    = days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  int64_t secs = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - offset_s;
  return timestamp{ secs * 1000000 + t.micros };
}

} // namespace

std::optional<timestamp> timestamp::parse(std::string_view s) {
  civil_time t;
  if (parse_canonical(s, t))
    return instant_of(t, 0);
  if (!digits(s, 0, 4, t.year) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, t.month)
      || s[7] != '-' || !digits(s, 8, 2, t.day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
      || !digits(s, 11, 2, t.hour) || s[13] != ':' || !digits(s, 14, 2, t.minute) || s[16] != ':'
      || !digits(s, 17, 2, t.second))
    return std::nullopt;
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    // Digit k of the fraction is worth 10^(5-k) µs; digits past the microsecond are dropped.
    // (A table, not `scale /= 10`: that division was most of the cost of a timestamp.)
    static constexpr int64_t scale[] = { 100000, 10000, 1000, 100, 10, 1 };
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start < 6)
        t.micros += (s[pos] - '0') * scale[pos - start];
      ++pos;
    }
    if (pos == start)
      return std::nullopt;
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    bool colon = pos + 3 < s.size() && s[pos + 3] == ':';
    if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + (colon ? 4 : 3), 2, om) || oh > 23
        || om > 59)
      return std::nullopt;
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += colon ? 6 : 5;
  } else {
    return std::nullopt; // Discord always sends an offset; a local time would be ambiguous
  }
  if (pos != s.size())
    return std::nullopt;
  return instant_of(t, offset_s);
}

std::string timestamp::to_string() const {
  int64_t secs = unix_us_ >= 0 ? unix_us_ / 1000000 : -((-unix_us_ + 999999) / 1000000);
  int64_t micros = unix_us_ - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[128];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lld+00:00",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60),
                static_cast<long long>(micros));
  return buf;
}

} // namespace spectacles::models
