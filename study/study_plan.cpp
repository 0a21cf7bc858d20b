#include "study_plan.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "json_file.hpp"

namespace qflow::study {
namespace fs = std::filesystem;

namespace {

std::string quote(const std::string& s) {  // one shell word
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void write_file(const fs::path& path, const std::string& text, bool executable = false) {
  write_text(path, text);
  if (executable)
    fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add);
}

std::string size_text(int h, int w) { return fmt::format("{}x{}", h, w); }

// The shell script of one run: train (or take the given float checkpoint), measure on the
// validation scenes and the real pairs, and for a quantized run export, simulate and cost it.
std::string job_script(const StudyOptions& o, const RunConfig& r, const Tools& t) {
  const std::string train = quote(t.train.string()), sim = quote(t.sim.string()), study = quote(t.study.string());
  const std::string size = size_text(o.height, o.width), export_size = size_text(o.export_height, o.export_width);
  std::ostringstream s;
  s << "#!/usr/bin/env bash\n"
    << fmt::format("# Run '{}' of the study in {} (written by qflow-study plan).\n", r.name, o.out.string())
    << "set -euo pipefail\ncd \"$(dirname \"$0\")\"\n"
    << "rm -rf checkpoint package sim log.csv ./*.json ./*.log done\n";
  if (!r.init_from.empty())
    s << fmt::format("[[ -f ../{0}/done ]] || {{ echo \"{1}: run '{0}' has not finished (it is wave 1: run it first)\" >&2; exit 1; }}\n",
                     r.init_from, r.name);
  if (r.name == "flownetq-float" && !o.float_checkpoint.empty()) {
    s << fmt::format("cp -r {} checkpoint\n", quote(o.float_checkpoint.string()));
  } else {
    const int steps = r.quantized() ? o.finetune_steps : o.steps;
    const double lr = r.net == "flownets" ? o.flownets_lr : r.quantized() ? o.finetune_lr : o.lr;
    s << fmt::format("{} train --net {} --width-mult {} --size {} --wbits {} --abits {} --data {} --steps {} --lr {} "
                     "--seed {} --threads {} --val-every {} --val-samples {}{} --out . > train.log 2>&1\n",
                     train, r.net, o.width_mult, size, r.w_bits, r.a_bits, quote(o.data), steps, lr, o.seed, o.threads,
                     std::max(1, steps / 6), o.val_samples, r.init_from.empty() ? "" : " --init ../" + r.init_from + "/checkpoint");
  }
  s << fmt::format("{} eval --checkpoint checkpoint --data {} --size {} --samples {} --seed {} --json val.json > val.log 2>&1\n",
                   train, quote(o.data), export_size, o.val_samples, o.seed);
  if (!o.real.empty())
    s << fmt::format("{} eval --checkpoint checkpoint --data {} --size {} --samples 100000 --json real.json > real.log 2>&1\n",
                     train, quote("pairs:" + o.real.string()), export_size);
  if (r.quantized()) {
    s << fmt::format("{} export --checkpoint checkpoint --out package --data {} --size {} --cases 1 --eval-samples 4 "
                     "--seed {} > export.log 2>&1\n", train, quote(o.data), export_size, o.seed);
    s << fmt::format("{} run --model package --multipliers {} --gt '' --vcd '' --out sim --quiet > sim.log 2>&1\n", sim,
                     o.multipliers);
    s << fmt::format("{} cost . > cost.log 2>&1\n", study);
  }
  s << "touch done\n";
  return s.str();
}

std::string jobs_text(const std::vector<RunConfig>& runs, const fs::path& out, int wave) {
  std::string text;
  for (const RunConfig& r : runs)
    if (wave == 0 || r.wave == wave) text += fmt::format("bash {}\n", quote((out / "runs" / r.name / "job.sh").string()));
  return text;
}

}  // namespace

std::vector<int> parse_bits_list(const std::string& text) {
  std::vector<int> bits;
  std::set<int> seen;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    size_t used = 0;
    int b = 0;
    try {
      b = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) throw PlanError(fmt::format("--bits: '{}' is not a number", item));
    if (b < 2 || b > 8) throw PlanError(fmt::format("--bits: {} is outside 2..8 (the package's widths)", b));
    if (!seen.insert(b).second) throw PlanError(fmt::format("--bits: {} is listed twice", b));
    bits.push_back(b);
  }
  if (bits.empty()) throw PlanError("--bits: no width given (e.g. --bits 8,6,4)");
  return bits;
}

std::pair<int, int> parse_size(const std::string& option, const std::string& text) {
  int h = 0, w = 0;
  char x = 0, rest = 0;
  std::istringstream in(text);
  if (!(in >> h >> x >> w) || x != 'x' || (in >> rest))
    throw PlanError(fmt::format("{}: '{}' is not HxW (e.g. 128x128)", option, text));
  if (h < 64 || w < 64 || h % 64 || w % 64)
    throw PlanError(fmt::format("{}: {}x{} must be multiples of 64 (FlowNetQ halves the input six times)", option, h, w));
  return {h, w};
}

void validate(const StudyOptions& o) {
  if (o.out.empty()) throw PlanError("--out: the study folder is required");
  if (o.width_mult <= 0 || o.width_mult > 1) throw PlanError(fmt::format("--width-mult: {} is not in (0, 1]", o.width_mult));
  if (o.steps <= 0 || o.finetune_steps <= 0) throw PlanError("--steps and --finetune-steps must be positive");
  if (o.threads <= 0) throw PlanError("--threads must be positive");
  if (o.multipliers <= 0) throw PlanError("--multipliers must be positive");
  if (!o.real.empty() && !fs::is_directory(o.real))
    throw PlanError(fmt::format("--real: {} is not a folder of real pairs", o.real.string()));
  if (!o.float_checkpoint.empty() && !fs::exists(o.float_checkpoint / "state.json"))
    throw PlanError(fmt::format("--float-checkpoint: {} is not a qflow-train checkpoint (no state.json)",
                                o.float_checkpoint.string()));
  const std::string data_kind = o.data.substr(0, o.data.find(':'));
  if (data_kind != "synthetic" && data_kind != "photos")
    throw PlanError(fmt::format("--data: '{}' has no validation split to measure on; use synthetic or photos[:DIR]", o.data));
}

std::vector<RunConfig> plan_runs(const StudyOptions& o) {
  validate(o);
  std::vector<RunConfig> runs{{"flownetq-float", "flownetq", 0, 0, "", 1}};
  if (o.flownets) runs.push_back({"flownets-float", "flownets", 0, 0, "", 1});
  for (int b : o.bits) runs.push_back({fmt::format("w{}a{}", b, b), "flownetq", b, b, "flownetq-float", 2});
  return runs;
}

void write_plan(const StudyOptions& o_in, const std::vector<RunConfig>& runs, const Tools& tools) {
  StudyOptions o = o_in;
  o.out = fs::absolute(o.out).lexically_normal();
  if (!o.real.empty()) o.real = fs::absolute(o.real);
  if (!o.float_checkpoint.empty()) o.float_checkpoint = fs::absolute(o.float_checkpoint);
  if (o.export_height == 0) std::tie(o.export_height, o.export_width) = std::pair{o.height, o.width};
  fs::create_directories(o.out / "runs");

  nlohmann::json configs = nlohmann::json::array();
  for (const RunConfig& r : runs) {
    fs::create_directories(o.out / "runs" / r.name);
    write_file(o.out / "runs" / r.name / "job.sh", job_script(o, r, tools), true);
    configs.push_back({{"name", r.name}, {"net", r.net}, {"w_bits", r.w_bits}, {"a_bits", r.a_bits},
                       {"init_from", r.init_from}, {"wave", r.wave}});
  }
  const nlohmann::json study = {
      {"format", "qflow-study"}, {"version", 1}, {"runs", configs},
      {"options", {{"width_mult", o.width_mult}, {"size", size_text(o.height, o.width)},
                   {"export_size", size_text(o.export_height, o.export_width)}, {"steps", o.steps},
                   {"finetune_steps", o.finetune_steps}, {"lr", o.lr}, {"finetune_lr", o.finetune_lr},
                   {"data", o.data}, {"seed", o.seed}, {"threads", o.threads}, {"val_samples", o.val_samples},
                   {"multipliers", o.multipliers}, {"real", o.real.string()},
                   {"float_checkpoint", o.float_checkpoint.string()}}}};
  write_file(o.out / "study.json", study.dump(1) + "\n");

  const bool two_waves = std::any_of(runs.begin(), runs.end(), [](const RunConfig& r) { return r.wave == 2; });
  write_file(o.out / "jobs.txt", jobs_text(runs, o.out, 0));
  write_file(o.out / "wave1.txt", jobs_text(runs, o.out, 1));
  write_file(o.out / "wave2.txt", jobs_text(runs, o.out, 2));
  const std::string dir = quote(o.out.string());
  write_file(o.out / "run-parallel.sh",
             fmt::format("#!/usr/bin/env bash\n"
                         "# Runs the study on this machine with GNU parallel, N jobs at a time (default: one per core).\n"
                         "# Wave 2 (the quantized runs) fine-tunes from wave 1's float run. Rerun to continue:\n"
                         "# --resume-failed skips what finished and retries what failed.\n"
                         "set -euo pipefail\ncd {}\njobs=${{1:-$(nproc)}}\n"
                         "parallel --will-cite --joblog joblog-wave1 --resume-failed -j \"$jobs\" < wave1.txt\n"
                         "{}"
                         "{} report .\n",
                         dir, two_waves ? "parallel --will-cite --joblog joblog-wave2 --resume-failed -j \"$jobs\" < wave2.txt\n" : "",
                         quote(tools.study.string())),
             true);
  write_file(o.out / "slurm.sh",
             fmt::format("#!/usr/bin/env bash\n"
                         "#SBATCH --job-name=qflow-study\n#SBATCH --cpus-per-task={}\n#SBATCH --output={}/slurm-%A_%a.out\n"
                         "# One array task = one line of a jobs file (default: jobs.txt): line $SLURM_ARRAY_TASK_ID.\n"
                         "#   sbatch --array=1-N slurm.sh [wave1.txt|wave2.txt]   (submit-slurm.sh submits both waves)\n"
                         "set -euo pipefail\njobs=${{1:-{}/jobs.txt}}\n"
                         ": \"${{SLURM_ARRAY_TASK_ID:?slurm.sh runs as an array task (sbatch --array=1-N)}}\"\n"
                         "line=$(sed -n \"${{SLURM_ARRAY_TASK_ID}}p\" \"$jobs\")\n"
                         "[[ -n $line ]] || {{ echo \"slurm.sh: $jobs has no line $SLURM_ARRAY_TASK_ID\" >&2; exit 1; }}\n"
                         "eval \"$line\"\n",
                         o.threads, o.out.string(), o.out.string()),
             true);
  const auto count = [&](int wave) { return std::count_if(runs.begin(), runs.end(), [&](const RunConfig& r) { return r.wave == wave; }); };
  std::string submit = fmt::format("#!/usr/bin/env bash\n"
                                   "# Submits the study to Slurm: wave 1 as an array, wave 2 once all of wave 1 succeeded.\n"
                                   "set -euo pipefail\ncd {}\n"
                                   "first=$(sbatch --parsable --array=1-{} slurm.sh wave1.txt)\necho \"wave 1: job ${{first%%;*}}\"\n",
                                   dir, count(1));
  if (two_waves)
    submit += fmt::format("second=$(sbatch --parsable --dependency=afterok:${{first%%;*}} --array=1-{} slurm.sh wave2.txt)\n"
                          "echo \"wave 2: job ${{second%%;*}} (after ${{first%%;*}})\"\n",
                          count(2));
  write_file(o.out / "submit-slurm.sh", submit, true);
}

}  // namespace qflow::study
