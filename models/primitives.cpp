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

// Days in each month of a common year.
constexpr int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

// The form Discord writes every timestamp in, "2024-02-27T19:50:51.701000+00:00" in 1970..2099,
// checked and read eight bytes at a time straight to an instant: the general parser below
// spends two dozen branches and a calendar conversion by eras on it, and a message carries
// several. Anything else (no fraction, another offset, 'Z', another century, a date that does
// not exist) falls through to the general parser, which accepts this form too, so the two are
// separate implementations that must agree (tests/models/primitives.cpp).
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
constexpr size_t canonical_size = 32;

// Nonzero when `w` does not match the layout: a fixed byte differs, or a digit byte is not
// 0x30..0x39 (high nibble 3, and adding 6 does not carry out of it).
constexpr uint64_t layout_mismatch(uint64_t w, canonical_word layout) {
  uint64_t d = w & layout.digits;
  uint64_t nibble_high = 0x3030303030303030ull & layout.digits;
  return ((w & ~layout.digits) ^ layout.fixed) | ((d & 0xF0F0F0F0F0F0F0F0ull) ^ nibble_high)
         | (((d + (0x0606060606060606ull & layout.digits)) & 0xF0F0F0F0F0F0F0F0ull) ^ nibble_high);
}

// Every pair of adjacent digit bytes of `w` as a number: byte i of the result is
// 10 * digit(i) + digit(i + 1) (little-endian: byte 0 is the first character) for any i whose
// two bytes are digits. One multiply per word instead of a multiply-add per digit; no byte
// carries into the next (15 * 10 + 15 < 256).
constexpr uint64_t digit_pairs(uint64_t w) {
  uint64_t v = w & 0x0F0F0F0F0F0F0F0Full;
  return v * 10 + (v >> 8);
}
constexpr unsigned pair_at(uint64_t pairs, int i) {
  return static_cast<unsigned>((pairs >> (8 * i)) & 0xFF);
}

bool parse_canonical(const char* s, int64_t& unix_us) {
  if constexpr (std::endian::native != std::endian::little)
    return false;
  static constexpr canonical_word layout[4]
    = { canonical_layout("dddd-dd-"), canonical_layout("ddTdd:dd"), canonical_layout(":dd.dddd"),
        canonical_layout("dd+00:00") };
  uint64_t w0, w1, w2, w3;
  std::memcpy(&w0, s, 8);
  std::memcpy(&w1, s + 8, 8);
  std::memcpy(&w2, s + 16, 8);
  std::memcpy(&w3, s + 24, 8);
  if ((layout_mismatch(w0, layout[0]) | layout_mismatch(w1, layout[1])
       | layout_mismatch(w2, layout[2]) | layout_mismatch(w3, layout[3]))
      != 0)
    return false;
  uint64_t p0 = digit_pairs(w0);
  uint64_t p1 = digit_pairs(w1);
  uint64_t p2 = digit_pairs(w2);
  uint64_t p3 = digit_pairs(w3);
  unsigned year = pair_at(p0, 0) * 100 + pair_at(p0, 2);
  unsigned month = pair_at(p0, 5);
  unsigned day = pair_at(p1, 0);
  unsigned hour = pair_at(p1, 3);
  unsigned minute = pair_at(p1, 6);
  unsigned second = pair_at(p2, 1);
  unsigned micros = (pair_at(p2, 4) * 100 + pair_at(p2, 6)) * 100 + pair_at(p3, 0);
  // In 1970..2099 every fourth year is a leap year (2000 is one).
  static constexpr uint16_t month_start[]
    = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
  unsigned leap = (year & 3) == 0 ? 1 : 0;
  if (year - 1970 > 129 || month - 1 > 11
      || day - 1 >= unsigned(month_days[month - 1]) + (month == 2 ? leap : 0) || hour > 23
      || minute > 59 || second > 60)
    return false;
  int64_t days = int64_t{ year - 1970 } * 365 + ((year - 1969) >> 2) + month_start[month - 1]
                 + (month > 2 ? leap : 0) + day - 1;
  unix_us = ((days * 24 + hour) * 3600 + minute * 60 + second) * 1000000 + micros;
  return true;
}

// The fields of a date and time as written, before they are checked.
struct civil_time {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;
};

// The instant `t` names at UTC offset `offset_s` in µs since the epoch; false when no such
// date exists.
bool instant_of(const civil_time& t, int64_t offset_s, int64_t& unix_us) {
  if (t.month < 1 || t.month > 12 || t.day < 1
      || t.day > month_days[t.month - 1] + (t.month == 2 && leap(t.year) ? 1 : 0) || t.hour > 23
      || t.minute > 59 || t.second > 60)
    return false;
  int64_t days
    = days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  int64_t secs = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - offset_s;
  unix_us = secs * 1000000 + t.micros;
  return true;
}

} // namespace

std::optional<timestamp> timestamp::parse(std::string_view s) {
  timestamp t;
  if (!parse(s, t))
    return std::nullopt;
  return t;
}

bool timestamp::parse(std::string_view s, timestamp& out) {
  if (s.size() == canonical_size && parse_canonical(s.data(), out.unix_us_))
    return true;
  civil_time t;
  if (!digits(s, 0, 4, t.year) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, t.month)
      || s[7] != '-' || !digits(s, 8, 2, t.day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
      || !digits(s, 11, 2, t.hour) || s[13] != ':' || !digits(s, 14, 2, t.minute) || s[16] != ':'
      || !digits(s, 17, 2, t.second))
    return false;
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
      return false;
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    bool colon = pos + 3 < s.size() && s[pos + 3] == ':';
    if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + (colon ? 4 : 3), 2, om) || oh > 23
        || om > 59)
      return false;
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += colon ? 6 : 5;
  } else {
    return false; // Discord always sends an offset; a local time would be ambiguous
  }
  if (pos != s.size())
    return false;
  return instant_of(t, offset_s, out.unix_us_);
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
