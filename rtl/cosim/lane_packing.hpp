// Lanes of a few bits each packed into 32-bit words, lane 0 at bit 0 (two's complement truncated to
// the lane), and read back: the bit layout of every multi-bit port of qflow's RTL, shared by the
// SystemC harness (sc_bv words) and the C++ loop (Verilator's words). No SystemC or Verilator here.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace qflow::rtl {

// Packs `lanes` into words[0 .. count), clearing what they do not fill.
template <class Lanes>
void pack_lanes_into(uint32_t* words, size_t count, const Lanes& lanes, int bits) {
  std::fill(words, words + count, 0u);
  const uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  size_t at = 0;
  for (const auto lane : lanes) {
    uint64_t v = uint64_t(int64_t(lane)) & mask;
    for (int left = bits; left > 0;) {
      const int offset = int(at % 32), take = std::min(left, 32 - offset);
      words[at / 32] |= uint32_t(v & ((uint64_t(1) << take) - 1)) << offset;
      v >>= take;
      at += size_t(take);
      left -= take;
    }
  }
}

// Lane i of `bits` bits (up to 64), sign-extended when `is_signed`.
inline int64_t unpack_lane_from(const uint32_t* words, int i, int bits, bool is_signed) {
  uint64_t v = 0;
  for (int got = 0, at = i * bits; got < bits;) {
    const int offset = at % 32, take = std::min(bits - got, 32 - offset);
    v |= ((uint64_t(words[at / 32]) >> offset) & ((uint64_t(1) << take) - 1)) << got;
    got += take;
    at += take;
  }
  return is_signed && bits < 64 ? int64_t(v << (64 - bits)) >> (64 - bits) : int64_t(v);
}

}  // namespace qflow::rtl
