#include "folding_model.hpp"

#include <algorithm>

#include "Vmac_array_cosim_params.hpp"
#include "conv_folding.hpp"

namespace qflow {
namespace {

struct Choice {
  int pe = 1, simd = 1;
  int64_t cycles = 0;
};

// The cheapest power-of-two folding of a layer reaching `target` cycles, or the widest one allowed.
Choice cheapest_folding(const Layer& layer, const TensorShape& out, int64_t target) {
  Choice best;
  int64_t best_mults = -1;
  Choice widest;
  for (int pe = 1; pe <= std::min(Vmac_array_cosim_params::kPE, layer.cout); pe *= 2)
    for (int simd = 1; simd <= std::min(Vmac_array_cosim_params::kSIMD, layer.cin * layer.kernel * layer.kernel);
         simd *= 2) {
      const int64_t cycles = conv_row_cycles(layer, out.width, pe, simd) * out.height;
      if (widest.cycles == 0 || cycles < widest.cycles) widest = {pe, simd, cycles};
      const int64_t mults = int64_t(pe) * simd;
      if (cycles <= target && (best_mults < 0 || mults < best_mults || (mults == best_mults && cycles < best.cycles))) {
        best = {pe, simd, cycles};
        best_mults = mults;
      }
    }
  return best_mults < 0 ? widest : best;
}

}  // namespace

int64_t conv_row_cycles(const Layer& layer, int out_w, int pe, int simd) {
  const rtl::ConvFolding f{pe, simd};
  return int64_t(out_w) * f.groups(layer) * f.folds(layer);
}

std::vector<LayerPlan> plan_layers(const Package& package, const ArchConfig& config) {
  const std::vector<TensorShape> shapes = infer_shapes(package);
  std::vector<LayerPlan> plans;
  for (size_t i = 0; i < package.layers.size(); ++i) {
    const Layer& layer = package.layers[i];
    LayerPlan p{layer.name, layer.op, shapes[i], layer_macs(layer, shapes[i])};
    if (layer.is_conv()) {
      const ConvArch& a = config.convs.at(layer.name);
      p.pe = a.pe;
      p.simd = a.simd;
      p.row_cycles = conv_row_cycles(layer, p.out.width, a.pe, a.simd);
    } else if (layer.op == LayerOp::Upsample2x) {
      p.row_cycles = p.out.width;
    }
    p.cycles = p.row_cycles * p.out.height;
    plans.push_back(p);
  }
  return plans;
}

ArchConfig default_arch_config(const Package& package, int multiplier_budget) {
  const std::vector<TensorShape> shapes = infer_shapes(package);
  auto fold_all = [&](int64_t target) {
    std::vector<Choice> choices;
    int64_t mults = 0;
    for (size_t i = 0; i < package.layers.size(); ++i)
      if (package.layers[i].is_conv()) {
        choices.push_back(cheapest_folding(package.layers[i], shapes[i], target));
        mults += int64_t(choices.back().pe) * choices.back().simd;
      }
    return std::make_pair(choices, mults);
  };
  // Binary search on the initiation interval: the layers' cycles only fall as it grows.
  int64_t lo = 1, hi = 1;
  for (size_t i = 0; i < package.layers.size(); ++i)
    if (package.layers[i].is_conv())
      hi = std::max(hi, conv_row_cycles(package.layers[i], shapes[i].width, 1, 1) * shapes[i].height);
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (fold_all(mid).second <= multiplier_budget)
      hi = mid;
    else
      lo = mid + 1;
  }
  const std::vector<Choice> choices = fold_all(lo).first;
  ArchConfig config;
  size_t c = 0;
  for (const Layer& layer : package.layers)
    if (layer.is_conv()) {
      config.convs[layer.name] = {choices[c].pe, choices[c].simd, false};
      ++c;
    }
  return config;
}

}  // namespace qflow
