#include "functional_datapath.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "model_error.hpp"

namespace qflow {

FunctionalDatapath::FunctionalDatapath(const Package& package, const ArchConfig& config)
    : package_(package), shapes_(infer_shapes(package)), cosim_(package.layers.size(), false) {
  std::vector<const Layer*> cosim_layers;
  for (size_t i = 0; i < package.layers.size(); ++i) {
    const Layer& layer = package.layers[i];
    roms_.emplace_back();
    if (!layer.is_conv()) continue;
    const ConvArch& arch = config.convs.at(layer.name);
    roms_.back() = std::make_unique<WeightRom>(layer, arch.pe, arch.simd);
    if (arch.cosim) {
      if (arch.pe > RtlConvUnit::max_pe() || arch.simd > RtlConvUnit::max_simd())
        throw ArchError(fmt::format("layer '{}': folding {}x{} (PE x SIMD) is wider than the co-simulation array "
                                    "({}x{}); narrow it in the architecture config to co-simulate it",
                                    layer.name, arch.pe, arch.simd, RtlConvUnit::max_pe(), RtlConvUnit::max_simd()));
      cosim_[i] = true;
      cosim_layers.push_back(&layer);
    }
  }
  if (cosim_layers.empty())
    fast_ = std::make_unique<FastReference>(package);
  else
    rtl_ = std::make_unique<RtlConvUnit>(cosim_layers, config.period_ns());
  rtl_runs_.resize(package.layers.size());
}

void FunctionalDatapath::trace(sc_core::sc_trace_file* file) const {
  if (rtl_) rtl_->trace(file);
}

const LayerCodes& FunctionalDatapath::compute(const CodeMap& input, const std::function<void(double)>& progress) {
  if (fast_) {
    fast_->run(input, codes_);
    return codes_;
  }
  std::map<std::string, const CodeMap*> by_name{{"input", &input}};
  codes_.resize(package_.layers.size());
  double total_macs = 0, done_macs = 0;
  for (size_t i = 0; i < package_.layers.size(); ++i)
    if (cosim_[i]) total_macs += double(layer_macs(package_.layers[i], shapes_[i]));
  for (size_t i = 0; i < package_.layers.size(); ++i) {
    const Layer& layer = package_.layers[i];
    std::vector<const CodeMap*> inputs;
    for (const std::string& name : layer.inputs) inputs.push_back(by_name.at(name));
    if (cosim_[i]) {
      const double row_macs = double(layer_macs(layer, shapes_[i])) / shapes_[i].height;
      rtl_runs_[i] = rtl_->run(layer, *inputs.at(0), shapes_[i], *roms_[i], [&] {
        done_macs += row_macs;
        if (progress) progress(done_macs / total_macs);
      });
      codes_[i] = std::move(rtl_runs_[i].codes);
    } else {
      codes_[i] = run_layer_fast(layer, inputs);
    }
    by_name[layer.name] = &codes_[i];
  }
  return codes_;
}

}  // namespace qflow
