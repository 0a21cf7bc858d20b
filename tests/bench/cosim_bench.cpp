// Co-simulation speed of the Verilated mac_array through the SystemC stream harness, for several
// array sizes: simulated cycles per second and MACs per second. SystemC elaborates once per
// process, so each size runs in a child process of this one; the parent prints the table.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include <fmt/format.h>
#include <systemc>

#include "Vmac_array_4x4.h"
#include "Vmac_array_4x4_params.hpp"
#include "Vmac_array_8x8.h"
#include "Vmac_array_8x8_params.hpp"
#include "Vmac_array_16x16.h"
#include "Vmac_array_16x16_params.hpp"
#include "Vmac_array_32x32.h"
#include "Vmac_array_32x32_params.hpp"
#include "mac_array_pins.hpp"

namespace {

using qflow::rtl::MacBeat;

template <class Vtop, class Params>
void measure(int beats) {
  using Pins = qflow::rtl::MacArrayPins<Vtop, Params>;
  std::mt19937 rng(1);
  std::vector<MacBeat> stream(static_cast<size_t>(beats));
  for (int i = 0; i < beats; ++i) {
    for (int s = 0; s < Pins::kSIMD; ++s) stream[size_t(i)].act.push_back(int32_t(rng() & 255));
    for (int k = 0; k < Pins::kPE * Pins::kSIMD; ++k) stream[size_t(i)].wgt.push_back(int32_t(rng() & 255) - 128);
    stream[size_t(i)].last = i % 9 == 8;  // a 3x3 kernel row per output: 9 folds
  }
  Pins pins(std::move(stream));
  qflow::rtl::StreamHarness<Vtop, Pins> harness("mac", pins, pins.beats().size(), pins.output_count(), {});
  const auto start = std::chrono::steady_clock::now();
  harness.simulate();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cycles = double(harness.stats().cycles);
  fmt::print("| {}x{} | {} | {:.2f} | {:.0f} | {:.2f} |\n", Pins::kPE, Pins::kSIMD, harness.stats().cycles, seconds,
             cycles / seconds, cycles * Pins::kPE * Pins::kSIMD / seconds / 1e6);
}

}  // namespace

int sc_main(int argc, char** argv) {
  const std::string size = argc > 1 ? argv[1] : "";
  constexpr int kBeats = 9 * 22000;  // whole outputs of 9 folds
  if (size == "4") measure<Vmac_array_4x4, Vmac_array_4x4_params>(kBeats);
  else if (size == "8") measure<Vmac_array_8x8, Vmac_array_8x8_params>(kBeats);
  else if (size == "16") measure<Vmac_array_16x16, Vmac_array_16x16_params>(kBeats / 4 / 9 * 9);
  else if (size == "32") measure<Vmac_array_32x32, Vmac_array_32x32_params>(kBeats / 16 / 9 * 9);
  else {
    fmt::print("mac_array W8A8 co-simulation through the SystemC harness (one process per size)\n\n");
    fmt::print("| PE x SIMD | cycles | seconds | cycles/s | MMAC/s |\n|---|---|---|---|---|\n");
    std::fflush(stdout);
    for (const char* s : {"4", "8", "16", "32"})
      if (std::system(fmt::format("{} {} 2>/dev/null | grep '^|'", argv[0], s).c_str()) != 0) return 1;
  }
  return 0;
}
