// arch: an architecture for a package without simulating it: the folding optimizer's choice for a
// multiplier budget or a frame rate (or a given config checked against the package), with the
// analytic folding model's cycles per layer. Instant, for sweeps; `run` then measures it.
#include <memory>

#include <fmt/format.h>

#include "arch/folding_model.hpp"
#include "commands.hpp"
#include "datapath/weight_rom.hpp"

namespace qflow::sim {

void add_arch_command(CLI::App& app) {
  struct Args {
    std::string model, arch, out;
    int multipliers = kDefaultMultiplierBudget;
    double target_fps = 0, clock_mhz = ArchConfig{}.clock_mhz;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("arch", "Derive (or check) an architecture for a package and print its analytic "
                                             "cycles per layer, without simulating");
  cmd->add_option("--model", args->model, "model package folder")->required();
  CLI::Option* given = cmd->add_option("--arch", args->arch, "check and describe this config instead of deriving one");
  CLI::Option* budget = cmd->add_option("--multipliers", args->multipliers, "multiplier budget")
                            ->check(CLI::PositiveNumber)
                            ->capture_default_str()
                            ->excludes(given);
  cmd->add_option("--target-fps", args->target_fps, "the cheapest folding reaching this frame rate")
      ->check(CLI::PositiveNumber)
      ->excludes(budget)
      ->excludes(given);
  cmd->add_option("--clock-mhz", args->clock_mhz, "clock of a derived config")
      ->check(CLI::Range(1.0, 2000.0))
      ->capture_default_str()
      ->excludes(given);
  cmd->add_option("--out", args->out, "write the config here (JSON), for run --arch");
  cmd->callback([args] {
    const Package package = read_package(args->model);
    ArchConfig config;
    if (!args->arch.empty()) {
      config = read_arch_config(args->arch);
    } else {
      config = args->target_fps > 0 ? arch_for_interval(package, int64_t(args->clock_mhz * 1e6 / args->target_fps))
                                    : default_arch_config(package, args->multipliers);
      config.clock_mhz = args->clock_mhz;
    }
    check_arch_matches(config, package);
    const std::vector<LayerPlan> plans = plan_layers(package, config);
    int64_t interval = 1, multipliers = 0, macs = 0, rom_bits = 0;
    std::string bottleneck;
    for (const LayerPlan& p : plans) {
      if (p.cycles > interval) {
        interval = p.cycles;
        bottleneck = p.name;
      }
      multipliers += p.multipliers();
      macs += p.macs;
      if (p.pe > 0) rom_bits += WeightRom(package.layer(p.name), p.pe, p.simd).bits();
    }
    fmt::print("| layer | out (CxHxW) | MACs | PE x SIMD | cycles per frame | of the interval |\n"
               "|---|---|---|---|---|---|\n");
    for (const LayerPlan& p : plans)
      if (p.pe > 0)
        fmt::print("| {} | {}x{}x{} | {} | {}x{} | {} | {:.0f}% |\n", p.name, p.out.channels, p.out.height, p.out.width,
                   p.macs, p.pe, p.simd, p.cycles, 100.0 * double(p.cycles) / double(interval));
    fmt::print("\n{} multipliers, {} weight ROM bits; initiation interval {} cycles ({}): {:.1f} frames/s at {} MHz, "
               "{:.1f} MACs per cycle\n",
               multipliers, rom_bits, interval, bottleneck, config.clock_mhz * 1e6 / double(interval), config.clock_mhz,
               double(macs) / double(interval));
    if (!args->out.empty()) {
      write_arch_config(args->out, config);
      fmt::print("wrote {}\n", args->out);
    }
  });
}

}  // namespace qflow::sim
