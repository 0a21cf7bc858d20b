// One row of a map as it moves between the accelerator's units: its codes (C x 1 x W, what dumps
// and DMA transfers carry) and the same codes channel-last in bytes (what the conv kernels read;
// absent for the flow head's int16 codes). Rows are shared, never copied from hop to hop.
#pragma once

#include <memory>
#include <ostream>
#include <vector>

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

// The rows one unit hands out, each reused once every consumer has let it go: no allocation, page
// faults or zeroing per row (the buffers keep their size from row to row). A unit's own, used on
// SystemC's one thread.
class RowPool {
 public:
  // A row no one else holds, its y set; its buffers hold an earlier row's codes until overwritten.
  std::shared_ptr<Row> take(int y);

 private:
  std::vector<std::shared_ptr<Row>> rows_;
};

// A row from its C x 1 x W codes, with the byte form when `with_bytes` (split into low and high
// bytes when `split`: 1/16-unit upsampled codes).
RowRef make_row(int y, CodeMap codes, bool with_bytes, bool split);
// Row y of a whole C x H x W map, with its byte form: how tests and benchmarks feed a unit's line
// buffer from a map the reference computed.
RowRef map_row(const CodeMap& map, int y, bool split);

}  // namespace qflow
