// qflow-sim faults plan|run|report: a fault-injection campaign (docs/soft-errors.md). `plan` runs
// the fault-free frame once, draws the trials and writes the jobs (GNU parallel, a Slurm array);
// each `run` job simulates its trials frame after frame in one process, after a fault-free frame
// it holds them against; `report` merges the jobs' results into rates, intervals and a chart.
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "arch/arch_config.hpp"
#include "arch/folding_model.hpp"
#include "arch/resource_model.hpp"
#include "commands.hpp"
#include "console/external_tool.hpp"
#include "console/html_page.hpp"
#include "errors.hpp"
#include "fault_campaign.hpp"
#include "flow/flow_metrics.hpp"
#include "flow/image_pair.hpp"
#include "golden_cases.hpp"
#include "output_file.hpp"
#include "ref/host_flow.hpp"
#include "system.hpp"

namespace qflow::sim {
namespace {

namespace fs = std::filesystem;

nlohmann::json read_campaign(const fs::path& dir) {
  return read_json_file(dir / "campaign.json", "fault campaign (qflow-sim faults plan writes it)");
}

ImagePair first_golden_pair(const fs::path& model) {
  const std::vector<fs::path> cases = golden_cases(model);
  if (cases.empty()) throw FlowIoError(fmt::format("{}: the package has no golden case to run the campaign on", model.string()));
  return load_image_pair((cases.front() / "img1.png").string(), (cases.front() / "img2.png").string());
}

const char* kToolScript = "sim=${QFLOW_SIM:-qflow-sim}\n"
                          "command -v \"$sim\" > /dev/null || { echo \"$sim not found: put qflow-sim on the PATH or set QFLOW_SIM\" >&2; exit 1; }\n";

struct PlanArgs {
  std::string model = QFLOW_BUNDLED_MODEL, arch, out, sites = "rom,line,fifo,acc,csr", rom_protection, line_protection;
  int trials = 1000, per_job = 100, burst = 1, multipliers = kDefaultMultiplierBudget;
  uint64_t seed = 1;
  double threshold = 0.1;
};

void plan(const PlanArgs& a) {
  const Package package = read_package(a.model);
  ArchConfig config = a.arch.empty() ? default_arch_config(package, a.multipliers) : read_arch_config(a.arch);
  for (auto& [name, conv] : config.convs) {  // the option's check admits the names only
    if (!a.rom_protection.empty()) conv.rom_protection = *protection_named(a.rom_protection);
    if (!a.line_protection.empty()) conv.line_buffer_protection = *protection_named(a.line_protection);
  }
  const std::vector<FaultSite> sites = parse_sites(a.sites);
  const RunPlan run_plan(package, config);
  const fs::path out = a.out;
  fs::create_directories(out / "results");
  write_arch_config(out / "arch.json", config);
  // The fault-free frame: its length bounds the faults' cycles.
  std::string failure;
  const SimulationResult golden = simulate(run_plan, first_golden_pair(a.model), {}, failure);
  if (!failure.empty()) return fail_after_simulation("the fault-free frame failed: " + failure);
  const std::vector<Fault> faults = draw_faults(run_plan, int64_t(golden.frame_cycles), sites, a.burst, a.trials, a.seed);
  std::string lines;
  for (const Fault& f : faults) lines += fault_spec(f) + "\n";
  write_output_file(out / "faults.txt", lines);
  const nlohmann::json campaign = {{"format", "qflow-faults"}, {"version", 1},
                                   {"model", fs::relative(fs::absolute(a.model), fs::absolute(out)).string()},
                                   {"arch", "arch.json"}, {"trials", a.trials}, {"seed", a.seed}, {"sites", a.sites},
                                   {"burst", a.burst}, {"threshold_px", a.threshold},
                                   {"frame_cycles", golden.frame_cycles}};
  write_output_file(out / "campaign.json", campaign.dump(1) + "\n");
  std::string jobs;
  for (int from = 0; from < a.trials; from += a.per_job)
    jobs += fmt::format("\"$sim\" faults run . --from {} --count {}\n", from, std::min(a.per_job, a.trials - from));
  write_output_file(out / "jobs.txt", jobs);
  write_output_file(out / "tools.sh", kToolScript);
  write_output_file(out / "run-parallel.sh",
             "#!/usr/bin/env bash\n# Runs the campaign's jobs on this machine with GNU parallel, N at a time (default: one per core);\n"
             "# rerun to continue: --resume-failed skips the jobs that finished. A job ten times slower than the\n"
             "# median is stopped (a simulation that no longer advances): its trials go missing from the report.\n"
             "set -euo pipefail\ncd \"$(dirname \"$0\")\"\nsource tools.sh\nexport sim\n"
             "parallel --will-cite --joblog joblog --resume-failed --timeout 1000% -j \"${1:-$(nproc)}\" < jobs.txt\n\"$sim\" faults report .\n",
             true);
  write_output_file(out / "slurm.sh",
             "#!/usr/bin/env bash\n#SBATCH --job-name=qflow-faults\n#SBATCH --cpus-per-task=1\n#SBATCH --output=slurm-%A_%a.out\n"
             "# One array task = one line of jobs.txt: sbatch --array=1-$(wc -l < jobs.txt) slurm.sh; then qflow-sim faults report .\n"
             "set -euo pipefail\ncd \"${SLURM_SUBMIT_DIR:-$(dirname \"$0\")}\"\nsource tools.sh\n"
             ": \"${SLURM_ARRAY_TASK_ID:?slurm.sh runs as an array task}\"\n"
             "eval \"$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" jobs.txt)\"\n",
             true);
  fmt::print("qflow-sim: {} trials planned in {} (the fault-free frame: {} cycles)\n  locally: {}/run-parallel.sh [JOBS]\n"
             "  Slurm:   sbatch --array=1-{} {}/slurm.sh\n",
             a.trials, out.string(), golden.frame_cycles, out.string(), (a.trials + a.per_job - 1) / a.per_job, out.string());
}

// The mean end-point error between two flows of the head's codes, at the host's full resolution.
double flow_epe(const CodeMap& golden, const CodeMap& trial, const Package& package) {
  const FlowMetrics m = flow_metrics(flow_from_head(golden, package), flow_from_head(trial, package));
  return m.epe;
}

// What the struck bit is: a ROM data bit is its weight's bit (0 the least significant, w-1 the
// sign), past the data a check bit; otherwise its position in the code or register.
std::string bit_role(const Fault& f, const RunPlan& plan) {
  if (f.site != FaultSite::Rom) return fmt::format("bit {:02d}", f.bit);
  const Layer& layer = plan.package.layer(f.target);
  const ConvArch& arch = plan.config.convs.at(f.target);
  const int word_bits = arch.pe * arch.simd * layer.w_bits;
  if (f.bit >= word_bits) return "check bit";
  return fmt::format("weight bit {}{}", f.bit % layer.w_bits, f.bit % layer.w_bits == layer.w_bits - 1 ? " (sign)" : "");
}

// A trial's result line (results/*.jsonl).
nlohmann::json trial_line(int trial, const std::string& spec, Outcome outcome, double epe, const RunPlan& plan) {
  return {{"trial", trial}, {"fault", spec}, {"outcome", outcome_name(outcome)}, {"epe", epe},
          {"bit", bit_role(parse_fault(spec), plan)}};
}

void run_trials(const fs::path& dir, int from, int count) {
  const nlohmann::json campaign = read_campaign(dir);
  std::vector<std::string> specs;
  std::ifstream in(dir / "faults.txt");
  for (std::string line; std::getline(in, line);) specs.push_back(line);
  if (from < 0 || count < 1 || size_t(from + count) > specs.size())
    throw FlowIoError(fmt::format("--from {} --count {}: the campaign has trials 0..{}", from, count, int(specs.size()) - 1));
  const fs::path model = dir / campaign.at("model").get<std::string>();
  const Package package = read_package(model);
  const RunPlan run_plan(package, read_arch_config(dir / campaign.at("arch").get<std::string>()));
  SimulationOptions options;
  options.frames = count + 1;  // the fault-free frame first
  options.record_layers = false;
  options.drawn_faults = true;
  options.faults.push_back(std::nullopt);
  for (int t = from; t < from + count; ++t) options.faults.push_back(parse_fault(specs[size_t(t)]));
  std::string failure;
  const SimulationResult result = simulate(run_plan, first_golden_pair(model), options, failure);
  if (result.frames.empty()) return fail_after_simulation("the fault-free frame failed: " + failure);
  const double threshold = campaign.at("threshold_px").get<double>();
  const CodeMap& golden = result.frames.front().flow_head;
  std::ofstream out(dir / "results" / fmt::format("trials-{:06d}.jsonl", from));
  for (size_t f = 1; f < result.frames.size(); ++f) {
    const int trial = from + int(f) - 1;
    const HostFrame& frame = result.frames[f];
    nlohmann::json line;
    if (!frame.error.empty()) {  // the accelerator flagged it: a checker's detection
      line = trial_line(trial, specs[size_t(trial)], Outcome::Detected, 0, run_plan);
      line["note"] = frame.error;
    } else {
      const bool same = golden.codes == frame.flow_head.codes;
      const Damage d = classify_flow(golden.codes, frame.flow_head.codes,
                                     same ? 0 : flow_epe(golden, frame.flow_head, package), threshold);
      line = trial_line(trial, specs[size_t(trial)], d.outcome, d.epe, run_plan);
      if (f >= result.faults_injected.size() || !result.faults_injected[f]) line["note"] = "nothing live where it struck";
    }
    line["seconds"] = frame.wall_seconds;
    out << line.dump() << "\n";
  }
  if (failure.empty()) return;
  // The frame that did not complete was the next trial's; a fresh process runs the rest (SystemC
  // elaborates once per process).
  const int stopped = from + int(result.frames.size()) - 1;
  nlohmann::json line = trial_line(stopped, specs[size_t(stopped)], classify_failure(failure), 0, run_plan);
  line["note"] = failure;
  out << line.dump() << "\n";
  out.close();
  const int rest = from + count - stopped - 1;
  if (rest == 0) return;
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  const std::string dir_arg = dir.string(), from_arg = std::to_string(stopped + 1), count_arg = std::to_string(rest);
  std::vector<char*> argv{const_cast<char*>(self.c_str()), const_cast<char*>("faults"), const_cast<char*>("run"),
                          const_cast<char*>(dir_arg.c_str()), const_cast<char*>("--from"), const_cast<char*>(from_arg.c_str()),
                          const_cast<char*>("--count"), const_cast<char*>(count_arg.c_str()), nullptr};
  fflush(nullptr);
  execv(self.c_str(), argv.data());
  fail_after_simulation(fmt::format("cannot run {} for the trials after {}", self, stopped));
}

// Every trial's result line from the jobs' files, in trial order.
std::vector<nlohmann::json> read_trials(const fs::path& dir) {
  std::vector<fs::path> files;
  if (fs::is_directory(dir / "results"))
    for (const auto& e : fs::directory_iterator(dir / "results"))
      if (e.path().extension() == ".jsonl") files.push_back(e.path());
  std::vector<nlohmann::json> trials;
  for (const fs::path& file : files) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) trials.push_back(nlohmann::json::parse(line));
  }
  if (trials.empty()) throw FlowIoError(fmt::format("{}: no trial results yet (run the jobs first)", (dir / "results").string()));
  std::sort(trials.begin(), trials.end(), [](const auto& a, const auto& b) { return a["trial"] < b["trial"]; });
  return trials;
}

// gnuplot's histogram of log10(EPE) of the trials that changed the flow, one series per site.
std::string damage_chart(const fs::path& dir, const std::vector<nlohmann::json>& trials, double threshold) {
  fs::create_directories(dir / "charts");
  std::map<std::string, std::vector<double>> by_site;
  for (const nlohmann::json& t : trials)
    if (t.at("epe").get<double>() > 0) by_site[site_name(parse_fault(t.at("fault")).site)].push_back(t["epe"].get<double>());
  if (by_site.empty()) return "No trial changed the flow.";
  // Counts in bins a quarter of a decade wide, empty bins too (so the steps fall to zero between).
  double low = 1e9, high = -1e9;
  for (const auto& [site, epes] : by_site)
    for (double e : epes) low = std::min(low, std::log10(e)), high = std::max(high, std::log10(e));
  const int first = int(std::floor(low * 4)), last = int(std::floor(high * 4));
  std::string data, plots;
  int index = 0;
  for (const auto& [site, epes] : by_site) {
    std::vector<int> counts(size_t(last - first + 1), 0);
    for (double e : epes) ++counts[size_t(int(std::floor(std::log10(e) * 4)) - first)];
    data += fmt::format("# {}: log10 EPE (bin centre), trials\n", site);
    for (size_t b = 0; b < counts.size(); ++b) data += fmt::format("{:.3f} {}\n", (first + int(b) + 0.5) / 4.0, counts[b]);
    data += "\n\n";
    plots += fmt::format("{}'damage.dat' index {} using 1:2 with histeps lw 2 title '{}'", plots.empty() ? "" : ", ",
                         index++, site);
  }
  write_output_file(dir / "charts" / "damage.dat", data);
  write_output_file(dir / "charts" / "damage.gp",
             fmt::format("# Drawn by qflow-sim faults report from damage.dat: gnuplot damage.gp\n"
                         "set terminal svg size 960,420 dynamic noenhanced font \"sans,11\" background \"white\"\n"
                         "set output \"damage.svg\"\nset title \"Flow damage of the trials that changed the flow\"\n"
                         "set xlabel \"log10 EPE against the fault-free flow (px)\"\nset ylabel \"trials\"\n"
                         "set arrow from {0},graph 0 to {0},graph 1 nohead dt 2\n"
                         "set key top right\nplot {1}\n",
                         std::log10(threshold), plots));
  const int status = run_tool({"gnuplot", "damage.gp"}, dir / "charts", dir / "charts" / "damage.log");
  if (status == 127) return "gnuplot is not installed (Debian: gnuplot-nox); `gnuplot damage.gp` in charts/ draws it.";
  if (status != 0) throw FlowIoError("gnuplot failed on charts/damage.gp (see charts/damage.log)");
  return "![EPE damage by site](charts/damage.svg)\n\nThe dashed line is the silent-corruption threshold.";
}

void report(const fs::path& dir, double threshold) {
  const nlohmann::json campaign = read_campaign(dir);
  const std::vector<nlohmann::json> trials = read_trials(dir);
  if (threshold <= 0) threshold = campaign.at("threshold_px").get<double>();
  const std::string chart = damage_chart(dir, trials, threshold);
  const std::string md = campaign_report(campaign, trials, chart, threshold);
  write_output_file(dir / "report.md", md);
  write_html_page(dir / "index.html", "qflow-sim faults report", md);
  fmt::print("{} of {} trials reported: {}\n", trials.size(), campaign.at("trials").get<int>(), (dir / "index.html").string());
}


// Campaigns side by side: each site's silent-corruption and detection rates, and what each
// campaign's architecture costs (its protection's check bits and checkers).
void compare(const std::vector<std::string>& dirs, const std::string& out, double threshold) {
  std::string md = "| campaign | site | trials | silent corruption (95 % CI) | detected (95 % CI) |\n|---|---|---|---|---|\n";
  std::string cost = "| campaign | LUTs | block RAM (RAMB36) | of which checkers (LUTs) |\n|---|---|---|---|\n";
  for (const std::string& d : dirs) {
    const nlohmann::json campaign = read_campaign(d);
    const std::string name = fs::path(d).filename().string();
    const double judged = threshold > 0 ? threshold : campaign.at("threshold_px").get<double>();
    for (const auto& [site, t] : tally_by_site(read_trials(d), judged))
      md += fmt::format("| {} | {} | {} | {} | {} |\n", name, site, t.n, rate_with_interval(t[Outcome::Silent], t.n),
                        rate_with_interval(t[Outcome::Detected], t.n));
    const Package package = read_package(fs::path(d) / campaign.at("model").get<std::string>());
    const RunPlan run_plan(package, read_arch_config(fs::path(d) / campaign.at("arch").get<std::string>()));
    const ResourceEstimate estimate = estimate_resources(run_plan);
    const ResourceUse use = total_resources(estimate);
    double checkers = 0;
    for (const LayerResources& l : estimate.layers) checkers += l.memory_check.luts;
    cost += fmt::format("| {} | {:.0f} | {:.1f} | {:.0f} |\n", name, use.used.luts, use.used.bram36, checkers);
  }
  const std::string text = md + "\n" + cost;
  if (out.empty()) fmt::print("{}", text);
  else write_output_file(out, text);
}

}  // namespace

void add_faults_command(CLI::App& app) {
  CLI::App* faults = app.add_subcommand("faults", "fault-injection campaigns: plan, run, report (docs/soft-errors.md)");
  faults->require_subcommand(1);
  auto p = std::make_shared<PlanArgs>();
  CLI::App* plan_cmd = faults->add_subcommand("plan", "run the fault-free frame, draw the trials, write the jobs");
  plan_cmd->add_option("--model", p->model, "model package folder")->capture_default_str();
  plan_cmd->add_option("--arch", p->arch, "architecture config (default: derived from the package)");
  plan_cmd->add_option("--multipliers", p->multipliers, "multiplier budget of the derived architecture")->capture_default_str();
  plan_cmd->add_option("--trials", p->trials, "faults to draw")->check(CLI::PositiveNumber)->capture_default_str();
  plan_cmd->add_option("--seed", p->seed, "seed of the draw")->capture_default_str();
  plan_cmd->add_option("--sites", p->sites, "sites to strike, comma-separated")->capture_default_str();
  plan_cmd->add_option("--burst", p->burst, "adjacent bits each fault flips")->check(CLI::Range(1, 64))->capture_default_str();
  plan_cmd->add_option("--threshold", p->threshold, "EPE (px) against the fault-free flow from which a change is silent corruption")
      ->check(CLI::PositiveNumber)->capture_default_str();
  plan_cmd->add_option("--trials-per-job", p->per_job, "trials one job simulates in one process")
      ->check(CLI::PositiveNumber)->capture_default_str();
  plan_cmd->add_option("--rom-protection", p->rom_protection, "every conv layer's ROM words: none, parity or secded")
      ->check(CLI::IsMember({"none", "parity", "secded"}));
  plan_cmd->add_option("--line-buffer-protection", p->line_protection, "every conv layer's line buffer words: none, parity or secded")
      ->check(CLI::IsMember({"none", "parity", "secded"}));
  plan_cmd->add_option("--out", p->out, "campaign folder")->required();
  plan_cmd->callback([p] { plan(*p); });

  struct RunArgs {
    std::string dir;
    int from = 0, count = 0;
  };
  auto r = std::make_shared<RunArgs>();
  CLI::App* run_cmd = faults->add_subcommand("run", "simulate trials FROM .. FROM+COUNT-1 of a planned campaign");
  run_cmd->add_option("campaign", r->dir, "campaign folder")->required();
  run_cmd->add_option("--from", r->from, "first trial")->required();
  run_cmd->add_option("--count", r->count, "trials")->required();
  run_cmd->callback([r] { run_trials(r->dir, r->from, r->count); });

  auto dir = std::make_shared<std::pair<std::string, double>>("", 0.0);
  CLI::App* report_cmd = faults->add_subcommand("report", "merge the trials' results: rates per site and layer, the damage chart");
  report_cmd->add_option("campaign", dir->first, "campaign folder")->required();
  report_cmd->add_option("--threshold", dir->second, "silent corruption from this EPE (px) on (default: the campaign's)")
      ->check(CLI::PositiveNumber);
  report_cmd->callback([dir] { report(dir->first, dir->second); });

  struct CompareArgs {
    std::vector<std::string> dirs;
    std::string out;
    double threshold = 0;
  };
  auto c = std::make_shared<CompareArgs>();
  CLI::App* compare_cmd = faults->add_subcommand("compare", "campaigns side by side: rates per site, and each architecture's cost");
  compare_cmd->add_option("campaigns", c->dirs, "campaign folders")->required();
  compare_cmd->add_option("--out", c->out, "write the Markdown here (default: print it)");
  compare_cmd->add_option("--threshold", c->threshold, "silent corruption from this EPE (px) on (default: each campaign's)")
      ->check(CLI::PositiveNumber);
  compare_cmd->callback([c] { compare(c->dirs, c->out, c->threshold); });
}

}  // namespace qflow::sim
