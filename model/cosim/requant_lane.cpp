#include "requant_lane.hpp"

#include <type_traits>

#include <fmt/format.h>

#include "clocked_model.hpp"
#include "model_error.hpp"
#include "qflow/rtl_config.hpp"
#include "Vrequant_flow.h"
#include "requant_models.hpp"

namespace qflow {
namespace {

bool fits(int64_t v, int bits) {
  return bits >= 64 || (v >= -(int64_t(1) << (bits - 1)) && v < (int64_t(1) << (bits - 1)));
}

template <class Vtop>
class LaneOf : public RequantLane {
 public:
  static constexpr int kAccBits = rtl_config::kAccBits, kMultBits = rtl_config::kMultBits;
  static constexpr int kBiasBits = rtl_config::kBiasBits, kShiftBits = rtl_config::kShiftBits;
  static constexpr int kCodeBits = rtl_config::kCodeBits;

  LaneOf(const std::string& name, double period_ns, const std::filesystem::path& fst) : model_(name, period_ns, fst) {}
  std::string misfit(const Layer& layer, int64_t acc_bound) const override {
    if (!fits(acc_bound, kAccBits) || !fits(-acc_bound, kAccBits))
      return fmt::format("its accumulators reach {} and the requant unit takes {} bits", acc_bound, kAccBits);
    for (size_t c = 0; c < layer.mult.size(); ++c) {
      if (!fits(layer.mult[c], kMultBits))
        return fmt::format("channel {}'s multiplier {} does not fit {} bits", c, layer.mult[c], kMultBits);
      if (!fits(layer.bias[c], kBiasBits))
        return fmt::format("channel {}'s bias {} does not fit {} bits", c, layer.bias[c], kBiasBits);
    }
    if (layer.shift >= (1 << kShiftBits)) return fmt::format("its shift {} does not fit {} bits", layer.shift, kShiftBits);
    return "";
  }
  void set_input(bool valid, int64_t acc, int64_t mult, int64_t bias, int shift) override {
    Vtop& io = model_.io();
    io.in_valid_i = valid;
    io.out_ready_i = 1;  // codes leave as they come: the output FIFO has room for the row
    if (!valid) return;
    set(io.in_acc_i, acc, kAccBits);
    set(io.in_mult_i, mult, kMultBits);
    set(io.in_bias_i, bias, kBiasBits);
    set(io.in_shift_i, shift, kShiftBits);
  }
  void falling_edge() override { model_.falling_edge(); }
  void rising_edge() override { model_.rising_edge(); }
  bool in_ready() const override { return model_.io().in_ready_o; }
  bool out_valid() const override { return model_.io().out_valid_o; }
  int code() const override { return int(rtl::read_lane(model_.io().out_code_o, 0, kCodeBits, /*is_signed=*/true)); }
  void resume_at(uint64_t ps) override { model_.resume_at(ps); }

 private:
  // A two's-complement value into a port of `bits` bits (Verilator wants the bits above clear).
  template <class Port>
  static void set(Port& port, int64_t value, int bits) {
    static_assert(std::is_integral_v<Port>, "requant ports are at most 64 bits wide");
    port = Port(bits >= 64 ? uint64_t(value) : uint64_t(value) & ((uint64_t(1) << bits) - 1));
  }
  rtl::ClockedModel<Vtop> model_;
};

}  // namespace

std::unique_ptr<RequantLane> make_requant_lane(const Layer& layer, const std::string& name, double period_ns,
                                               const std::filesystem::path& fst) {
  if (layer.op == LayerOp::FlowHead) return std::make_unique<LaneOf<Vrequant_flow>>(name, period_ns, fst);
#define QFLOW_REQUANT_CASE(bits, Vtop) \
  if (layer.out_bits == (bits)) return std::make_unique<LaneOf<Vtop>>(name, period_ns, fst);
  QFLOW_FOR_EACH_REQUANT_MODEL(QFLOW_REQUANT_CASE)
#undef QFLOW_REQUANT_CASE
  throw SimulationError(fmt::format("layer '{}': no requant unit for {} output bits", layer.name, layer.out_bits));
}

}  // namespace qflow
