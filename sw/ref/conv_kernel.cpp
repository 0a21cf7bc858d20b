#include "conv_kernel.hpp"

namespace qflow {

std::unique_ptr<ConvKernel> make_conv_kernel(const Layer& layer, const TensorShape& in,
                                             const TensorShape& out) {
  if (auto kernel = make_onednn_conv(layer, in, out)) return kernel;
  return make_exact_conv(layer, in, out);
}

}  // namespace qflow
