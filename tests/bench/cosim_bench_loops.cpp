// The co-simulation arrays through the plain C++ loop the model runs (rtl/cosim/clocked_model.hpp),
// in a translation unit without SystemC (a C++ Verilated model's headers and a SystemC one's do not mix).
#include <chrono>
#include <cstdio>
#include <random>

#include <fmt/format.h>

#include "clocked_model.hpp"
#include "cosim_bench.hpp"
#include "mac_array_models.hpp"
#include "qflow/rtl_config.hpp"

namespace qflow::bench {

using rtl::MacBeat;

std::vector<MacBeat> random_beats(int pe, int simd, int beats) {
  std::mt19937 rng(1);
  std::vector<MacBeat> stream(static_cast<size_t>(beats));
  for (int i = 0; i < beats; ++i) {
    for (int s = 0; s < simd; ++s) stream[size_t(i)].act.push_back(int32_t(rng() & 255));
    for (int k = 0; k < pe * simd; ++k) stream[size_t(i)].wgt.push_back(int32_t(rng() & 255) - 128);
    stream[size_t(i)].last = i % kFolds == kFolds - 1;
  }
  return stream;
}

int beats_for(int lanes) { return std::max(kFolds, 9 * 220000 * 32 / lanes / kFolds * kFolds); }

void print_row(const char* driver, int pe, int simd, uint64_t cycles, double seconds) {
  fmt::print("| {} | {}x{} | {} | {:.2f} | {:.0f} | {:.1f} |\n", driver, pe, simd, cycles, seconds, double(cycles) / seconds,
             double(cycles) * pe * simd / seconds / 1e6);
}

namespace {

template <class Vtop, class Params>
void measure_loop() {
  // A pool of distinct beats, streamed round and round: the stream stays small at every size.
  const std::vector<MacBeat> beats = random_beats(Params::kPE, Params::kSIMD, 100 * kFolds);
  const size_t count = size_t(beats_for(Params::kPE * Params::kSIMD));
  rtl::ClockedModel<Vtop> model("mac", 10.0);
  std::mt19937_64 rng(1);
  int64_t checksum = 0;
  const auto start = std::chrono::steady_clock::now();
  const rtl::StreamStats stats = rtl::run_stream(
      model, count, count / kFolds, {}, rng,
      [&](size_t i) {
        const MacBeat& beat = beats[i % beats.size()];
        rtl::write_lanes(model.io().in_act_i, beat.act, Params::kABits);
        rtl::write_lanes(model.io().in_wgt_i, beat.wgt, Params::kWBits);
        model.io().in_last_i = beat.last;
      },
      [&](size_t) { checksum += rtl::read_lane(model.io().out_acc_o, 0, rtl_config::kAccBits, true); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_row("C++ loop", Params::kPE, Params::kSIMD, stats.cycles, seconds);
  if (checksum == 42) std::puts("");  // keeps the reads
}

}  // namespace

void measure_loops() {
#define QFLOW_MEASURE(Vtop, Params) measure_loop<Vtop, Params>();
  QFLOW_FOR_EACH_ARRAY_MODEL(QFLOW_MEASURE)
#undef QFLOW_MEASURE
}

}  // namespace qflow::bench
