#include "rtl_conv_unit.hpp"

#include <map>
#include <string>

#include <fmt/format.h>

#include "Vmac_array_cosim.h"
#include "Vmac_array_cosim_params.hpp"
#include "Vrequant_a2.h"
#include "Vrequant_a3.h"
#include "Vrequant_a4.h"
#include "Vrequant_a5.h"
#include "Vrequant_a6.h"
#include "Vrequant_a7.h"
#include "Vrequant_a8.h"
#include "Vrequant_flow.h"
#include "conv_folding.hpp"
#include "mac_array_pins.hpp"
#include "model_error.hpp"
#include "requant_pins.hpp"
#include "stream_harness.hpp"

namespace qflow {
namespace {

using ArrayParams = Vmac_array_cosim_params;
using ArrayPins = rtl::MacArrayPins<Vmac_array_cosim, ArrayParams>;

// A Verilated unit with its pins and harness, as one named module (their signals' names are
// then unique in the hierarchy and in the waves).
template <class Vtop, class Pins>
struct HarnessedUnit : sc_core::sc_module {
  Pins pins;
  rtl::StreamHarness<Vtop, Pins> harness;
  HarnessedUnit(sc_core::sc_module_name name, double period_ns)
      : sc_module(name), harness("harness", pins, 0, 0, clocked(period_ns)) {
    harness.set_stops_simulation(false);
  }
  static rtl::StreamTiming clocked(double period_ns) {
    rtl::StreamTiming timing;
    timing.period_ns = period_ns;
    return timing;
  }
  void trace(sc_core::sc_trace_file* file, bool with_clock) const { harness.trace(file, basename(), with_clock); }
};

void check(const rtl::StreamStats& stats, const Layer& layer, const char* unit) {
  if (stats.timed_out)
    throw SimulationError(fmt::format("co-simulation of layer '{}': the {} did not finish", layer.name, unit));
}

class RequantRunner {
 public:
  virtual ~RequantRunner() = default;
  virtual std::vector<int> run(const Layer& layer, std::vector<rtl::RequantBeat> beats, uint64_t& cycles) = 0;
  virtual void trace(sc_core::sc_trace_file* file) const = 0;
};

template <class Vtop>
class RequantRunnerOf : public RequantRunner {
 public:
  RequantRunnerOf(const std::string& name, double period_ns) : unit_(name.c_str(), period_ns) {}
  std::vector<int> run(const Layer& layer, std::vector<rtl::RequantBeat> beats, uint64_t& cycles) override {
    unit_.pins.beats = std::move(beats);
    unit_.pins.codes.clear();
    const rtl::StreamStats stats = unit_.harness.run(unit_.pins.beats.size(), unit_.pins.beats.size());
    check(stats, layer, "requant unit");
    cycles += stats.cycles;
    return std::move(unit_.pins.codes);
  }
  // The array's clock is the same: one clock in the waves is enough.
  void trace(sc_core::sc_trace_file* file) const override { unit_.trace(file, /*with_clock=*/false); }

 private:
  HarnessedUnit<Vtop, rtl::RequantPins<Vtop>> unit_;
};

// The requant unit Verilated for a layer's output: activations of 2..8 bits, or the flow head.
std::unique_ptr<RequantRunner> make_requant(const Layer& layer, double period_ns) {
  if (layer.op == LayerOp::FlowHead)
    return std::make_unique<RequantRunnerOf<Vrequant_flow>>("cosim_requant_flow", period_ns);
  const std::string name = fmt::format("cosim_requant_a{}", layer.out_bits);
  switch (layer.out_bits) {
    case 2: return std::make_unique<RequantRunnerOf<Vrequant_a2>>(name, period_ns);
    case 3: return std::make_unique<RequantRunnerOf<Vrequant_a3>>(name, period_ns);
    case 4: return std::make_unique<RequantRunnerOf<Vrequant_a4>>(name, period_ns);
    case 5: return std::make_unique<RequantRunnerOf<Vrequant_a5>>(name, period_ns);
    case 6: return std::make_unique<RequantRunnerOf<Vrequant_a6>>(name, period_ns);
    case 7: return std::make_unique<RequantRunnerOf<Vrequant_a7>>(name, period_ns);
    case 8: return std::make_unique<RequantRunnerOf<Vrequant_a8>>(name, period_ns);
    default: throw SimulationError(fmt::format("layer '{}': no requant unit for {} output bits", layer.name, layer.out_bits));
  }
}

int requant_key(const Layer& layer) { return layer.op == LayerOp::FlowHead ? 0 : layer.out_bits; }

}  // namespace

struct RtlConvUnit::Impl {
  explicit Impl(double period_ns) : array("cosim_mac_array", period_ns) {}
  HarnessedUnit<Vmac_array_cosim, ArrayPins> array;
  std::map<int, std::unique_ptr<RequantRunner>> requants;  // by requant_key
};

int RtlConvUnit::max_pe() { return ArrayParams::kPE; }
int RtlConvUnit::max_simd() { return ArrayParams::kSIMD; }

RtlConvUnit::RtlConvUnit(const std::vector<const Layer*>& layers, double period_ns)
    : impl_(std::make_unique<Impl>(period_ns)) {
  for (const Layer* layer : layers)
    if (!impl_->requants.count(requant_key(*layer))) impl_->requants[requant_key(*layer)] = make_requant(*layer, period_ns);
}

RtlConvUnit::~RtlConvUnit() = default;

void RtlConvUnit::trace(sc_core::sc_trace_file* file) const {
  impl_->array.trace(file, /*with_clock=*/true);
  for (const auto& [key, requant] : impl_->requants) requant->trace(file);
}

RtlLayerRun RtlConvUnit::run(const Layer& layer, const CodeMap& in, const TensorShape& out, const WeightRom& rom,
                             const std::function<void()>& row_done) {
  const rtl::ConvFolding f{rom.pe(), rom.simd()};
  RequantRunner& requant = *impl_->requants.at(requant_key(layer));
  RtlLayerRun result;
  result.codes = {out.channels, out.height, out.width, std::vector<int16_t>(size_t(out.size()))};
  for (int y = 0; y < out.height; ++y) {
    std::vector<rtl::MacBeat> beats = rtl::fold_conv_rows(layer, in, out.width, f, y, 1);
    // Onto the array's lanes, the weights as the layer's ROM holds them.
    for (size_t i = 0; i < beats.size(); ++i) {
      rtl::MacBeat& beat = beats[i];
      beat.act.resize(ArrayParams::kSIMD, 0);
      const int8_t* word = rom.word(int(i % size_t(rom.words())));
      beat.wgt.assign(size_t(ArrayParams::kPE) * ArrayParams::kSIMD, 0);
      for (int p = 0; p < f.pe; ++p)
        for (int s = 0; s < f.simd; ++s) beat.wgt[size_t(p * ArrayParams::kSIMD + s)] = word[p * f.simd + s];
    }
    const size_t outputs = size_t(out.width) * f.groups(layer);
    ArrayPins& pins = impl_->array.pins;
    pins.load(std::move(beats));
    const rtl::StreamStats stats = impl_->array.harness.run(pins.beats().size(), outputs);
    check(stats, layer, "MAC array");
    result.mac_cycles += stats.cycles;
    const std::vector<int> codes =
        requant.run(layer, rtl::requant_beats(layer, pins.outputs, f), result.requant_cycles);
    rtl::unfold_codes_into(codes, result.codes, y);
    if (row_done) row_done();
  }
  return result;
}

}  // namespace qflow
