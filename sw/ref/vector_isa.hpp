// The vector instruction sets qflow's own hot loops are written for (the int16 conv tiles, the
// requant), and which of them this CPU runs: capped as oneDNN is (ONEDNN_MAX_CPU_ISA), so that one
// setting stands in for a lesser CPU in the benchmarks and the tests.
#pragma once

#include <vector>

namespace qflow {

enum class VectorIsa { Avx512, Avx2, Portable };

// Widest first; Portable (plain C++) always last.
const std::vector<VectorIsa>& vector_isas_of_this_cpu();

}  // namespace qflow
