#include "clocked_loops.hpp"

#include <array>
#include <random>

#include "Vmac_array_4x8.h"
#include "Vmac_array_4x8_params.hpp"
#include "Vrequant_a8.h"
#include "clocked_model.hpp"
#include "qflow/rtl_config.hpp"

namespace qflow::rtl {

StreamStats array_loop(const std::vector<MacBeat>& beats, const StreamTiming& timing,
                       std::vector<std::vector<int64_t>>& outputs) {
  ClockedModel<Vmac_array_4x8> model("array", timing.period_ns);
  std::mt19937_64 rng(timing.seed);
  constexpr int kPE = Vmac_array_4x8_params::kPE;
  const int acc_bits = rtl_config::kAccBits;
  size_t expected = 0;
  for (const MacBeat& b : beats) expected += b.last;
  return run_stream(
      model, beats.size(), expected, timing, rng,
      [&](size_t i) {
        write_lanes(model.io().in_act_i, beats[i].act, Vmac_array_4x8_params::kABits);
        write_lanes(model.io().in_wgt_i, beats[i].wgt, Vmac_array_4x8_params::kWBits);
        model.io().in_last_i = beats[i].last;
      },
      [&](size_t) {
        std::vector<int64_t> acc(kPE);
        for (int p = 0; p < kPE; ++p) acc[size_t(p)] = read_lane(model.io().out_acc_o, p, acc_bits, true);
        outputs.push_back(std::move(acc));
      });
}

StreamStats requant_loop(const std::vector<RequantBeat>& beats, const StreamTiming& timing, std::vector<int>& codes) {
  ClockedModel<Vrequant_a8> model("requant", timing.period_ns);
  std::mt19937_64 rng(timing.seed);
  return run_stream(
      model, beats.size(), beats.size(), timing, rng,
      [&](size_t i) {
        const RequantBeat& b = beats[i];
        write_lanes(model.io().in_acc_i, std::array<int64_t, 1>{b.acc}, rtl_config::kAccBits);
        write_lanes(model.io().in_mult_i, std::array<int64_t, 1>{b.mult}, rtl_config::kMultBits);
        write_lanes(model.io().in_bias_i, std::array<int64_t, 1>{b.bias}, rtl_config::kBiasBits);
        write_lanes(model.io().in_shift_i, std::array<int, 1>{b.shift}, rtl_config::kShiftBits);
      },
      [&](size_t) { codes.push_back(int(read_lane(model.io().out_code_o, 0, rtl_config::kCodeBits, true))); });
}

}  // namespace qflow::rtl
