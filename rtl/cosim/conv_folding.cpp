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

void conv_window(const Layer& layer, const CodeMap& in, int oy, int ox, std::vector<int32_t>& window) {
  const int k = layer.kernel;
  for (int ci = 0; ci < layer.cin; ++ci)
    for (int ky = 0; ky < k; ++ky)
      for (int kx = 0; kx < k; ++kx) {
        const int iy = oy * layer.stride - layer.pad + ky, ix = ox * layer.stride - layer.pad + kx;
        const bool inside = iy >= 0 && iy < in.height && ix >= 0 && ix < in.width;
        window[size_t((ci * k + ky) * k + kx)] = inside ? in.codes[(size_t(ci) * in.height + iy) * in.width + ix] : 0;
      }
}

std::vector<MacBeat> fold_conv(const Layer& layer, const CodeMap& in, int out_h, int out_w, const ConvFolding& f) {
  const int folds = f.folds(layer), words = f.groups(layer) * folds;
  const std::vector<int8_t> lanes = fold_weights(layer, f);
  const size_t word_lanes = size_t(f.pe) * f.simd;
  std::vector<MacBeat> beats;
  beats.reserve(size_t(out_h) * out_w * words);
  std::vector<int32_t> window(size_t(folds) * f.simd, 0);
  for (int oy = 0; oy < out_h; ++oy)
    for (int ox = 0; ox < out_w; ++ox) {
      conv_window(layer, in, oy, ox, window);
      for (int w = 0; w < words; ++w) {
        const int fold = w % folds;
        MacBeat beat;
        beat.act.assign(window.begin() + fold * f.simd, window.begin() + (fold + 1) * f.simd);
        beat.wgt.assign(lanes.begin() + ptrdiff_t(w * word_lanes), lanes.begin() + ptrdiff_t((w + 1) * word_lanes));
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
  // Codes arrive pixel by pixel, channels in order within a pixel.
  const size_t plane = size_t(out_h) * out_w;
  for (size_t i = 0; i < codes.size(); ++i) {
    const size_t pixel = i / size_t(out.channels), c = i % size_t(out.channels);
    out.codes[c * plane + pixel] = int16_t(codes[i]);
  }
  return out;
}

}  // namespace qflow::rtl
