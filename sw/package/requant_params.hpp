// From a real per-channel affine map out = acc * m_c + o_c to the package's integers (DESIGN
// section 2): M_c = round(m_c 2^S), B_c = round(o_c 2^S) + 2^(S-1), with S the largest shift for
// which every |M_c| fits the multiplier (kMultBits) and every B_c stays far inside int64.
#pragma once

#include <vector>

#include "package.hpp"

namespace qflow {

void set_requant(Layer& layer, const std::vector<double>& m, const std::vector<double>& o);

}  // namespace qflow
