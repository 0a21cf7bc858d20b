// The contract's operations written as plain loops over C x H x W codes, int64 throughout.
#pragma once

#include <vector>

#include "package/network_shapes.hpp"
#include "package/npy.hpp"

namespace qflow {

CodeMap naive_conv(const Layer& layer, const CodeMap& in, const TensorShape& out_shape);
// Bilinear x2, align_corners = false, in 1/16 code units (never re-rounded).
CodeMap naive_upsample2x(const CodeMap& in);
CodeMap naive_concat(const std::vector<const CodeMap*>& ins);

}  // namespace qflow
