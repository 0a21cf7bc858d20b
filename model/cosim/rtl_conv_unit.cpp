#include "rtl_conv_unit.hpp"

#include <map>
#include <string>

#include <fmt/format.h>

#include "Vmac_array_cosim.h"
#include "Vmac_array_cosim_params.hpp"
#include "Vrequant_flow.h"
#include "requant_models.hpp"
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
  // Why the layer's requant integers or accumulators do not fit this unit's ports ("" when they do).
  virtual std::string misfit(const Layer& layer, int64_t acc_bound) const = 0;
  virtual std::vector<int> run(const Layer& layer, std::vector<rtl::RequantBeat> beats, uint64_t& cycles) = 0;
  virtual void trace(sc_core::sc_trace_file* file) const = 0;
};

template <class Vtop>
class RequantRunnerOf : public RequantRunner {
 public:
  RequantRunnerOf(const std::string& name, double period_ns) : unit_(name.c_str(), period_ns) {}
  std::string misfit(const Layer& layer, int64_t acc_bound) const override {
    using Pins = rtl::RequantPins<Vtop>;
    const auto fits = [](int64_t v, int bits) { return bits >= 64 || (v >= -(int64_t(1) << (bits - 1)) && v < (int64_t(1) << (bits - 1))); };
    if (!fits(acc_bound, Pins::kAccBits) || !fits(-acc_bound, Pins::kAccBits))
      return fmt::format("its accumulators reach {} and the requant unit takes {} bits", acc_bound, Pins::kAccBits);
    for (size_t c = 0; c < layer.mult.size(); ++c) {
      if (!fits(layer.mult[c], Pins::kMultBits))
        return fmt::format("channel {}'s multiplier {} does not fit {} bits", c, layer.mult[c], Pins::kMultBits);
      if (!fits(layer.bias[c], Pins::kBiasBits))
        return fmt::format("channel {}'s bias {} does not fit {} bits", c, layer.bias[c], Pins::kBiasBits);
    }
    if (layer.shift >= (1 << Pins::kShiftBits))
      return fmt::format("its shift {} does not fit {} bits", layer.shift, Pins::kShiftBits);
    return "";
  }
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

// The requant unit Verilated for a layer's output: an activation width rtl/ built, or the flow head.
std::unique_ptr<RequantRunner> make_requant(const Layer& layer, double period_ns) {
  if (layer.op == LayerOp::FlowHead)
    return std::make_unique<RequantRunnerOf<Vrequant_flow>>("cosim_requant_flow_" + layer.name, period_ns);
  const std::string name = fmt::format("cosim_requant_a{}_{}", layer.out_bits, layer.name);
#define QFLOW_REQUANT_CASE(bits, Vtop) \
  if (layer.out_bits == (bits)) return std::make_unique<RequantRunnerOf<Vtop>>(name, period_ns);
  QFLOW_FOR_EACH_REQUANT_MODEL(QFLOW_REQUANT_CASE)
#undef QFLOW_REQUANT_CASE
  throw SimulationError(fmt::format("layer '{}': no requant unit for {} output bits", layer.name, layer.out_bits));
}

}  // namespace

struct RtlConvUnit::Impl {
  Impl(const Layer& layer, double period_ns)
      : array(("cosim_mac_array_" + layer.name).c_str(), period_ns), requant(make_requant(layer, period_ns)) {}
  HarnessedUnit<Vmac_array_cosim, ArrayPins> array;
  std::unique_ptr<RequantRunner> requant;
  rtl::ConvFolding folding;
};

int RtlConvUnit::max_pe() { return ArrayParams::kPE; }
int RtlConvUnit::max_simd() { return ArrayParams::kSIMD; }

RtlConvUnit::RtlConvUnit(const Layer& layer, const TensorShape& in, int pe, int simd, double period_ns) {
  if (pe > max_pe() || simd > max_simd())
    throw ArchError(fmt::format("layer '{}': folding {}x{} (PE x SIMD) is wider than the co-simulation array "
                                "({}x{}); narrow it in the architecture config to co-simulate it",
                                layer.name, pe, simd, max_pe(), max_simd()));
  if (in.max_code() >= (int64_t(1) << ArrayParams::kABits) || layer.w_bits > ArrayParams::kWBits)
    throw ArchError(fmt::format("layer '{}': {}-bit weights or inputs up to {} do not fit the co-simulation array "
                                "({}-bit weights, {}-bit activations)", layer.name, layer.w_bits, in.max_code(),
                                ArrayParams::kWBits, ArrayParams::kABits));
  const int64_t acc_bound = accumulator_bound(layer, in);
  if (acc_bound >= (int64_t(1) << (ArrayPins::kAccBits - 1)))
    throw ArchError(fmt::format("layer '{}' cannot be co-simulated: its accumulators reach {} and the array's hold {} bits",
                                layer.name, acc_bound, ArrayPins::kAccBits));
  impl_ = std::make_unique<Impl>(layer, period_ns);
  impl_->folding = {pe, simd};
  const std::string misfit = impl_->requant->misfit(layer, acc_bound);
  if (!misfit.empty())
    throw ArchError(fmt::format("layer '{}' cannot be co-simulated: {}", layer.name, misfit));
}

RtlConvUnit::~RtlConvUnit() = default;

void RtlConvUnit::trace(sc_core::sc_trace_file* file) const {
  impl_->array.trace(file, /*with_clock=*/true);
  impl_->requant->trace(file);
}

CodeMap RtlConvUnit::run_row(const Layer& layer, const CodeMap& strip, const WeightRom& rom) {
  const rtl::ConvFolding& f = impl_->folding;
  const int out_w = (strip.width - layer.kernel) / layer.stride + 1;
  std::vector<rtl::MacBeat> beats = rtl::fold_conv_rows(layer, strip, out_w, f, 0, 1);
  // Onto the array's lanes, the weights as the PE's ROM holds them.
  for (size_t i = 0; i < beats.size(); ++i) {
    rtl::MacBeat& beat = beats[i];
    beat.act.resize(ArrayParams::kSIMD, 0);
    rtl::place_word(rom.word(int(i % size_t(rom.words()))), f, ArrayParams::kPE, ArrayParams::kSIMD, beat.wgt);
  }
  const size_t outputs = size_t(out_w) * f.groups(layer);
  ArrayPins& pins = impl_->array.pins;
  pins.load(std::move(beats));
  const rtl::StreamStats stats = impl_->array.harness.run(pins.beats().size(), outputs);
  check(stats, layer, "MAC array");
  mac_cycles_ += stats.cycles;
  const std::vector<int> codes = impl_->requant->run(layer, rtl::requant_beats(layer, pins.outputs, f), requant_cycles_);
  CodeMap row{layer.cout, 1, out_w, std::vector<int16_t>(size_t(layer.cout) * out_w)};
  rtl::unfold_codes_into(codes, row, 0);
  return row;
}

}  // namespace qflow
