// Co-simulation speed of the Verilated mac_array alone, at every co-simulation array size, driven
// by the plain C++ loop the model runs: simulated cycles per second and MACs per second with every
// lane busy. Beside it, the same 4x8 array through the SystemC harness (pin by pin, in a child
// process: SystemC elaborates once per process), for the ratio.
#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <systemc>

#include "Vmac_array_w8a12.h"
#include "Vmac_array_w8a12_params.hpp"
#include "cosim_bench.hpp"
#include "mac_array_pins.hpp"

namespace {

using namespace qflow::bench;

void measure_harness() {
  using Params = Vmac_array_w8a12_params;
  using Pins = qflow::rtl::MacArrayPins<Vmac_array_w8a12, Params>;
  // A tenth of the loop's stream: the harness holds every beat.
  Pins pins(random_beats(Params::kPE, Params::kSIMD, beats_for(Params::kPE * Params::kSIMD) / 10 / kFolds * kFolds));
  qflow::rtl::StreamHarness<Vmac_array_w8a12, Pins> harness("mac", pins, pins.beats().size(), pins.output_count(), {});
  const auto start = std::chrono::steady_clock::now();
  harness.simulate();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_row("SystemC harness", Params::kPE, Params::kSIMD, harness.stats().cycles, seconds);
}

}  // namespace

int sc_main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "harness") {
    measure_harness();
    return 0;
  }
  fmt::print("mac_array W8A12 alone, every lane busy, 9 folds per output\n\n");
  fmt::print("| driver | PE x SIMD | cycles | seconds | cycles/s | MMAC/s |\n|---|---|---|---|---|---|\n");
  measure_loops();
  std::fflush(stdout);
  return std::system(fmt::format("{} harness 2>/dev/null | grep '^|'", argv[0]).c_str()) == 0 ? 0 : 1;
}
