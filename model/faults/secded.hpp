// Error-detecting codes for memory words, 64 data bits at a time (the slice UltraScale+ block RAM
// protects in its 72-bit ECC mode): even parity (one check bit: detects any odd number of flipped
// bits), and SECDED, an extended Hamming (72,64) code (8 check bits: corrects one flipped bit and
// detects two). rtl/secded_decoder.sv is the same code in Verilog; a test holds them together.
#pragma once

#include <cstdint>

namespace qflow {

enum class WordProtection { None, Parity, Secded };

inline int check_bits(WordProtection p) { return p == WordProtection::Secded ? 8 : p == WordProtection::Parity ? 1 : 0; }

uint8_t parity_encode(uint64_t data);
uint8_t secded_encode(uint64_t data);

struct Decoded {
  enum Status { Clean, Corrected, Detected } status = Clean;
  uint64_t data = 0;  // corrected when Corrected; as stored otherwise
};
Decoded parity_decode(uint64_t data, uint8_t check);
Decoded secded_decode(uint64_t data, uint8_t check);

}  // namespace qflow
