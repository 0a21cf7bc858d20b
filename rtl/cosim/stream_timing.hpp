// How a valid/ready stream is driven, and what it took: shared by the SystemC harness
// (stream_harness.hpp) and the plain C++ loop (clocked_model.hpp).
#pragma once

#include <cstdint>

namespace qflow::rtl {

struct StreamTiming {
  double valid_gap = 0.0;    // probability that the source idles in a cycle
  double ready_stall = 0.0;  // probability that the sink holds ready low in a cycle
  uint64_t seed = 1;
  uint64_t max_cycles = 50'000'000;  // a hang ends the run instead of the process
  double period_ns = 10.0;           // the unit's clock
};

struct StreamStats {
  uint64_t cycles = 0;     // from the stream's first cycle to its last output's handshake
  bool timed_out = false;
};

}  // namespace qflow::rtl
