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

// Beats in output order: pixels in raster order, then channel groups.
std::vector<MacBeat> fold_conv(const Layer& layer, const CodeMap& in, int out_h, int out_w, const ConvFolding& f);
// The same for output rows [first_row, first_row + rows) only (what a PE feeds its array per row).
std::vector<MacBeat> fold_conv_rows(const Layer& layer, const CodeMap& in, int out_w, const ConvFolding& f,
                                    int first_row, int rows);

// One requant beat per output code (the array's padding lanes dropped), in the same order.
std::vector<RequantBeat> requant_beats(const Layer& layer, const std::vector<std::vector<int64_t>>& accumulators,
                                       const ConvFolding& f);

// The requantized codes, back in C x H x W.
CodeMap unfold_codes(const Layer& layer, const std::vector<int>& codes, int out_h, int out_w);
// The same into output rows [first_row, ...) of `out` (already sized C x H x W).
void unfold_codes_into(const std::vector<int>& codes, CodeMap& out, int first_row);

}  // namespace qflow::rtl
