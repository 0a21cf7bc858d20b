// One row of a map as it moves between the accelerator's units, in one form: channel-last bytes
// (what the conv kernels read; low and high bytes for 1/16-unit upsampled codes), or for the flow
// head, whose int16 codes have no byte form, C x 1 x W codes. Probes, DMA and co-simulation read
// the codes through write_codes(). Rows are shared, never copied from hop to hop.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <vector>

#include "package/npy.hpp"
#include "ref/channel_last.hpp"
#include "row_jobs.hpp"

namespace qflow {

struct Row {
  int y = 0;
  // Names the row's codes, so that a PE can tell a window row it copied already (ConvRowEngine):
  // a new number each time the row is made or taken for other codes. 0: not named.
  uint64_t serial = 0;
  ChannelLast bytes;   // 1 x width x channels; empty for the flow head
  CodeMap head_codes;  // the flow head's channels x 1 x width; empty for every other layer
  // The job computing the codes, when a unit's row was handed to RowJobs: whoever reads the
  // codes waits for it first (RowJobs::wait_for; LineBuffer::row does). Null otherwise.
  RowJobs::Ticket computing;

  bool is_head() const { return bytes.low.empty(); }
  int channels() const { return is_head() ? head_codes.channels : bytes.channels; }
  int width() const { return is_head() ? head_codes.width : bytes.width; }
  // Channel c's width() codes at dst + c * channel_stride.
  void write_codes(int16_t* dst, size_t channel_stride) const;
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

// A serial no row had before (Row::serial); any thread.
uint64_t next_row_serial();

// A row from its C x 1 x W codes: kept as they are for the flow head, else in bytes (split into
// low and high bytes when `split`: 1/16-unit upsampled codes).
RowRef make_row(int y, CodeMap codes, bool head, bool split);
// Row y of a whole C x H x W map (not the flow head's) in bytes: how tests and benchmarks feed a
// unit's line buffer from a map the reference computed.
RowRef map_row(const CodeMap& map, int y, bool split);

}  // namespace qflow
