// Error-detecting codes for memory words, 64 data bits at a time (the slice UltraScale+ block RAM
// protects in its 72-bit ECC mode): even parity (one check bit: detects any odd number of flipped
// bits), and SECDED, an extended Hamming (72,64) code (8 check bits: corrects one flipped bit and
// detects two). rtl/secded_codec.sv is the same code in Verilog; a test holds them together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

// The same under a word's protection: no check bits and every read clean for None.
uint8_t encode(WordProtection p, uint64_t data);
Decoded decode(WordProtection p, uint64_t data, uint8_t check);

// The names arch.json and the command lines use: "none", "parity", "secded"; nullopt for another.
const char* protection_name(WordProtection p);
std::optional<WordProtection> protection_named(const std::string& name);
// How a read reports an error its code detects but cannot correct.
const char* detected_error_name(WordProtection p);

}  // namespace qflow
