// One row of a map as it moves between the accelerator's units: its codes (C x 1 x W, what dumps
// and DMA transfers carry) and the same codes channel-last in bytes (what the conv kernels read;
// absent for the flow head's int16 codes). Rows are shared, never copied from hop to hop.
#pragma once

#include <memory>
#include <ostream>

#include "package/npy.hpp"
#include "ref/channel_last.hpp"

namespace qflow {

struct Row {
  int y = 0;
  CodeMap codes;      // channels x 1 x width
  ChannelLast bytes;  // 1 x width x channels; empty for the flow head
  const int16_t* channel(int c) const { return codes.codes.data() + size_t(c) * codes.width; }
};
using RowRef = std::shared_ptr<const Row>;

// sc_fifo prints its contents on request.
inline std::ostream& operator<<(std::ostream& os, const RowRef& row) {
  return os << "row " << (row ? row->y : -1);
}

// A row from its C x 1 x W codes, with the byte form when `with_bytes` (split into low and high
// bytes when `split`: 1/16-unit upsampled codes).
RowRef make_row(int y, CodeMap codes, bool with_bytes, bool split);

}  // namespace qflow
