// The multiply-accumulate ceilings of this CPU's 256-bit (AVX2) units, one thread, measured with
// loops of the instructions each contender's inner loop issues, operands broadcast from L1 as in
// the real kernels:
//   int16  pmaddwd + paddd  qflow's exact int16 tiles (any code x weight, int32 sums)
//   fp32   vfmadd231ps      LibTorch's float convolutions
// A kernel's measured rate over its ceiling is its efficiency, and the ceilings' ratio bounds the
// speed-up the exact kernel can have over LibTorch at equal efficiency on the same CPU.
#pragma once

#include <optional>

namespace qflow::bench {

struct IsaCeilings {
  double int16_gmacs = 0, fp32_gmacs = 0;  // per thread, 1e9 MACs a second
};

// The mean per thread with `threads` threads running the loops at once (a shared machine's cores
// need not all run at one core's rate). Empty on a CPU without AVX2 and FMA.
std::optional<IsaCeilings> measure_avx2_ceilings(int threads);

}  // namespace qflow::bench
