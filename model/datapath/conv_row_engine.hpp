// A conv PE's datapath for one output row: the window rows its line buffer holds, zero padding and
// stride as the hardware applies them (a strip of k rows x (W + 2 pad) pixels), multiplied by the
// weights of the PE's own ROM with the sw fast path's exact kernels, then requantized. The strip
// slides down a taller buffer, so that the next row's window copies only the rows it adds.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "datapath/weight_rom.hpp"
#include "package/network_shapes.hpp"
#include "pipeline/line_buffer.hpp"
#include "ref/conv_kernel.hpp"

namespace qflow {

class ConvRowEngine {
 public:
  // `in`: the shape of the map the layer reads. The weights are the ROM's, not the package's.
  ConvRowEngine(const Layer& layer, const TensorShape& in, const WeightRom& rom);

  RowRef compute(int y, const LineBuffer& window) const;
  // The same in three steps, for a row computed later (RowJobs): the rows its window reads as the
  // line buffer holds them now (null: padding), and a row of the PE's own, y set (both on the
  // simulation thread); then, once those rows are computed, the strip from them and the kernel on
  // it into `out` (on any thread; threads computing rows of the PE at once each take a strip and
  // kernel of their own).
  std::vector<RowRef> window_rows(int y, const LineBuffer& window) const;
  std::shared_ptr<Row> take_row(int y) const { return rows_.take(y); }
  void compute(const std::vector<RowRef>& window_rows, Row& out) const;
  // The strip output row y reads (C x k x (W + 2 pad) codes, padding zero): what a co-simulated
  // PE streams into the RTL array.
  CodeMap strip_codes(int y, const LineBuffer& window) const;
  // The layer as it applies to one strip: no padding left to add, the ROM's weights.
  const Layer& strip_layer() const { return strip_layer_; }
  std::string kernel_name() const { return kernel_name_; }
  // An upset accumulator (model/faults), right after compute(window_rows, out): output `element`
  // (channel * width + x) of that row, requantized from its accumulator with bits
  // [bit, bit + burst) of the accumulator's 32 flipped. The element and the bits are within the row
  // and the accumulator (Accelerator::upset_accumulator checks them when the fault strikes).
  void upset_accumulator(const std::vector<RowRef>& window_rows, Row& out, int64_t element, int bit, int burst) const;

 private:
  // A kernel and the strip it reads: what a row's computation writes besides its output (the
  // kernels keep their accumulators). Threads computing rows of the PE at once each take one; the
  // PE builds another the first time more threads than it has compute at once. The strip is rows
  // [top, top + k) of a buffer of kBufferWindows * k rows, each named by the serial of the row it
  // holds (kZeroRow: padding; 0: nothing).
  struct StripKernel {
    std::unique_ptr<ConvKernel> kernel;
    ChannelLast buffer;
    std::vector<uint64_t> held;
    int top = 0;
  };
  static constexpr int kBufferWindows = 4;
  static constexpr uint64_t kZeroRow = ~uint64_t(0);
  // Places the window's rows at the strip, copying those it does not hold already.
  void fill_strip(const std::vector<RowRef>& window_rows, StripKernel& strip) const;
  std::unique_ptr<StripKernel> make_strip_kernel() const;
  std::unique_ptr<StripKernel> take_strip_kernel() const;
  void give_back(std::unique_ptr<StripKernel> taken) const;

  Layer strip_layer_;
  TensorShape in_;
  int pad_;
  bool head_;
  TensorShape strip_shape_;
  std::string kernel_name_;
  mutable std::mutex free_mutex_;
  mutable std::vector<std::unique_ptr<StripKernel>> free_;  // not taken now
  mutable RowPool rows_;
};

}  // namespace qflow
