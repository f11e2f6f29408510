// The block loop of the envelope scan (models/envelope.cpp), compiled twice: once for the
// baseline target (SSE2 on x86-64, plain C++ elsewhere) and once with AVX2. envelope.cpp
// includes this file inside a namespace per kernel, with SPECTACLES_SCAN_AVX2 set to 0 or 1 and
// SPECTACLES_SCAN_TARGET set to nothing or the target attribute; every function here carries
// that attribute so the AVX2 copy inlines into itself and never into baseline code.
//
// Both copies must give the same answer for every input: tests/models/envelope.cpp and
// tests/fuzz/fuzz_envelope.cpp run both and compare.

struct block_masks {
  uint64_t quote = 0;
  uint64_t backslash = 0;
  uint64_t open = 0;   // { [
  uint64_t close = 0;  // } ]
  uint64_t g_or_i = 0; // first letters of "guild_id" and "id" (of the wanted ones)
};

#if SPECTACLES_SCAN_AVX2

SPECTACLES_SCAN_TARGET inline uint64_t eq_mask(__m256i lo, __m256i hi, char c) {
  __m256i cv = _mm256_set1_epi8(c);
  auto l = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, cv)));
  auto h = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, cv)));
  return uint64_t{ l } | (uint64_t{ h } << 32);
}

SPECTACLES_SCAN_TARGET inline block_masks classify(const char* block, bool want_g, bool want_i) {
  block_masks m;
  __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block));
  __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 32));
  m.quote = eq_mask(lo, hi, '"');
  m.backslash = eq_mask(lo, hi, '\\');
  // '{' 0x7B and '[' 0x5B differ only in bit 0x20, as do '}' 0x7D and ']' 0x5D; no other byte
  // becomes 0x7B or 0x7D when that bit is set.
  __m256i bit = _mm256_set1_epi8(0x20);
  __m256i lo_folded = _mm256_or_si256(lo, bit);
  __m256i hi_folded = _mm256_or_si256(hi, bit);
  m.open = eq_mask(lo_folded, hi_folded, '{');
  m.close = eq_mask(lo_folded, hi_folded, '}');
  if (want_g)
    m.g_or_i |= eq_mask(lo, hi, 'g');
  if (want_i)
    m.g_or_i |= eq_mask(lo, hi, 'i');
  return m;
}

SPECTACLES_SCAN_TARGET inline int popcount(uint64_t x) {
  return __builtin_popcountll(x); // POPCNT: part of this kernel's target
}

// Bit i of the result = XOR of bits 0..i: a carry-less multiply by all ones.
SPECTACLES_SCAN_TARGET inline uint64_t prefix_xor(uint64_t x) {
  __m128i all_ones = _mm_set1_epi8(static_cast<char>(0xFF));
  __m128i r = _mm_clmulepi64_si128(_mm_set_epi64x(0, static_cast<int64_t>(x)), all_ones, 0);
  return static_cast<uint64_t>(_mm_cvtsi128_si64(r));
}

#else

SPECTACLES_SCAN_TARGET inline block_masks classify(const char* block, bool want_g, bool want_i) {
  block_masks m;
#  if defined(__SSE2__)
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * k));
    auto mask = [&](char c) {
      return static_cast<uint64_t>(
        static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)))));
    };
    m.quote |= mask('"') << (16 * k);
    m.backslash |= mask('\\') << (16 * k);
    m.open |= (mask('{') | mask('[')) << (16 * k);
    m.close |= (mask('}') | mask(']')) << (16 * k);
    if (want_g)
      m.g_or_i |= mask('g') << (16 * k);
    if (want_i)
      m.g_or_i |= mask('i') << (16 * k);
  }
#  else
  for (int i = 0; i < 64; ++i) {
    uint64_t bit = uint64_t{ 1 } << i;
    switch (block[i]) {
      case '"': m.quote |= bit; break;
      case '\\': m.backslash |= bit; break;
      case '{':
      case '[': m.open |= bit; break;
      case '}':
      case ']': m.close |= bit; break;
      case 'g': m.g_or_i |= want_g ? bit : 0; break;
      case 'i': m.g_or_i |= want_i ? bit : 0; break;
      default: break;
    }
  }
#  endif
  return m;
}

// Without -mpopcnt, __builtin_popcountll is a call into libgcc; this inline SWAR count is
// several times cheaper and keeps the build portable to baseline x86-64.
SPECTACLES_SCAN_TARGET inline int popcount(uint64_t x) {
#  if defined(__POPCNT__)
  return __builtin_popcountll(x);
#  else
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<int>((x * 0x0101010101010101ull) >> 56);
#  endif
}

// Bit i of the result = XOR of bits 0..i: set from an opening quote up to its closing quote.
SPECTACLES_SCAN_TARGET inline uint64_t prefix_xor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

#endif

// Finds the end of the object or array at `p`, 64 bytes at a time (the idea of simdjson's
// stage 1, kept small): masks of quotes, backslashes and brackets; escaped quotes removed; a
// prefix XOR of the quotes marks the bytes inside strings; brackets outside strings change the
// depth. Only blocks where the depth could fall to 0 (the end) or 1 (the keys of `d`, for
// guild_id) are walked bit by bit; every other block costs a few popcounts. Brackets are
// counted, not matched by type: `d` is delimited here and validated by the worker that decodes
// it. With `keys`, the keys of an object at `p` are peeked for guild ids.
SPECTACLES_SCAN_TARGET container_end find_container_end(const char* p, const char* end,
                                                        guild_keys* keys) {
  bool track_keys = keys && *p == '{';
  bool want_g = track_keys && keys->want_guild_id;
  bool want_i = track_keys && keys->want_id;
  track_keys = want_g || want_i;
  int64_t depth = 0;
  uint64_t in_string_carry = 0; // all ones when the previous block ended inside a string
  bool backslash_carry = false; // the previous block ended with an unescaped backslash
  char tail[64];
  for (const char* q = p; q < end; q += 64) {
    auto n = static_cast<size_t>(end - q);
    const char* block = q;
    if (n < 64) { // never load past the input: classify a space-padded copy of the tail
      std::memset(tail, ' ', sizeof(tail));
      std::memcpy(tail, q, n);
      block = tail;
    }
    block_masks m = classify(block, want_g, want_i);
    uint64_t escaped = backslash_carry ? 1 : 0;
    backslash_carry = false;
    for (uint64_t bs = m.backslash & ~escaped; bs; bs &= bs - 1) {
      int i = __builtin_ctzll(bs);
      if ((escaped >> i) & 1)
        continue; // this backslash is itself escaped
      if (i == 63)
        backslash_carry = true;
      else
        escaped |= uint64_t{ 1 } << (i + 1);
    }
    uint64_t quotes = m.quote & ~escaped;
    uint64_t in_string = prefix_xor(quotes) ^ in_string_carry;
    in_string_carry = static_cast<uint64_t>(static_cast<int64_t>(in_string) >> 63);
    uint64_t opens = m.open & ~in_string;
    uint64_t closes = m.close & ~in_string;
    int64_t lowest = depth - popcount(closes);
    int end_at = -1;
    if (lowest <= 0) { // the container may end in this block: walk its brackets
      int64_t d = depth;
      for (uint64_t bits = opens | closes; bits; bits &= bits - 1) {
        int i = __builtin_ctzll(bits);
        d += ((opens >> i) & 1) ? 1 : -1;
        if (d == 0) {
          end_at = i;
          break;
        }
      }
    }
    if (track_keys && lowest <= 1) {
      // Opening quotes followed by 'g' or 'i' (bit 63's neighbour is in the next block, so it
      // is always a candidate); each one's depth comes from the brackets before it.
      uint64_t candidates = quotes & in_string & ((m.g_or_i >> 1) | (uint64_t{ 1 } << 63));
      if (end_at >= 0)
        candidates &= end_at == 63 ? ~uint64_t{ 0 } : (uint64_t{ 1 } << (end_at + 1)) - 1;
      for (; candidates; candidates &= candidates - 1) {
        int i = __builtin_ctzll(candidates);
        uint64_t below = (uint64_t{ 1 } << i) - 1;
        if (depth + popcount(opens & below) - popcount(closes & below) == 1)
          peek_guild_key(q + i + 1, end, *keys);
      }
    }
    if (end_at >= 0)
      return { q + end_at + 1, false };
    depth += popcount(opens) - popcount(closes);
  }
  return { nullptr, in_string_carry != 0 };
}
