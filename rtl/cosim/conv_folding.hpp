// A conv layer as a MAC-array stream: for every output pixel and group of PE output channels,
// ceil(k*k*Cin / SIMD) beats of SIMD input elements and PE x SIMD weights (the folding of DESIGN
// section 4), zero-padded at the ends. The accelerator's PEs (their ROMs and co-simulated rows) and
// the RTL tests share it.
#pragma once

#include <vector>

#include "package/npy.hpp"
#include "package/package.hpp"
#include "stream_beats.hpp"

namespace qflow::rtl {

struct ConvFolding {
  int pe = 1, simd = 1;
  int groups(const Layer& layer) const { return (layer.cout + pe - 1) / pe; }
  int folds(const Layer& layer) const { return (layer.cin * layer.kernel * layer.kernel + simd - 1) / simd; }
};

// The weight ROM's layout, defined once here (model/datapath/WeightRom packs and unpacks with it):
// weight e of output channel co ((cin, ky, kx) order, as the canonical ROM) sits in lane
// (co % PE) * SIMD + e % SIMD of word (co / PE) * folds + e / SIMD; that is, word g * folds + f holds
// the PE x SIMD weights fold f of channel group g multiplies, PE-major.
struct RomSlot {
  int word = 0, lane = 0;
};
inline RomSlot rom_slot(int co, int e, int folds, const ConvFolding& f) {
  return {(co / f.pe) * folds + e / f.simd, (co % f.pe) * f.simd + e % f.simd};
}

// The folded weights, every word's lanes in order, zero where a lane has no output channel or tap.
std::vector<int8_t> fold_weights(const Layer& layer, const ConvFolding& f);
// Its inverse: the canonical (cout, cin, kh, kw) weights back from the folded lanes.
std::vector<int8_t> unfold_weights(const std::vector<int8_t>& lanes, int cout, int depth, const ConvFolding& f);
// The input codes output pixel (oy, ox) multiplies, in (cin, ky, kx) order as the ROM, zero in the
// padding; `window` holds at least k*k*Cin entries (a fold's tail beyond them is left as it is).
void conv_window(const Layer& layer, const CodeMap& in, int oy, int ox, std::vector<int32_t>& window);
// A whole layer's beats, the weights filled in from fold_weights: what the RTL tests stream.
std::vector<MacBeat> fold_conv(const Layer& layer, const CodeMap& in, int out_h, int out_w, const ConvFolding& f);

// One requant beat per output code (the array's padding lanes dropped), in the same order.
std::vector<RequantBeat> requant_beats(const Layer& layer, const std::vector<std::vector<int64_t>>& accumulators,
                                       const ConvFolding& f);

// The requantized codes, back in C x H x W.
CodeMap unfold_codes(const Layer& layer, const std::vector<int>& codes, int out_h, int out_w);

}  // namespace qflow::rtl
