// What flows into the RTL units, one handshake each (no SystemC or Verilator needed to build them).
#pragma once

#include <cstdint>
#include <vector>

namespace qflow::rtl {

// mac_array: SIMD activations shared by the PEs, and PE x SIMD weights.
struct MacBeat {
  std::vector<int32_t> act;  // SIMD unsigned codes
  std::vector<int32_t> wgt;  // PE x SIMD signed codes, PE-major
  bool last = false;         // the last fold of an output
};

// requant: one output channel's accumulator and its requant parameters.
struct RequantBeat {
  int64_t acc = 0, mult = 0, bias = 0;
  int shift = 0;
};

}  // namespace qflow::rtl
