#include "layer_limits.hpp"

#include <fmt/format.h>

namespace qflow {
namespace {

std::string out_of_range(const char* field, int value, int lo, int hi) {
  return fmt::format("{} {} is outside {}..{}", field, value, lo, hi);
}

}  // namespace

std::string layer_limit_problem(const Layer& layer) {
  struct Limit {
    const char* field;
    int value, lo, hi;
  };
  const bool head = layer.op == LayerOp::FlowHead;
  const Limit limits[] = {
      {"cin", layer.cin, 1, kMaxChannels},
      {"cout", layer.cout, 1, kMaxChannels},
      {"kernel", layer.kernel, 1, kMaxKernel},
      {"stride", layer.stride, 1, kMaxStride},
      {"pad", layer.pad, 0, layer.kernel - 1},
      {"w_bits", layer.w_bits, 2, 8},
      {"out_bits", layer.out_bits, head ? kFlowHeadBits : 2, head ? kFlowHeadBits : 8},
      {"shift", layer.shift, 0, kMaxShift},
  };
  for (const Limit& l : limits)
    if (l.value < l.lo || l.value > l.hi) return out_of_range(l.field, l.value, l.lo, l.hi);
  return {};
}

}  // namespace qflow
