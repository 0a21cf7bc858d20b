#include "weight_rom.hpp"

#include <fstream>

#include <fmt/format.h>

#include "conv_folding.hpp"
#include "model_error.hpp"

namespace qflow {

WeightRom::WeightRom(const Layer& layer, int pe, int simd) : pe_(pe), simd_(simd), w_bits_(layer.w_bits) {
  const rtl::ConvFolding f{pe, simd};
  const int groups = f.groups(layer), folds = f.folds(layer);
  const int depth = layer.cin * layer.kernel * layer.kernel;
  words_ = groups * folds;
  lanes_.assign(size_t(words_) * pe * simd, 0);
  for (int g = 0; g < groups; ++g)
    for (int fold = 0; fold < folds; ++fold) {
      int8_t* word = lanes_.data() + size_t(g * folds + fold) * pe * simd;
      for (int p = 0; p < pe; ++p) {
        const int co = g * pe + p;
        if (co >= layer.cout) continue;
        for (int s = 0; s < simd; ++s) {
          const int e = fold * simd + s;  // (cin, ky, kx) order, as the canonical ROM
          if (e < depth) word[p * simd + s] = layer.weights[size_t(co) * depth + e];
        }
      }
    }
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
