// The accelerator's datapath, computed ahead of the timing (DESIGN section 4): every layer's codes
// for a frame, a layer at a time. Conv layers use the sw fast kernels (whole network at once when
// no layer is co-simulated), or the Verilated RTL for co-simulated layers, whose codes then feed
// the layers after them. Each conv layer's weight ROM is packed here for its folding.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "arch/arch_config.hpp"
#include "cosim/rtl_conv_unit.hpp"
#include "datapath/weight_rom.hpp"
#include "ref/reference.hpp"

namespace qflow {

class FunctionalDatapath {
 public:
  // Builds the RTL units of co-simulated layers: call during elaboration.
  FunctionalDatapath(const Package& package, const ArchConfig& config);

  // From a SystemC thread when any layer is co-simulated (the RTL runs in simulated time).
  // `progress` gets the fraction of the co-simulated MACs done, row by row.
  const LayerCodes& compute(const CodeMap& input, const std::function<void(double)>& progress = {});

  const LayerCodes& codes() const { return codes_; }
  // Per package layer: the RTL's cycles for the last frame (empty when not co-simulated).
  const std::vector<RtlLayerRun>& rtl_runs() const { return rtl_runs_; }
  // Per package layer; null for layers without weights.
  const WeightRom* rom(size_t layer) const { return roms_[layer].get(); }
  bool cosimulates() const { return rtl_ != nullptr; }
  void trace(sc_core::sc_trace_file* file) const;

 private:
  const Package& package_;
  std::vector<TensorShape> shapes_;
  std::vector<bool> cosim_;
  std::vector<std::unique_ptr<WeightRom>> roms_;
  std::unique_ptr<FastReference> fast_;  // the whole-network path, when nothing is co-simulated
  std::unique_ptr<RtlConvUnit> rtl_;
  LayerCodes codes_;
  std::vector<RtlLayerRun> rtl_runs_;
};

}  // namespace qflow
