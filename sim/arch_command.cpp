// arch: an architecture for a package without simulating it: the folding optimizer's choice for a
// multiplier budget, a frame rate or an FPGA part (or a given config checked against the package),
// with the analytic folding model's cycles per layer, the resource estimate and the part fit.
// Instant, for sweeps; `run` then measures it.
//
// cost: one processing element's datapath (array and requant lanes) as the resource model prices
// it; scripts/circuit_cost.py validate checks it against yosys.
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "arch/folding_model.hpp"
#include "arch/part_optimizer.hpp"
#include "arch/resource_model.hpp"
#include "arch/run_plan.hpp"
#include "commands.hpp"
#include "model_error.hpp"

namespace qflow::sim {
namespace {

void print_folding(const std::vector<LayerPlan>& plans, const ArchConfig& config, const nlohmann::json& resources) {
  int64_t interval = 1, multipliers = 0, macs = 0;
  std::string bottleneck;
  for (const LayerPlan& p : plans) {
    if (p.cycles > interval) {
      interval = p.cycles;
      bottleneck = p.name;
    }
    multipliers += p.multipliers();
    macs += p.macs;
  }
  std::map<std::string, nlohmann::json> cost;
  for (const auto& l : resources["layers"]) cost[l["name"].get<std::string>()] = l;
  const double fps = config.clock_mhz * 1e6 / double(interval);
  fmt::print("| layer | out (CxHxW) | MACs | PE x SIMD | multipliers in | weights | cycles per frame | of the interval "
             "| LUTs | FFs | DSPs | BRAM36 |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const LayerPlan& p : plans)
    if (p.pe > 0) {
      const nlohmann::json& c = cost.at(p.name);
      const std::string weights =
          p.weights_in_ddr ? fmt::format("DDR, bands of {} rows: {:.2f} GB/s", p.band_rows, double(p.ddr_weight_bytes) * fps / 1e9)
                           : "ROM";
      fmt::print("| {} | {}x{}x{} | {} | {}x{} | {} | {} | {} | {:.0f}% | {} | {} | {} | {} |\n", p.name, p.out.channels,
                 p.out.height, p.out.width, p.macs, p.pe, p.simd, c["multipliers"].get<std::string>(), weights, p.cycles,
                 100.0 * double(p.cycles) / double(interval), c["luts"].dump(), c["flip_flops"].dump(),
                 c["dsps"].dump(), c["bram36"].dump());
    }
  fmt::print("\n{} multipliers; initiation interval {} cycles ({}): {:.1f} frames/s at {} MHz, {:.1f} MACs per cycle\n",
             multipliers, interval, bottleneck, config.clock_mhz * 1e6 / double(interval), config.clock_mhz,
             double(macs) / double(interval));
  fmt::print("Resources (no part: every memory in block or LUT RAM): {} LUTs ({} of them LUT RAM), {} FFs, {} DSPs, "
             "{} BRAM36; pipeline FIFOs and skip buffers {} BRAM36 of it. A requant with each layer's shift built in "
             "would save {} LUTs. DRAM traffic {:.1f} MB a frame, {:.2f} GB/s at that rate.\n",
             resources["luts"].dump(), resources["lutram_luts"].dump(), resources["flip_flops"].dump(),
             resources["dsps"].dump(), resources["bram36"].dump(), resources["buffers"]["bram36"].dump(),
             resources["requant_fixed_shift_saving_luts"].dump(), resources["dram"]["bytes_per_frame"].get<double>() / 1e6,
             resources["dram"]["gbps"].get<double>());
}

void print_part_fits(const std::vector<PartFit>& fits) {
  fmt::print("\n| part | device | fits | binding | LUTs | FFs | BRAM36 | URAM | DSPs | DDR GB/s (of its peak) |\n"
             "|---|---|---|---|---|---|---|---|---|---|\n");
  const auto cell = [](double used, double capacity) {
    return capacity > 0 ? fmt::format("{:.0f} ({:.0f}%)", used, 100 * used / capacity) : fmt::format("{:.0f} (-)", used);
  };
  for (const PartFit& f : fits) {
    const FabricResources &u = f.use.used, &c = f.part->capacity;
    fmt::print("| {} | {} | {} | {} ({:.0f}% of its ceiling) | {} | {} | {} | {} | {} | {:.2f} ({:.0f}%) |\n", f.part->name,
               f.part->device, f.fits ? "yes" : "no", f.binding, 100 * f.binding_fraction, cell(u.luts, c.luts),
               cell(u.flip_flops, c.flip_flops), cell(u.bram36, c.bram36), cell(u.uram, c.uram), cell(u.dsps, c.dsps),
               f.ddr_gbps_used, f.part->ddr_gbps > 0 ? 100 * f.ddr_gbps_used / f.part->ddr_gbps : 0.0);
  }
}

// `arch --part all` without a folding: the optimizer's best for each part, side by side.
void optimize_for_each_part(const Package& package, const PartCatalog& catalog, const CircuitCostModel& cost,
                            bool dsp_packing, double clock_mhz, const std::string& json_file) {
  fmt::print("The fastest folding that fits each part ({} at {} MHz):\n\n"
             "| part | fits | frames/s | binding | layers with weights on DDR | DDR GB/s used / peak |\n"
             "|---|---|---|---|---|---|\n",
             package.name, clock_mhz);
  nlohmann::json parts = nlohmann::json::array();
  for (const FpgaPart& part : catalog.parts) {
    nlohmann::json j = {{"name", part.name}, {"ddr_gbps_peak", part.ddr_gbps}};
    try {
      const ArchConfig config = arch_for_part(package, part, catalog, cost, dsp_packing, clock_mhz);
      const RunPlan plan(package, config);
      const ResourceEstimate estimate = estimate_resources(plan, cost);
      const PartFit fit = fit_to_part(estimate, part, catalog);
      nlohmann::json layers = nlohmann::json::array();
      int on_ddr = 0;
      for (const LayerPlan& p : plan.layers)
        if (p.pe > 0) {
          on_ddr += p.weights_in_ddr;
          layers.push_back({{"name", p.name}, {"pe", p.pe}, {"simd", p.simd}, {"weights", p.weights_in_ddr ? "ddr" : "rom"},
                            {"band_rows", p.band_rows},
                            {"ddr_gbps", double(p.ddr_weight_bytes) * estimate.dram.frames_per_second / 1e9}});
        }
      j.update({{"fits", fit.fits}, {"frames_per_second", estimate.dram.frames_per_second}, {"binding", fit.binding},
                {"ddr_gbps_used", fit.ddr_gbps_used}, {"layers", layers}, {"arch", arch_to_json(config)}});
      fmt::print("| {} | {} | {:.1f} | {} ({:.0f}% of its ceiling) | {} | {:.2f} / {:.1f} |\n", part.name,
                 fit.fits ? "yes" : "no", estimate.dram.frames_per_second, fit.binding, 100 * fit.binding_fraction, on_ddr,
                 fit.ddr_gbps_used, part.ddr_gbps);
    } catch (const ArchError& e) {
      j.update({{"fits", false}, {"why", e.what()}});
      fmt::print("| {} | no | - | {} | - | - |\n", part.name, e.what());
    }
    parts.push_back(j);
  }
  if (!json_file.empty()) {
    std::ofstream out(json_file);
    out << nlohmann::json{{"model", package.name}, {"parts", parts}}.dump(2) << "\n";
    if (!out) throw ArchError(fmt::format("{}: cannot write", json_file));
    fmt::print("wrote {}\n", json_file);
  }
}

void add_cost_command(CLI::App& app) {
  struct Args {
    int w_bits = 8, a_bits = 8, pe = 8, simd = 8;
    bool lut_multipliers = false, json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("cost", "Estimate one processing element's datapath (MAC array and its requant "
                                             "lanes) in LUTs, flip-flops and DSPs");
  cmd->add_option("--w-bits", args->w_bits, "weight bits")->check(CLI::Range(2, 8))->capture_default_str();
  cmd->add_option("--a-bits", args->a_bits, "activation bits")->check(CLI::Range(2, 12))->capture_default_str();
  cmd->add_option("--pe", args->pe, "output channels per cycle")->check(CLI::Range(1, 4096))->capture_default_str();
  cmd->add_option("--simd", args->simd, "inputs per cycle")->check(CLI::Range(1, 4096))->capture_default_str();
  cmd->add_flag("--lut-multipliers", args->lut_multipliers, "multipliers in LUTs (synth_xilinx -nodsp)");
  cmd->add_flag("--json", args->json, "print JSON");
  cmd->callback([args] {
    const MultiplierImpl impl = args->lut_multipliers ? MultiplierImpl::Lut : MultiplierImpl::Dsp;
    const CircuitCostModel& model = CircuitCostModel::bundled();
    const LogicCost array = model.mac_array(args->w_bits, args->a_bits, args->pe, args->simd, impl);
    const LogicCost lanes = model.requant_lanes(args->w_bits, args->a_bits, args->pe, impl);
    const LogicCost fixed = model.requant_lanes(args->w_bits, args->a_bits, args->pe, impl, true);
    const nlohmann::json j = {{"luts", array.luts + lanes.luts},
                              {"flip_flops", array.flip_flops + lanes.flip_flops},
                              {"dsps", array.dsps + lanes.dsps},
                              {"array", {{"luts", array.luts}, {"flip_flops", array.flip_flops}, {"dsps", array.dsps}}},
                              {"requant", {{"luts", lanes.luts}, {"flip_flops", lanes.flip_flops}, {"dsps", lanes.dsps}}},
                              {"requant_fixed_shift", {{"luts", fixed.luts}, {"flip_flops", fixed.flip_flops},
                                                       {"dsps", fixed.dsps}}}};
    if (args->json) {
      fmt::print("{}\n", j.dump(2));
      return;
    }
    fmt::print("W{}A{} {}x{} array with {} requant lanes, multipliers in {}:\n"
               "  array   {:8.0f} LUTs {:8.0f} FFs {:6.1f} DSPs\n  requant {:8.0f} LUTs {:8.0f} FFs {:6.1f} DSPs "
               "(shift fixed per layer: {:.0f} LUTs)\n  total   {:8.0f} LUTs {:8.0f} FFs {:6.1f} DSPs\n",
               args->w_bits, args->a_bits, args->pe, args->simd, args->pe, args->lut_multipliers ? "LUTs" : "DSPs",
               array.luts, array.flip_flops, array.dsps, lanes.luts, lanes.flip_flops, lanes.dsps, fixed.luts,
               array.luts + lanes.luts, array.flip_flops + lanes.flip_flops, array.dsps + lanes.dsps);
  });
}

}  // namespace

void add_arch_command(CLI::App& app) {
  struct Args {
    std::string model, arch, out, part, parts, json;
    int multipliers = kDefaultMultiplierBudget;
    double target_fps = 0, clock_mhz = ArchConfig{}.clock_mhz;
    bool dsp_packing = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("arch", "Derive (or check) an architecture for a package: analytic cycles per "
                                             "layer, FPGA resources and part fit, without simulating");
  cmd->add_option("--model", args->model, "model package folder")->required();
  CLI::Option* given = cmd->add_option("--arch", args->arch, "check and describe this config instead of deriving one");
  CLI::Option* budget = cmd->add_option("--multipliers", args->multipliers, "multiplier budget")
                            ->check(CLI::PositiveNumber)
                            ->capture_default_str()
                            ->excludes(given);
  CLI::Option* fps = cmd->add_option("--target-fps", args->target_fps, "the cheapest folding reaching this frame rate")
                         ->check(CLI::PositiveNumber)
                         ->excludes(budget)
                         ->excludes(given);
  cmd->add_option("--clock-mhz", args->clock_mhz, "clock of a derived config")
      ->check(CLI::Range(1.0, 2000.0))
      ->capture_default_str()
      ->excludes(given);
  cmd->add_option("--part", args->part,
                  "an FPGA part's name, or 'all': the resource use against each part. Without --arch, "
                  "--multipliers or --target-fps: the fastest folding that fits it (each part's, for 'all'), "
                  "weights on DDR where block RAM binds");
  cmd->add_option("--parts", args->parts, "parts catalog (JSON) instead of the bundled model/arch/fpga_parts.json")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--dsp-packing", args->dsp_packing, "two narrow MACs per DSP48E2 (Xilinx WP486) in a derived config")
          ->excludes(given);
  cmd->add_option("--json", args->json, "write the resources and part fits here (JSON)");
  cmd->add_option("--out", args->out, "write the config here (JSON), for run --arch");
  cmd->callback([args, given, budget, fps] {
    const Package package = read_package(args->model);
    const PartCatalog catalog = args->parts.empty() ? bundled_parts() : read_part_catalog(args->parts);
    const CircuitCostModel& cost = CircuitCostModel::bundled();
    const FpgaPart* part = !args->part.empty() && args->part != "all" ? &catalog.find(args->part) : nullptr;
    const bool optimize_for_part = part && !*given && !*budget && !*fps;
    if (args->part == "all" && !*given && !*budget && !*fps) {
      if (!args->out.empty()) throw ArchError("--out: --part all optimizes for every part; name one part to write its config");
      optimize_for_each_part(package, catalog, cost, args->dsp_packing, args->clock_mhz, args->json);
      return;
    }
    ArchConfig config;
    if (*given) {
      config = read_arch_config(args->arch);
    } else if (optimize_for_part) {
      config = arch_for_part(package, *part, catalog, cost, args->dsp_packing, args->clock_mhz);
    } else {
      config = args->target_fps > 0 ? arch_for_interval(package, int64_t(args->clock_mhz * 1e6 / args->target_fps))
                                    : default_arch_config(package, args->multipliers);
      config.clock_mhz = args->clock_mhz;
      config.dsp_packing = args->dsp_packing;
      if (part) assign_multipliers(config, package, *part, catalog, cost);
    }
    check_arch_matches(config, package);
    const std::vector<LayerPlan> plans = plan_layers(package, config);
    const ResourceEstimate estimate = estimate_resources(package, config, plans, cost);
    const nlohmann::json resources = resources_json(estimate, total_resources(estimate));
    if (optimize_for_part)
      fmt::print("The fastest folding that fits {} (multipliers in LUTs where DSPs run short{}; skip buffers {}):\n\n",
                 args->part, config.dsp_packing ? ", two MACs per DSP" : "",
                 config.skips == SkipPlacement::Dram ? "in DRAM" : "on chip");
    print_folding(plans, config, resources);
    std::vector<PartFit> fits;
    if (!args->part.empty()) {
      if (part)
        fits.push_back(fit_to_part(estimate, *part, catalog));
      else
        for (const FpgaPart& each : catalog.parts) fits.push_back(fit_to_part(estimate, each, catalog));
      print_part_fits(fits);
    }
    if (!args->json.empty()) {
      nlohmann::json j = {{"model", package.name}, {"arch", arch_to_json(config)}, {"resources", resources}};
      j["parts"] = nlohmann::json::array();
      for (const PartFit& f : fits) j["parts"].push_back(part_fit_json(f));
      std::ofstream out(args->json);
      out << j.dump(2) << "\n";
      if (!out) throw ArchError(fmt::format("{}: cannot write", args->json));
      fmt::print("wrote {}\n", args->json);
    }
    if (!args->out.empty()) {
      write_arch_config(args->out, config);
      fmt::print("wrote {}\n", args->out);
    }
  });
  add_cost_command(app);
}

}  // namespace qflow::sim
