#include "weight_rom.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>

#include <fmt/format.h>

#include "conv_folding.hpp"
#include "model_error.hpp"

namespace qflow {

WeightRom::WeightRom(const Layer& layer, int pe, int simd)
    : pe_(pe), simd_(simd), w_bits_(layer.w_bits), cout_(layer.cout), depth_(layer.cin * layer.kernel * layer.kernel),
      lanes_(rtl::fold_weights(layer, rtl::ConvFolding{pe, simd})) {
  words_ = int(lanes_.size() / (size_t(pe) * simd));
  pack_image();
}

void WeightRom::pack_image() {
  const size_t lanes = size_t(pe_) * simd_, word_bytes = (lanes * size_t(w_bits_) + 7) / 8;
  image_.assign(word_bytes * size_t(words_), 0);
  for (int w = 0; w < words_; ++w)
    for (size_t lane = 0; lane < lanes; ++lane) {
      const unsigned code = uint8_t(word(w)[lane]) & ((1u << w_bits_) - 1);
      for (int b = 0; b < w_bits_; ++b) {
        const size_t bit = lane * size_t(w_bits_) + size_t(b);
        image_[size_t(w) * word_bytes + bit / 8] |= uint8_t(((code >> b) & 1u) << (bit % 8));
      }
    }
}

void WeightRom::unpack_image() {
  const size_t lanes = size_t(pe_) * simd_, word_bytes = image_.size() / size_t(words_);
  for (int w = 0; w < words_; ++w)
    for (size_t lane = 0; lane < lanes; ++lane) {
      int v = 0;
      for (int b = 0; b < w_bits_; ++b) {
        const size_t bit = lane * size_t(w_bits_) + size_t(b);
        v |= ((image_[size_t(w) * word_bytes + bit / 8] >> (bit % 8)) & 1) << b;
      }
      lanes_[size_t(w) * lanes + lane] = int8_t(v >= (1 << (w_bits_ - 1)) ? v - (1 << w_bits_) : v);  // two's complement
    }
}

bool WeightRom::load_dram_image(const std::vector<uint8_t>& image) {
  if (image.size() != image_.size())
    throw SimulationError(fmt::format("a weight image of {} bytes where the ROM holds {}", image.size(), image_.size()));
  pristine_.clear();  // a fetch rewrites the buffer: earlier upsets are gone
  upset_words_.clear();
  if (image == image_) return false;
  image_ = image;
  unpack_image();
  return true;
}

void WeightRom::unpack_word(int address) {
  const size_t lanes = size_t(pe_) * simd_, word_bytes = image_.size() / size_t(words_);
  for (size_t lane = 0; lane < lanes; ++lane) {
    int v = 0;
    for (int b = 0; b < w_bits_; ++b) {
      const size_t bit = lane * size_t(w_bits_) + size_t(b);
      v |= ((image_[size_t(address) * word_bytes + bit / 8] >> (bit % 8)) & 1) << b;
    }
    lanes_[size_t(address) * lanes + lane] = int8_t(v >= (1 << (w_bits_ - 1)) ? v - (1 << w_bits_) : v);
  }
}

uint64_t WeightRom::slice_bits(const std::vector<uint8_t>& image, int address, int slice) const {
  const size_t word_bytes = image.size() / size_t(words_);
  uint64_t bits = 0;
  for (int b = 0; b < 64 && slice * 64 + b < word_bits(); ++b) {
    const size_t bit = size_t(slice) * 64 + size_t(b);
    bits |= uint64_t((image[size_t(address) * word_bytes + bit / 8] >> (bit % 8)) & 1) << b;
  }
  return bits;
}

void WeightRom::upset(int address, int bit, int burst) {
  if (address < 0 || address >= words_)
    throw SimulationError(fmt::format("ROM word {} is past the ROM's {} words", address, words_));
  if (bit < 0 || burst < 1 || bit + burst > stored_word_bits())
    throw SimulationError(fmt::format("ROM bits {}..{} are past the word's {} stored bits ({} data, {} check)", bit,
                                      bit + burst - 1, stored_word_bits(), word_bits(), stored_word_bits() - word_bits()));
  if (pristine_.empty()) {  // the first upset: keep the words as loaded, and encode their check bits
    pristine_ = stored_ = image_;
    const int n = slices();
    check_.assign(size_t(words_) * size_t(n), 0);
    for (int w = 0; w < words_ && protection_ != WordProtection::None; ++w)
      for (int sl = 0; sl < n; ++sl) check_[size_t(w) * size_t(n) + size_t(sl)] = encode(protection_, slice_bits(image_, w, sl));
  }
  const size_t word_bytes = stored_.size() / size_t(words_);
  for (int b = bit; b < bit + burst; ++b) {
    if (b < word_bits()) {
      stored_[size_t(address) * word_bytes + size_t(b) / 8] ^= uint8_t(1u << (b % 8));
    } else {
      const int c = b - word_bits(), per = check_bits(protection_);
      check_[size_t(address) * size_t(slices()) + size_t(c / per)] ^= uint8_t(1u << (c % per));
    }
  }
  upset_words_.push_back(address);
}

std::string WeightRom::read_upsets() {
  std::string detected;
  const size_t word_bytes = image_.size() / size_t(words_);
  for (const int w : upset_words_) {
    for (int sl = 0; sl < slices(); ++sl) {
      const Decoded read =
          decode(protection_, slice_bits(stored_, w, sl), check_[size_t(w) * size_t(slices()) + size_t(sl)]);
      if (read.status == Decoded::Detected && detected.empty())
        detected = fmt::format("word {}, bits {}..{}: {}", w, sl * 64, std::min(word_bits(), sl * 64 + 64) - 1,
                               detected_error_name(protection_));
      for (int b = 0; b < 64 && sl * 64 + b < word_bits(); ++b) {
        const size_t bit = size_t(sl) * 64 + size_t(b);
        uint8_t& byte = image_[size_t(w) * word_bytes + bit / 8];
        byte = uint8_t((byte & ~(1u << (bit % 8))) | (((read.data >> b) & 1u) << (bit % 8)));
      }
    }
    unpack_word(w);
  }
  upset_words_.clear();
  return detected;
}

bool WeightRom::restore() {
  if (pristine_.empty()) return false;
  image_ = pristine_;
  unpack_image();
  pristine_.clear();
  stored_.clear();
  check_.clear();
  upset_words_.clear();
  return true;
}

std::vector<int8_t> WeightRom::canonical_weights() const {
  return rtl::unfold_weights(lanes_, cout_, depth_, rtl::ConvFolding{pe_, simd_});
}

WeightRom WeightRom::from_readmemh(const Layer& layer, int pe, int simd, const std::filesystem::path& file) {
  WeightRom rom(layer, pe, simd);
  std::ifstream in(file);
  if (!in) throw SimulationError(fmt::format("{}: no ROM image for layer '{}'", file.string(), layer.name));
  const int digits = (rom.word_bits() + 3) / 4;
  const size_t word_bytes = rom.image_.size() / size_t(rom.words_);
  std::string line;
  int w = 0;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (line.empty()) continue;
    if (w == rom.words_)
      throw SimulationError(fmt::format("{}: more than the {} words of layer '{}' at {}x{} (PE x SIMD)", file.string(),
                                        rom.words_, layer.name, pe, simd));
    if (int(line.size()) != digits || line.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
      throw SimulationError(fmt::format("{}:{}: not a {}-digit hex word (layer '{}', {} bits per word)", file.string(),
                                        line_no, digits, layer.name, rom.word_bits()));
    // The word's nibbles, least significant first (the last digit), into its bytes of the image;
    // bits above the word's width are not the ROM's.
    uint8_t* bytes = rom.image_.data() + size_t(w) * word_bytes;
    std::fill(bytes, bytes + word_bytes, uint8_t(0));
    for (int d = 0; d < digits; ++d) {
      const char c = char(std::tolower(static_cast<unsigned char>(line[size_t(digits - 1 - d)])));
      const int nibble = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'a' + 10;
      bytes[d / 2] |= uint8_t(nibble << (4 * (d % 2)));
    }
    if (const int spare = int(word_bytes * 8) - rom.word_bits(); spare > 0)
      bytes[word_bytes - 1] &= uint8_t(0xFF >> spare);
    ++w;
  }
  if (w != rom.words_)
    throw SimulationError(fmt::format("{}: {} words, layer '{}' at {}x{} (PE x SIMD) needs {}", file.string(), w,
                                      layer.name, pe, simd, rom.words_));
  rom.unpack_image();
  return rom;
}

void WeightRom::write_readmemh(const std::filesystem::path& file) const {
  std::ofstream out(file);
  const int digits = (word_bits() + 3) / 4;
  const size_t word_bytes = image_.size() / size_t(words_);
  std::string line(size_t(digits), '0');
  for (int w = 0; w < words_; ++w) {
    const uint8_t* bytes = image_.data() + size_t(w) * word_bytes;
    for (int d = 0; d < digits; ++d) line[size_t(digits - 1 - d)] = "0123456789abcdef"[(bytes[d / 2] >> (4 * (d % 2))) & 0xF];
    out << line << '\n';
  }
  if (!out) throw SimulationError(fmt::format("{}: cannot write the weight ROM image", file.string()));
}

void write_rom_images(const Package& package, const ArchConfig& config, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (const Layer& layer : package.layers)
    if (layer.is_conv()) {
      const ConvArch& arch = config.convs.at(layer.name);
      WeightRom(layer, arch.pe, arch.simd).write_readmemh(dir / (layer.name + ".mem"));
    }
}

}  // namespace qflow
