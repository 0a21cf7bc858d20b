// A conv layer's weight ROM for its folding (DESIGN section 4): word g * folds + f holds the
// PE x SIMD weight codes the MAC array multiplies in fold f of channel group g, PE-major, zero
// where a lane has no output channel or tap (rtl::fold_weights, the layout's one definition).
// Generated from the package's canonical ROM, or loaded from a $readmemh image.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "arch/arch_config.hpp"
#include "faults/secded.hpp"
#include "package/package.hpp"

namespace qflow {

class WeightRom {
 public:
  WeightRom(const Layer& layer, int pe, int simd);
  // A ROM image written by write_readmemh for this layer and folding (a bitstream's ROM contents):
  // throws SimulationError naming the file when its word count or width does not fit.
  static WeightRom from_readmemh(const Layer& layer, int pe, int simd, const std::filesystem::path& file);

  int words() const { return words_; }
  int pe() const { return pe_; }
  int simd() const { return simd_; }
  int word_bits() const { return pe_ * simd_ * w_bits_; }
  int64_t bits() const { return int64_t(words_) * word_bits(); }
  // Lane p * simd + s of a word.
  const int8_t* word(int address) const { return lanes_.data() + size_t(address) * pe_ * simd_; }

  // The weights as the PE's MAC lanes see them, back in the canonical (cout, cin, kh, kw) order:
  // what its row kernel multiplies.
  std::vector<int8_t> canonical_weights() const;

  // A Verilog $readmemh image: one word per line in hex, lane 0 in the least significant bits.
  void write_readmemh(const std::filesystem::path& file) const;

  // The ROM as it lies in DRAM when the layer's weights stream from there: word after word, each
  // ceil(PE x SIMD x W / 8) bytes, lane 0 in the least significant bits (the $readmemh word's order).
  const std::vector<uint8_t>& dram_image() const { return image_; }
  // Takes the words a PE fetched from DRAM; returns whether they differ from what it held.
  bool load_dram_image(const std::vector<uint8_t>& image);

  // Soft errors (model/faults). A word is stored as its data bits, then its check bits: one group
  // per 64 data bits, under the protection the architecture gives the layer (parity or SECDED).
  void set_protection(WordProtection protection) { protection_ = protection; }
  WordProtection protection() const { return protection_; }
  int slices() const { return (word_bits() + 63) / 64; }
  int stored_word_bits() const { return word_bits() + slices() * check_bits(protection_); }
  // Flips stored bits [bit, bit + burst) of word `address`; the PE sees them at its next read.
  void upset(int address, int bit, int burst);
  bool upset_pending() const { return !upset_words_.empty(); }
  // The PE's read of the upset words through their code: SECDED corrects single flips; what it
  // read becomes the ROM's words. Returns the first error the code detects but cannot correct
  // ("" if none).
  std::string read_upsets();
  // A reload: the words as they were before any upset; false if there was none.
  bool restore();

 private:
  int pe_, simd_, w_bits_, words_;
  int cout_, depth_;  // the layer's output channels and k*k*cin
  std::vector<int8_t> lanes_;
  std::vector<uint8_t> image_;  // lanes_ packed as dram_image(): the one bit layout, readmemh's too
  void pack_image();            // lanes_ -> image_
  void unpack_image();          // image_ -> lanes_
  void unpack_word(int address);
  uint64_t slice_bits(const std::vector<uint8_t>& image, int address, int slice) const;
  WordProtection protection_ = WordProtection::None;
  // Only once upset: the words as loaded, the stored bits, their check bits (per word and slice).
  std::vector<uint8_t> pristine_, stored_, check_;
  std::vector<int> upset_words_;
};

// Every conv layer's ROM for its folding in `config`, as <dir>/<layer>.mem.
void write_rom_images(const Package& package, const ArchConfig& config, const std::filesystem::path& dir);

}  // namespace qflow
