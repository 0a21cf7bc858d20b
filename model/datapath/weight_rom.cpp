#include "weight_rom.hpp"

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

bool WeightRom::load_dram_image(const std::vector<uint8_t>& image) {
  if (image.size() != image_.size())
    throw SimulationError(fmt::format("a weight image of {} bytes where the ROM holds {}", image.size(), image_.size()));
  if (image == image_) return false;
  image_ = image;
  const size_t lanes = size_t(pe_) * simd_, word_bytes = (lanes * size_t(w_bits_) + 7) / 8;
  for (int w = 0; w < words_; ++w)
    for (size_t lane = 0; lane < lanes; ++lane) {
      int v = 0;
      for (int b = 0; b < w_bits_; ++b) {
        const size_t bit = lane * size_t(w_bits_) + size_t(b);
        v |= ((image_[size_t(w) * word_bytes + bit / 8] >> (bit % 8)) & 1) << b;
      }
      lanes_[size_t(w) * lanes + lane] = int8_t(v >= (1 << (w_bits_ - 1)) ? v - (1 << w_bits_) : v);  // two's complement
    }
  return true;
}

std::vector<int8_t> WeightRom::canonical_weights() const {
  return rtl::unfold_weights(lanes_, cout_, depth_, rtl::ConvFolding{pe_, simd_});
}

WeightRom WeightRom::from_readmemh(const Layer& layer, int pe, int simd, const std::filesystem::path& file) {
  WeightRom rom(layer, pe, simd);
  std::ifstream in(file);
  if (!in) throw SimulationError(fmt::format("{}: no ROM image for layer '{}'", file.string(), layer.name));
  const int lanes = pe * simd, digits = (rom.word_bits() + 3) / 4;
  std::vector<uint8_t> bits(size_t(digits) * 4);
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
    // The word's bits, least significant first (write_readmemh's order), then its lanes.
    for (int d = 0; d < digits; ++d) {
      const int nibble = std::isdigit(static_cast<unsigned char>(line[size_t(digits - 1 - d)]))
                             ? line[size_t(digits - 1 - d)] - '0'
                             : std::tolower(static_cast<unsigned char>(line[size_t(digits - 1 - d)])) - 'a' + 10;
      for (int b = 0; b < 4; ++b) bits[size_t(d * 4 + b)] = (nibble >> b) & 1;
    }
    int8_t* lanes_of_word = rom.lanes_.data() + size_t(w) * lanes;
    for (int lane = 0; lane < lanes; ++lane) {
      int v = 0;
      for (int b = 0; b < rom.w_bits_; ++b) v |= bits[size_t(lane * rom.w_bits_ + b)] << b;
      lanes_of_word[lane] = int8_t(v >= (1 << (rom.w_bits_ - 1)) ? v - (1 << rom.w_bits_) : v);  // two's complement
    }
    ++w;
  }
  if (w != rom.words_)
    throw SimulationError(fmt::format("{}: {} words, layer '{}' at {}x{} (PE x SIMD) needs {}", file.string(), w,
                                      layer.name, pe, simd, rom.words_));
  rom.pack_image();
  return rom;
}

void WeightRom::write_readmemh(const std::filesystem::path& file) const {
  std::ofstream out(file);
  const int lanes = pe_ * simd_, digits = (word_bits() + 3) / 4;
  std::vector<uint8_t> bits(size_t(digits) * 4);
  std::string line(size_t(digits), '0');
  for (int w = 0; w < words_; ++w) {
    std::fill(bits.begin(), bits.end(), uint8_t(0));
    for (int lane = 0; lane < lanes; ++lane)
      for (int b = 0; b < w_bits_; ++b) bits[size_t(lane * w_bits_ + b)] = (uint8_t(word(w)[lane]) >> b) & 1;
    for (int d = 0; d < digits; ++d) {
      const size_t at = size_t(d) * 4;
      const int nibble = bits[at] | bits[at + 1] << 1 | bits[at + 2] << 2 | bits[at + 3] << 3;
      line[size_t(digits - 1 - d)] = "0123456789abcdef"[nibble];
    }
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
