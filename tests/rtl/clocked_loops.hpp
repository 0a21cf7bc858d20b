// The C++ loop's runs for clocked_loop_test, in a translation unit of their own: a C++ Verilated
// model's headers and a SystemC one's do not mix (both declare sc_time_stamp).
#pragma once

#include <cstdint>
#include <vector>

#include "stream_beats.hpp"
#include "stream_timing.hpp"

namespace qflow::rtl {

// The 4x8 co-simulation array over `beats`; its outputs' accumulators into `outputs`.
StreamStats array_loop(const std::vector<MacBeat>& beats, const StreamTiming& timing,
                       std::vector<std::vector<int64_t>>& outputs);
// The 8-bit requant unit over `beats`; its codes into `codes`.
StreamStats requant_loop(const std::vector<RequantBeat>& beats, const StreamTiming& timing, std::vector<int>& codes);

}  // namespace qflow::rtl
