#include "conv_folding.hpp"

#include <cstdint>

namespace qflow::rtl {

std::vector<int8_t> fold_weights(const Layer& layer, const ConvFolding& f) {
  const int depth = layer.cin * layer.kernel * layer.kernel, folds = f.folds(layer);
  std::vector<int8_t> lanes(size_t(f.groups(layer)) * folds * f.pe * f.simd, 0);
  for (int co = 0; co < layer.cout; ++co)
    for (int e = 0; e < depth; ++e) {
      const RomSlot at = rom_slot(co, e, folds, f);
      lanes[size_t(at.word) * f.pe * f.simd + at.lane] = layer.weights[size_t(co) * depth + e];
    }
  return lanes;
}

std::vector<int8_t> unfold_weights(const std::vector<int8_t>& lanes, int cout, int depth, const ConvFolding& f) {
  const int folds = (depth + f.simd - 1) / f.simd;
  std::vector<int8_t> weights(size_t(cout) * depth);
  for (int co = 0; co < cout; ++co)
    for (int e = 0; e < depth; ++e) {
      const RomSlot at = rom_slot(co, e, folds, f);
      weights[size_t(co) * depth + e] = lanes[size_t(at.word) * f.pe * f.simd + at.lane];
    }
  return weights;
}

void place_word(const int8_t* word, const ConvFolding& f, int array_pe, int array_simd, std::vector<int32_t>& port) {
  port.assign(size_t(array_pe) * array_simd, 0);
  for (int p = 0; p < f.pe; ++p)
    for (int s = 0; s < f.simd; ++s) port[size_t(p * array_simd + s)] = word[p * f.simd + s];
}

std::vector<MacBeat> fold_conv(const Layer& layer, const CodeMap& in, int out_h, int out_w, const ConvFolding& f) {
  std::vector<MacBeat> beats = fold_conv_rows(layer, in, out_w, f, 0, out_h);
  const std::vector<int8_t> words = fold_weights(layer, f);
  const size_t lanes = size_t(f.pe) * f.simd, count = words.size() / lanes;
  for (size_t i = 0; i < beats.size(); ++i) {
    const int8_t* word = words.data() + (i % count) * lanes;
    beats[i].wgt.assign(word, word + lanes);
  }
  return beats;
}

std::vector<MacBeat> fold_conv_rows(const Layer& layer, const CodeMap& in, int out_w, const ConvFolding& f,
                                    int first_row, int rows) {
  const int k = layer.kernel, folds = f.folds(layer);
  std::vector<MacBeat> beats;
  beats.reserve(size_t(rows) * out_w * f.groups(layer) * folds);
  std::vector<int32_t> window(size_t(folds) * f.simd, 0);  // (cin, ky, kx) order, as the ROM
  for (int oy = first_row; oy < first_row + rows; ++oy)
    for (int ox = 0; ox < out_w; ++ox) {
      for (int ci = 0; ci < layer.cin; ++ci)
        for (int ky = 0; ky < k; ++ky)
          for (int kx = 0; kx < k; ++kx) {
            const int iy = oy * layer.stride - layer.pad + ky, ix = ox * layer.stride - layer.pad + kx;
            const bool inside = iy >= 0 && iy < in.height && ix >= 0 && ix < in.width;
            window[size_t((ci * k + ky) * k + kx)] =
                inside ? in.codes[(size_t(ci) * in.height + iy) * in.width + ix] : 0;
          }
      for (int g = 0; g < f.groups(layer); ++g)
        for (int fold = 0; fold < folds; ++fold) {
          MacBeat beat;
          beat.act.assign(window.begin() + fold * f.simd, window.begin() + (fold + 1) * f.simd);
          beat.last = fold + 1 == folds;
          beats.push_back(std::move(beat));
        }
    }
  return beats;
}

std::vector<RequantBeat> requant_beats(const Layer& layer, const std::vector<std::vector<int64_t>>& accumulators,
                                       const ConvFolding& f) {
  std::vector<RequantBeat> beats;
  for (size_t i = 0; i < accumulators.size(); ++i) {
    const int g = int(i % size_t(f.groups(layer)));
    for (int p = 0; p < f.pe; ++p) {
      const int co = g * f.pe + p;
      if (co < layer.cout)
        beats.push_back({accumulators[i][size_t(p)], layer.mult[size_t(co)], layer.bias[size_t(co)], layer.shift});
    }
  }
  return beats;
}

CodeMap unfold_codes(const Layer& layer, const std::vector<int>& codes, int out_h, int out_w) {
  CodeMap out{layer.cout, out_h, out_w, std::vector<int16_t>(size_t(layer.cout) * out_h * out_w)};
  unfold_codes_into(codes, out, 0);
  return out;
}

void unfold_codes_into(const std::vector<int>& codes, CodeMap& out, int first_row) {
  // Codes arrive pixel by pixel, channels in order within a pixel.
  const size_t plane = size_t(out.height) * out.width, first = size_t(first_row) * out.width;
  for (size_t i = 0; i < codes.size(); ++i) {
    const size_t pixel = first + i / size_t(out.channels), c = i % size_t(out.channels);
    out.codes[c * plane + pixel] = int16_t(codes[i]);
  }
}

}  // namespace qflow::rtl
