// The memory-word codes: parity detects every single flip; SECDED corrects every single flip of
// the 72 bits and flags every double one; the Verilated codec (rtl/secded_codec.sv) encodes and
// decodes as the C++ code does, on random words with none, one and two flips. And a weight ROM
// read through its code: parity catches every single-bit upset of a word, SECDED corrects it.
#include <random>

#include <gtest/gtest.h>

#include "Vsecded_codec.h"
#include "datapath/weight_rom.hpp"
#include "faults/secded.hpp"
#include "gen/random_package.hpp"

namespace qflow {
namespace {

// Bit b of the 72: data bits 0..63, then the check bits.
void flip(uint64_t& data, uint8_t& check, int b) {
  if (b < 64) data ^= uint64_t(1) << b;
  else check ^= uint8_t(1u << (b - 64));
}

TEST(Secded, CorrectsEverySingleFlipAndFlagsEveryDoubleFlip) {
  std::mt19937_64 rng(3);
  for (int word = 0; word < 8; ++word) {
    const uint64_t data = rng();
    const uint8_t check = secded_encode(data);
    EXPECT_EQ(secded_decode(data, check).status, Decoded::Clean);
    for (int a = 0; a < 72; ++a) {
      uint64_t d = data;
      uint8_t c = check;
      flip(d, c, a);
      const Decoded one = secded_decode(d, c);
      ASSERT_EQ(one.status, Decoded::Corrected) << "bit " << a;
      ASSERT_EQ(one.data, data) << "bit " << a;
      for (int b = a + 1; b < 72; ++b) {
        uint64_t d2 = d;
        uint8_t c2 = c;
        flip(d2, c2, b);
        ASSERT_EQ(secded_decode(d2, c2).status, Decoded::Detected) << "bits " << a << " and " << b;
      }
    }
  }
}

TEST(Secded, ParityDetectsEverySingleFlip) {
  const uint64_t data = 0x0123456789abcdefull;
  const uint8_t check = parity_encode(data);
  EXPECT_EQ(parity_decode(data, check).status, Decoded::Clean);
  for (int b = 0; b < 65; ++b) {
    uint64_t d = data;
    uint8_t c = check;
    flip(d, c, b);
    EXPECT_EQ(parity_decode(d, c).status, Decoded::Detected) << "bit " << b;
  }
}

TEST(Secded, TheVerilogCodecAgreesWithTheCppCode) {
  Vsecded_codec rtl;
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 3000; ++trial) {
    const uint64_t data = rng();
    rtl.data_i = data;
    rtl.check_i = 0;
    rtl.eval();
    ASSERT_EQ(rtl.check_o, secded_encode(data)) << std::hex << data;
    uint64_t d = data;
    uint8_t c = secded_encode(data);
    const int flips = trial % 3;  // none, one, two
    int first = -1;
    for (int f = 0; f < flips; ++f) {
      int b = int(rng() % 72);
      while (b == first) b = int(rng() % 72);
      flip(d, c, b);
      first = b;
    }
    rtl.data_i = d;
    rtl.check_i = c;
    rtl.eval();
    const Decoded expected = secded_decode(d, c);
    ASSERT_EQ(rtl.data_o, expected.data) << "trial " << trial;
    ASSERT_EQ(bool(rtl.corrected_o), expected.status == Decoded::Corrected) << "trial " << trial;
    ASSERT_EQ(bool(rtl.detected_o), expected.status == Decoded::Detected) << "trial " << trial;
  }
  rtl.final();
}

// A conv layer's ROM of the tests' small random package, under `protection`.
WeightRom small_rom(WordProtection protection) {
  static const RandomPackage r = make_random_package({0.125, 64, 64, 8, 8}, 7);
  WeightRom rom(r.package.layer("conv3"), 4, 8);
  rom.set_protection(protection);
  return rom;
}

TEST(RomProtection, ParityCatchesEverySingleBitUpsetOfAWord) {
  WeightRom rom = small_rom(WordProtection::Parity);
  ASSERT_EQ(rom.stored_word_bits(), rom.word_bits() + rom.slices());
  for (int b = 0; b < rom.stored_word_bits(); ++b) {
    rom.upset(3, b, 1);
    EXPECT_NE(rom.read_upsets().find("parity error"), std::string::npos) << "bit " << b;
    ASSERT_TRUE(rom.restore());
  }
}

TEST(RomProtection, SecdedCorrectsEverySingleBitUpsetOfAWord) {
  WeightRom rom = small_rom(WordProtection::Secded);
  const std::vector<int8_t> weights = rom.canonical_weights();
  for (int b = 0; b < rom.stored_word_bits(); ++b) {
    rom.upset(3, b, 1);
    EXPECT_EQ(rom.read_upsets(), "") << "bit " << b;
    ASSERT_EQ(rom.canonical_weights(), weights) << "bit " << b;
    rom.restore();
  }
}

TEST(RomProtection, WithoutACodeAnUpsetChangesTheWeightsUntilReloaded) {
  WeightRom rom = small_rom(WordProtection::None);
  const std::vector<int8_t> weights = rom.canonical_weights();
  rom.upset(3, 7, 1);
  EXPECT_EQ(rom.read_upsets(), "");
  EXPECT_NE(rom.canonical_weights(), weights);
  EXPECT_TRUE(rom.restore());
  EXPECT_EQ(rom.canonical_weights(), weights);
  EXPECT_FALSE(rom.restore());
}

}  // namespace
}  // namespace qflow
