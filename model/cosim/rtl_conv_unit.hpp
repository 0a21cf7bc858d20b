// Co-simulation: a conv layer's MACs through the Verilated mac_array and requant units, cycle by
// cycle, one output row per stream (as a PE feeds its array). The array is Verilated once at its
// widest (16 x 32); a layer's folding uses its first PE x SIMD lanes and the rest stay zero, so
// the beats and cycles are those of the layer's own folding. Verilated types stay in the .cpp
// (their headers pull in <systemc.h>).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <systemc>

#include "datapath/weight_rom.hpp"
#include "package/network_shapes.hpp"
#include "package/npy.hpp"
#include "package/package.hpp"

namespace qflow {

struct RtlLayerRun {
  CodeMap codes;
  uint64_t mac_cycles = 0;      // the array's cycles, row streams back to back
  uint64_t requant_cycles = 0;  // the requant unit's (one code per cycle)
};

class RtlConvUnit {
 public:
  // Builds the units the given layers need, whose foldings must fit max_pe() x max_simd(), clocked
  // at the accelerator's period. Call during elaboration (before the simulation starts).
  RtlConvUnit(const std::vector<const Layer*>& layers, double period_ns);
  ~RtlConvUnit();

  // From a SystemC thread: blocks in simulated time while the RTL runs. `row_done` is called after
  // each output row.
  RtlLayerRun run(const Layer& layer, const CodeMap& in, const TensorShape& out, const WeightRom& rom,
                  const std::function<void()>& row_done = {});
  void trace(sc_core::sc_trace_file* file) const;

  static int max_pe();
  static int max_simd();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qflow
