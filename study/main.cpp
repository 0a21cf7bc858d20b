// qflow-study: the bit-width study as a job list. `plan` writes one shell command per
// configuration (train, measure, export, simulate, cost) for GNU parallel or a Slurm array;
// `cost` prices one run's circuit; `report` merges the finished runs into tables and charts.
// It only writes command lines for qflow-train and qflow-sim and reads their outputs.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "circuit_cost.hpp"
#include "package/flownetq_graph.hpp"
#include "json_file.hpp"
#include "mixed_precision.hpp"
#include "study_plan.hpp"
#include "study_report.hpp"

namespace qflow::study {
namespace {
namespace fs = std::filesystem;

void add_plan(CLI::App& app) {
  struct Args {
    StudyOptions o;
    std::string bits = "8,7,6,5,4,3,2", size = "128x128", export_size, sensitivity_widths = "6,4,3,2", learned_bits;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("plan", "write a study's jobs (jobs.txt, waves, run-parallel.sh, slurm.sh)");
  cmd->add_option("--out", a->o.out, "study folder")->required();
  cmd->add_option("--bits", a->bits, "WnAn configurations, comma-separated")->capture_default_str();
  cmd->add_flag("--flownets", a->o.flownets, "also train the float FlowNetS baseline");
  cmd->add_option("--width-mult", a->o.width_mult, "channel width multiplier")->capture_default_str();
  cmd->add_option("--size", a->size, "training input HxW")->capture_default_str();
  cmd->add_option("--export-size", a->export_size, "measuring input HxW (validation, real pairs, simulation; default: --size)");
  cmd->add_option("--steps", a->o.steps, "steps of the float runs")->capture_default_str();
  cmd->add_option("--finetune-steps", a->o.finetune_steps, "steps of each quantized fine-tuning")->capture_default_str();
  cmd->add_option("--lr", a->o.lr, "learning rate of the float FlowNetQ")->capture_default_str();
  cmd->add_option("--finetune-lr", a->o.finetune_lr, "learning rate of the quantized fine-tuning")->capture_default_str();
  cmd->add_option("--data", a->o.data, "training data: photos[:DIR] or synthetic")->capture_default_str();
  cmd->add_option("--seed", a->o.seed, "seed of every run")->capture_default_str();
  cmd->add_option("--threads", a->o.threads, "CPU threads per job (per rank)")->capture_default_str();
  cmd->add_option("--ranks", a->o.ranks,
                  "data-parallel ranks per training job, each of batch 8/N (Slurm: N tasks per job; locally: --nproc N)")
      ->capture_default_str();
  cmd->add_flag("--bf16", a->o.bf16, "train under bfloat16 autocast (qflow-train --bf16)");
  cmd->add_flag("--channels-last", a->o.channels_last, "train in channels-last memory (qflow-train --channels-last)");
  cmd->add_option("--val-samples", a->o.val_samples, "validation scenes measured at the export size")->capture_default_str();
  cmd->add_option("--multipliers", a->o.multipliers, "accelerator multiplier budget for latency and frames/s")->capture_default_str();
  cmd->add_option("--real", a->o.real, "folder of real pairs to measure on (default: $QFLOW_DATA when set)");
  cmd->add_option("--float-checkpoint", a->o.float_checkpoint, "take this float FlowNetQ checkpoint instead of training one");
  cmd->add_flag("--sensitivity", a->o.sensitivity, "measure each layer's sensitivity from the W8A8 run");
  cmd->add_option("--sensitivity-widths", a->sensitivity_widths, "widths the sensitivity tries")->capture_default_str();
  cmd->add_option("--sensitivity-samples", a->o.sensitivity_samples, "validation scenes per sensitivity measurement")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--mixed-luts", a->o.mixed_luts,
                  "also a mixed-precision run chosen from the sensitivities within this fraction of W8A8's LUTs (e.g. 0.5)");
  cmd->add_option("--learned-ranges", a->learned_bits,
                  "also WnAn-lsq runs at these widths (e.g. 4,3): learned weight ranges and activation steps (LSQ)");
  cmd->callback([a] {
    StudyOptions o = a->o;
    o.bits = parse_bits_list(a->bits);
    o.sensitivity_widths = parse_bits_list(a->sensitivity_widths, "--sensitivity-widths");
    if (!a->learned_bits.empty()) o.learned_bits = parse_bits_list(a->learned_bits, "--learned-ranges");
    std::tie(o.height, o.width) = parse_input_size("--size", a->size);
    if (!a->export_size.empty()) std::tie(o.export_height, o.export_width) = parse_input_size("--export-size", a->export_size);
    const char* env = std::getenv("QFLOW_DATA");
    if (o.real.empty() && env && fs::is_directory(env)) o.real = env;
    const std::vector<RunConfig> runs = plan_runs(o);
    write_plan(o, runs);
    fmt::print("qflow-study: {} runs planned in {} ({})\n  locally:  {}/run-parallel.sh [JOBS]\n  Slurm:    {}/submit-slurm.sh\n",
               runs.size(), o.out.string(), o.real.empty() ? "no real pairs: --real DIR or QFLOW_DATA" : "real pairs: " + o.real.string(),
               o.out.string(), o.out.string());
  });
}

void add_cost(CLI::App& app) {
  auto run = std::make_shared<std::string>();
  auto table = std::make_shared<std::string>(QFLOW_COST_TABLE);
  CLI::App* cmd = app.add_subcommand("cost", "price a run's MAC arrays and requant lanes: RUN/cost.json");
  cmd->add_option("run", *run, "run folder holding package/ and sim/report.json")->required();
  cmd->add_option("--table", *table, "yosys cost table")->capture_default_str();
  cmd->callback([run, table] {
    const fs::path dir = *run;
    const nlohmann::json network = read_json(dir / "package" / "network.json");
    const nlohmann::json sim_report = read_json(dir / "sim" / "report.json");
    const nlohmann::json cost = estimate_circuit(folded_layers(network, sim_report), CircuitCostModel::read(*table));
    write_text(dir / "cost.json", cost.dump(1) + "\n");
    fmt::print("{}: {:.0f} LUTs ({:.0f} MAC arrays, {:.0f} requant), {:.0f} FFs, {:.0f} DSPs\n", dir.string(),
               cost["luts"].get<double>(), cost["array_luts"].get<double>(), cost["requant_luts"].get<double>(),
               cost["flip_flops"].get<double>(), cost["dsps"].get<double>());
  });
}

void add_mixed(CLI::App& app) {
  struct Args {
    std::string study, out, table = QFLOW_COST_TABLE;
    double fraction = 0.5;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("mixed", "choose per-layer widths within a LUT budget from the measured sensitivities");
  cmd->add_option("study", a->study, "study folder with finished w8a8 and sensitivity runs")->required();
  cmd->add_option("--luts-fraction", a->fraction, "budget: this fraction of W8A8's LUTs")->capture_default_str();
  cmd->add_option("--out", a->out, "folder for mixed.json and layer_bits.txt")->required();
  cmd->add_option("--table", a->table, "yosys cost table")->capture_default_str();
  cmd->callback([a] {
    const fs::path base = fs::path(a->study) / "runs" / "w8a8";
    const nlohmann::json network = read_json(base / "package" / "network.json");
    const nlohmann::json sim_report = read_json(base / "sim" / "report.json");
    const nlohmann::json sensitivity = read_json(fs::path(a->study) / "runs" / "sensitivity" / "sensitivity.json");
    const MixedChoice c = choose_mixed_precision(network, folded_layers(network, sim_report), sensitivity,
                                                 CircuitCostModel::read(a->table), a->fraction);
    write_text(fs::path(a->out) / "mixed.json", c.to_json().dump(1) + "\n");
    write_text(fs::path(a->out) / "layer_bits.txt", c.layer_bits() + "\n");
    for (const std::string& m : c.moves) fmt::print("  {}\n", m);
    fmt::print("{:.0f} LUTs (W8A8: {:.0f}, budget {:.0f}), predicted EPE change {:+.4f}\n{}\n", c.luts, c.base_luts,
               c.budget_luts, c.predicted_delta_epe, c.layer_bits());
  });
}

void add_report(CLI::App& app) {
  auto study = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("report", "merge a study's finished runs: report.{md,csv,json} and charts");
  cmd->add_option("study", *study, "study folder")->required();
  cmd->callback([study] {
    const StudyTable table = collect_study(*study);
    const std::string charts = write_study_report(*study, table);
    fmt::print("qflow-study: {} runs in {}/report.md{}\n", table.rows.size(), *study,
               table.missing.empty() ? "" : fmt::format(", {} missing", table.missing.size()));
    for (const std::string& m : table.missing) fmt::print("  missing {}\n", m);
    fmt::print("{}\n", charts);
  });
}

}  // namespace
}  // namespace qflow::study

int main(int argc, char** argv) {
  CLI::App app{"qflow-study: how few bits FlowNetQ can keep, and what that saves (plan, run, report)"};
  app.require_subcommand(1);
  qflow::study::add_plan(app);
  qflow::study::add_cost(app);
  qflow::study::add_mixed(app);
  qflow::study::add_report(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    fmt::print(stderr, "qflow-study: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
