// The logic of a processing element's datapath (MAC array and requant lanes) in LUTs, flip-flops
// and DSPs, fitted to the yosys runs of rtl/cost/circuit_cost.csv (scripts/circuit_cost.py table).
// Per width pair, flow and count: count = a * (PE x SIMD) + b * PE + c by least squares over the
// array sizes yosys synthesized (the multipliers and adder trees scale with PE x SIMD, the
// accumulators with PE); a requant lane is priced as yosys measured one.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <tuple>

namespace qflow {

struct LogicCost {
  double luts = 0, flip_flops = 0, dsps = 0;
  LogicCost& operator+=(const LogicCost& o) {
    luts += o.luts, flip_flops += o.flip_flops, dsps += o.dsps;
    return *this;
  }
};

// DSP: multipliers as synth_xilinx infers them (DSP48 slices from about 5 bits up); LUT: every
// multiplier in LUTs and carry chains (synth_xilinx -nodsp), what a layer left without DSPs gets.
enum class MultiplierImpl { Dsp, Lut };

class CircuitCostModel {
 public:
  // Throws ArchError naming the file and line when the table is missing, malformed or incomplete.
  static CircuitCostModel read(const std::filesystem::path& csv);
  // The table rtl/cost/circuit_cost.csv of this source tree.
  static const CircuitCostModel& bundled();

  // A PE x SIMD array of w x a-bit multipliers. Widths the table lacks: clamped to 2..8 (an
  // activation above 8 bits is priced as the 8 x 12 array, the widest measured).
  LogicCost mac_array(int w_bits, int a_bits, int pe, int simd, MultiplierImpl impl) const;
  // PE requant lanes after that array; `fixed_shift`: the variant whose shift is a layer constant.
  LogicCost requant_lanes(int w_bits, int a_bits, int pe, MultiplierImpl impl, bool fixed_shift = false) const;
  // One processing element: the array and its PE lanes.
  LogicCost datapath(int w_bits, int a_bits, int pe, int simd, MultiplierImpl impl) const;

 private:
  struct Fit {
    LogicCost per_mac, per_pe, fixed;
  };
  using Key = std::tuple<int, int, std::string>;  // w_bits, a_bits, flow
  std::pair<int, int> measured_widths(int w_bits, int a_bits) const;
  std::map<Key, Fit> arrays_;
  std::map<Key, LogicCost> lanes_, fixed_lanes_;
};

}  // namespace qflow
