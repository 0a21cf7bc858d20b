// Co-simulation: a conv layer's MACs through the Verilated mac_array and requant units, cycle by
// cycle, one output row per stream (as a PE feeds its array). The array is Verilated once at its
// widest (16 x 32); a layer's folding uses its first PE x SIMD lanes and the rest stay zero, so
// the beats and cycles are those of the layer's own folding. Verilated types stay in the .cpp
// (their headers pull in <systemc.h>).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <systemc>

#include "datapath/weight_rom.hpp"
#include "package/network_shapes.hpp"
#include "package/npy.hpp"
#include "package/package.hpp"

namespace qflow {

// One co-simulated conv PE's RTL: its own Verilated MAC array (16 x 32, the layer's folding on its
// first PE x SIMD lanes, the rest held at zero) and requant unit, clocked at the accelerator's
// period. The PE streams each output row's window through them in simulated time, so its busy
// time is the RTL's cycles.
class RtlConvUnit {
 public:
  // Call during elaboration. Throws ArchError when the folding is wider than the array, or the
  // layer's accumulator bound or requant integers do not fit the RTL's widths.
  RtlConvUnit(const Layer& layer, const TensorShape& in, int pe, int simd, double period_ns);
  ~RtlConvUnit();

  // From the PE's SystemC thread: blocks while the RTL computes the row. `strip` holds the k input
  // rows of the window (C x k x (W + 2 pad), padding zero); `strip_layer` is the layer without
  // padding; the weights are the ROM's words. Returns the row's codes (C_out x 1 x W_out).
  CodeMap run_row(const Layer& strip_layer, const CodeMap& strip, const WeightRom& rom);
  uint64_t mac_cycles() const { return mac_cycles_; }          // since reset_cycles()
  uint64_t requant_cycles() const { return requant_cycles_; }  // one code per cycle
  void reset_cycles() { mac_cycles_ = requant_cycles_ = 0; }
  void trace(sc_core::sc_trace_file* file) const;

  static int max_pe();
  static int max_simd();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t mac_cycles_ = 0, requant_cycles_ = 0;
};

}  // namespace qflow
