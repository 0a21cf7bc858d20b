// The rows the accelerator's non-conv units compute (DESIGN section 2), each from its input rows
// only: the input streamer's stacked pair, the bilinear x2 upsample unit, the concat unit.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/row.hpp"

namespace qflow {

// Row y of the 6-channel input (R, G, B of image 1, then of image 2) from the two images' RGB bytes.
RowRef input_row(int y, const uint8_t* rgb1, const uint8_t* rgb2, int width, RowPool& pool);
// Output row oy of a bilinear x2 upsample in 1/16 code units (low and high bytes), from its two
// source rows (the 3/4 and the 1/4 one, see upsample_taps).
RowRef upsample_row(int oy, const Row& near, const Row& far, RowPool& pool);
// The channels of `parts` in order.
RowRef concat_row(int y, const std::vector<const Row*>& parts, RowPool& pool);

}  // namespace qflow
