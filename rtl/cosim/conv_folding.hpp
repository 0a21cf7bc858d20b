// A conv layer as a MAC-array stream: for every output pixel and group of PE output channels,
// ceil(k*k*Cin / SIMD) beats of SIMD input elements and PE x SIMD weights (the folding of DESIGN
// section 4), zero-padded at the ends. The accelerator's PEs and the co-simulation tests share it.
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
// One ROM word onto the weight port of an array with `array_simd` lanes per PE (at least the
// folding's): lane (p, s) at p * array_simd + s, the array's unused lanes zero.
void place_word(const int8_t* word, const ConvFolding& f, int array_pe, int array_simd, std::vector<int32_t>& port);

// The activation beats of output rows [first_row, first_row + rows), in output order (pixels in
// raster order, then channel groups, then folds): what a PE feeds its array while its ROM supplies
// the weights (`wgt` left empty). Beat i multiplies ROM word i % (groups x folds).
std::vector<MacBeat> fold_conv_rows(const Layer& layer, const CodeMap& in, int out_w, const ConvFolding& f,
                                    int first_row, int rows);
// A whole layer's beats, the weights filled in from fold_weights: what the RTL tests stream.
std::vector<MacBeat> fold_conv(const Layer& layer, const CodeMap& in, int out_h, int out_w, const ConvFolding& f);

// One requant beat per output code (the array's padding lanes dropped), in the same order.
std::vector<RequantBeat> requant_beats(const Layer& layer, const std::vector<std::vector<int64_t>>& accumulators,
                                       const ConvFolding& f);

// The requantized codes, back in C x H x W.
CodeMap unfold_codes(const Layer& layer, const std::vector<int>& codes, int out_h, int out_w);
// The same into output rows [first_row, ...) of `out` (already sized C x H x W).
void unfold_codes_into(const std::vector<int>& codes, CodeMap& out, int first_row);

}  // namespace qflow::rtl
