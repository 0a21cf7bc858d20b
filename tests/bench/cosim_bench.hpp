// What both drivers of the co-simulation benchmark share: the stream, and a table row.
#pragma once

#include <vector>

#include "stream_beats.hpp"

namespace qflow::bench {

inline constexpr int kFolds = 9;  // a 3x3 kernel row per output
// `beats` random W8A8 beats of PE x SIMD lanes, an output every kFolds.
std::vector<rtl::MacBeat> random_beats(int pe, int simd, int beats);
// Enough beats for about the same work at every size.
int beats_for(int lanes);
void print_row(const char* driver, int pe, int simd, uint64_t cycles, double seconds);
// Every co-simulation array size through the C++ loop, a row each.
void measure_loops();

}  // namespace qflow::bench
