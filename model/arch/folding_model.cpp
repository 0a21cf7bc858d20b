#include "folding_model.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "qflow/rtl_config.hpp"
#include "array_choice.hpp"
#include "conv_folding.hpp"
#include "model_error.hpp"

namespace qflow {
namespace {

struct Choice {
  int pe = 1, simd = 1;
  int64_t cycles = 0;
};

// The cheapest folding of a layer reaching `target` cycles (fewest multipliers, then fewest cycles)
// among those the co-simulation arrays run,
// or, when none does, the cheapest of the fastest (past the requant unit's bound, more multipliers
// buy nothing).
Choice cheapest_folding(const Layer& layer, const TensorShape& out, int64_t target) {
  Choice best;
  int64_t best_mults = -1;
  Choice fastest;
  for (int pe = 1; pe <= std::min(rtl_config::kFoldingMaxPE, layer.cout); ++pe) {
    const int widest = std::min(rtl::max_cosim_simd(pe), layer.cin * layer.kernel * layer.kernel);
    for (int simd = 1; simd <= widest; ++simd) {
      const int64_t cycles = conv_row_cycles(layer, out.width, pe, simd) * out.height;
      if (fastest.cycles == 0 || cycles < fastest.cycles ||
          (cycles == fastest.cycles && int64_t(pe) * simd < int64_t(fastest.pe) * fastest.simd))
        fastest = {pe, simd, cycles};
      const int64_t mults = int64_t(pe) * simd;
      if (cycles <= target && (best_mults < 0 || mults < best_mults || (mults == best_mults && cycles < best.cycles))) {
        best = {pe, simd, cycles};
        best_mults = mults;
      }
    }
  }
  return best_mults < 0 ? fastest : best;
}

}  // namespace

int64_t conv_row_cycles(const Layer& layer, int out_w, int pe, int simd) {
  const rtl::ConvFolding f{pe, simd};
  return int64_t(out_w) * std::max(int64_t(f.groups(layer)) * f.folds(layer), int64_t(layer.cout));
}

int64_t conv_row_fill(const Layer& layer, int pe) {
  const int last_group = layer.cout - (rtl::ConvFolding{pe, 1}.groups(layer) - 1) * pe;
  return kArrayStages + kHandoffStages + kRequantStages + last_group - 1;
}

std::map<std::string, TensorShape> map_shapes(const Package& package, const std::vector<LayerPlan>& plans) {
  std::map<std::string, TensorShape> shapes{{"input", input_shape(package)}};
  for (const LayerPlan& plan : plans) shapes[plan.name] = plan.out;
  return shapes;
}

int64_t rom_word_bytes(int pe, int simd, int w_bits) { return (int64_t(pe) * simd * w_bits + 7) / 8; }

// A DDR layer's frame, band by band, each band's compute plus its wait for weights.
void plan_weight_stream(const Layer& layer, const ConvArch& a, const ArchConfig& config, LayerPlan& p) {
  p.ddr_weight_bytes = 0;
  if (a.band_rows > p.out.height)
    throw ArchError(fmt::format("layer '{}': band_rows {} is taller than its {} output rows", layer.name, a.band_rows,
                                p.out.height));
  const rtl::ConvFolding f{a.pe, a.simd};
  const int64_t groups = f.groups(layer), folds = f.folds(layer);
  const int64_t group_bytes = folds * rom_word_bytes(a.pe, a.simd, layer.w_bits);
  const double bytes_per_cycle = config.dram.sustained_gbps() * 1e3 / config.clock_mhz;
  const int64_t fetch = int64_t(std::ceil(double(group_bytes) / bytes_per_cycle + config.dram.latency_ns / config.period_ns()));
  p.weights_in_ddr = true;
  p.band_rows = a.band_rows;
  p.weight_bytes = groups * group_bytes;
  p.weight_wait_cycles = 0;
  for (int first = 0; first < p.out.height; first += a.band_rows) {
    const int64_t rows = std::min(a.band_rows, p.out.height - first);
    const int64_t compute = rows * p.out.width * folds;  // one channel group over the band
    p.weight_wait_cycles += int64_t(band_weight_wait(double(groups), double(compute), double(fetch)));
    p.ddr_weight_bytes += p.weight_bytes;
  }
  p.cycles = p.row_cycles * p.out.height + p.weight_wait_cycles;
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
    if (layer.is_conv() && config.convs.at(layer.name).weights == WeightPlacement::Ddr)
      plan_weight_stream(layer, config.convs.at(layer.name), config, p);
    plans.push_back(p);
  }
  return plans;
}

ArchConfig arch_for_interval(const Package& package, int64_t interval_cycles) {
  const std::vector<TensorShape> shapes = infer_shapes(package);
  ArchConfig config;
  for (size_t i = 0; i < package.layers.size(); ++i)
    if (package.layers[i].is_conv()) {
      const Choice c = cheapest_folding(package.layers[i], shapes[i], interval_cycles);
      config.convs[package.layers[i].name] = {c.pe, c.simd, false};
    }
  return config;
}

ArchConfig default_arch_config(const Package& package, int multiplier_budget) {
  const auto multipliers = [](const ArchConfig& config) {
    int64_t n = 0;
    for (const auto& [name, a] : config.convs) n += int64_t(a.pe) * a.simd;
    return n;
  };
  // Binary search on the interval: every layer's cheapest folding only narrows as it grows.
  const std::vector<TensorShape> shapes = infer_shapes(package);
  int64_t lo = 1, hi = 1;
  for (size_t i = 0; i < package.layers.size(); ++i)
    if (package.layers[i].is_conv())
      hi = std::max(hi, conv_row_cycles(package.layers[i], shapes[i].width, 1, 1) * shapes[i].height);
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (multipliers(arch_for_interval(package, mid)) <= multiplier_budget)
      hi = mid;
    else
      lo = mid + 1;
  }
  return arch_for_interval(package, lo);
}

}  // namespace qflow
