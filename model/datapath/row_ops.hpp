// The rows the accelerator's non-conv units compute (DESIGN section 2), each from its input rows
// only: the input streamer's stacked pair, the bilinear x2 upsample unit, the concat unit.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/row.hpp"

namespace qflow {

// Row y of the 6-channel input (R, G, B of image 1, then of image 2) from the two images' RGB bytes.
RowRef input_row(int y, const uint8_t* rgb1, const uint8_t* rgb2, int width, RowPool& pool);
// An output row of a bilinear x2 upsample into `out`, in 1/16 code units (low and high bytes), from
// its two source rows (the 3/4 and the 1/4 one, see upsample_taps).
void upsample_row(const Row& near, const Row& far, Row& out);
// The channels of `parts` in order, into `out`.
void concat_row(const std::vector<RowRef>& parts, Row& out);

}  // namespace qflow
