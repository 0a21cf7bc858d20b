#include "secded.hpp"

namespace qflow {

namespace {

// Hamming positions 1..71: the check bits sit at the powers of two (1, 2, ..., 64), the 64 data
// bits at the other positions in order. The eighth check bit is the parity of all 71 positions.
struct Positions {
  int of_data[64];
  Positions() {
    int p = 1;
    for (int& position : of_data) {
      while ((p & (p - 1)) == 0) ++p;  // skip the powers of two
      position = p++;
    }
  }
};
const Positions kPositions;

int parity64(uint64_t x) { return __builtin_parityll(x); }

// The XOR of the Hamming positions of the data's set bits.
unsigned data_syndrome(uint64_t data) {
  unsigned s = 0;
  for (int i = 0; i < 64; ++i)
    if ((data >> i) & 1) s ^= unsigned(kPositions.of_data[i]);
  return s;
}

}  // namespace

uint8_t parity_encode(uint64_t data) { return uint8_t(parity64(data)); }

Decoded parity_decode(uint64_t data, uint8_t check) {
  return {parity64(data) == (check & 1) ? Decoded::Clean : Decoded::Detected, data};
}

uint8_t secded_encode(uint64_t data) {
  const unsigned hamming = data_syndrome(data);  // check bit j = bit j of the data's syndrome
  const int overall = parity64(data) ^ __builtin_parity(hamming);
  return uint8_t(hamming | unsigned(overall) << 7);
}

Decoded secded_decode(uint64_t data, uint8_t check) {
  const unsigned syndrome = data_syndrome(data) ^ (check & 0x7Fu);
  const bool overall_odd = (parity64(data) ^ __builtin_parity(check)) != 0;
  if (syndrome == 0 && !overall_odd) return {Decoded::Clean, data};
  if (!overall_odd) return {Decoded::Detected, data};  // an even number of flips: two
  // One flip: at the syndrome's position (a check bit when a power of two or 0: the overall bit).
  for (int i = 0; i < 64; ++i)
    if (unsigned(kPositions.of_data[i]) == syndrome) return {Decoded::Corrected, data ^ (uint64_t(1) << i)};
  if (syndrome == 0 || (syndrome & (syndrome - 1)) == 0) return {Decoded::Corrected, data};
  return {Decoded::Detected, data};  // a position past the word: three or more flips
}

uint8_t encode(WordProtection p, uint64_t data) {
  return p == WordProtection::Parity ? parity_encode(data) : p == WordProtection::Secded ? secded_encode(data) : 0;
}

Decoded decode(WordProtection p, uint64_t data, uint8_t check) {
  if (p == WordProtection::Parity) return parity_decode(data, check);
  if (p == WordProtection::Secded) return secded_decode(data, check);
  return {Decoded::Clean, data};
}

const char* protection_name(WordProtection p) {
  return p == WordProtection::Parity ? "parity" : p == WordProtection::Secded ? "secded" : "none";
}

std::optional<WordProtection> protection_named(const std::string& name) {
  for (WordProtection p : {WordProtection::None, WordProtection::Parity, WordProtection::Secded})
    if (name == protection_name(p)) return p;
  return std::nullopt;
}

const char* detected_error_name(WordProtection p) {
  return p == WordProtection::Parity ? "parity error" : "uncorrectable ECC error";
}

}  // namespace qflow
