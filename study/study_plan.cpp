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

// A path the user gave, as a job reaches it from its run folder (STUDY/runs/<name>): an absolute
// path as it is, a relative one (from where the plan was made) made relative to the run folder, so
// that the study folder moves with what it refers to.
std::string from_run_folder(const fs::path& given, const fs::path& study) {
  if (given.is_absolute()) return given.string();
  const fs::path run = (fs::absolute(study) / "runs" / "run").lexically_normal();
  return fs::absolute(given).lexically_normal().lexically_relative(run).string();
}

// The --data argument as a job passes it: a photo library's folder, when given, from the run folder.
std::string data_from_run_folder(const std::string& data, const fs::path& study) {
  const std::string kind = data.substr(0, data.find(':'));
  if (kind == data || kind != "photos") return data;
  return kind + ":" + from_run_folder(data.substr(kind.size() + 1), study);
}

// Sourced by every job and by run-parallel.sh: the tools from variables or the PATH, so that a study
// folder runs on any machine that has them.
const char* kToolsScript =
    "# The tools a study's jobs call: $QFLOW_TRAIN, $QFLOW_SIM and $QFLOW_STUDY when set, else\n"
    "# qflow-train, qflow-sim and qflow-study on the PATH (written by qflow-study plan).\n"
    "train=${QFLOW_TRAIN:-qflow-train} sim=${QFLOW_SIM:-qflow-sim} study=${QFLOW_STUDY:-qflow-study}\n"
    "for tool in \"$train\" \"$sim\" \"$study\"; do\n"
    "  command -v \"$tool\" > /dev/null || {\n"
    "    echo \"$tool not found: put qflow-train, qflow-sim and qflow-study on the PATH or set QFLOW_TRAIN, QFLOW_SIM, QFLOW_STUDY\" >&2\n"
    "    exit 1\n"
    "  }\n"
    "done\n";

// The shell script of one run: train (or take the given float checkpoint), measure on the
// validation scenes and the real pairs, and for a quantized run export, simulate and cost it.
std::string job_script(const StudyOptions& o, const RunConfig& r) {
  const std::string train = "\"$train\"", sim = "\"$sim\"", study = "\"$study\"";
  const std::string size = size_text(o.height, o.width), export_size = size_text(o.export_height, o.export_width);
  const std::string data = quote(data_from_run_folder(o.data, o.out));
  std::ostringstream s;
  s << "#!/usr/bin/env bash\n"
    << fmt::format("# Run '{}' of the study two folders up (written by qflow-study plan).\n", r.name)
    << "set -euo pipefail\ncd \"$(dirname \"$0\")\"\nsource ../../tools.sh\n"
    // The checkpoint and its log stay: an interrupted training resumes from its last checkpoint.
    << "rm -rf package sim ./*.json ./*.log layer_bits.txt done\n";
  for (const std::string& needed : {r.init_from, r.after})
    if (!needed.empty())
      s << fmt::format("[[ -f ../{0}/done ]] || {{ echo \"{1}: run '{0}' has not finished (an earlier wave: run it first)\" >&2; exit 1; }}\n",
                       needed, r.name);
  if (r.kind == RunConfig::Kind::Sensitivity) {
    s << fmt::format("{} sensitivity --checkpoint ../{}/checkpoint --data {} --widths {} --samples {} --seed {} "
                     "--json sensitivity.json > sensitivity.log 2>&1\ntouch done\n",
                     train, r.after, data, fmt::join(o.sensitivity_widths, ","), o.sensitivity_samples, o.seed);
    return s.str();
  }
  std::string layer_bits;
  if (r.kind == RunConfig::Kind::Mixed) {
    s << fmt::format("{} mixed ../.. --luts-fraction {} --out . > mixed.log 2>&1\n", study, o.mixed_luts);
    layer_bits = " --layer-bits \"$(cat layer_bits.txt)\"";
  }
  if (r.name == "flownetq-float" && !o.float_checkpoint.empty()) {
    s << fmt::format("rm -rf checkpoint && cp -r {} checkpoint\n", quote(from_run_folder(o.float_checkpoint, o.out)));
  } else {
    const std::string init = r.init_from.empty() ? "" : " --init ../" + r.init_from + "/checkpoint";
    s << fmt::format("start={}\n[[ -f checkpoint/state.json ]] && start=\"--resume checkpoint\"\n", quote(init));
    const int steps = r.quantized() ? o.finetune_steps : o.steps;
    const double lr = r.net == "flownets" ? o.flownets_lr : r.quantized() ? o.finetune_lr : o.lr;
    std::string ranks, train_launch = train;
    if (o.ranks > 1) {
      s << fmt::format("# {0} ranks of batch {1}: one task each in a Slurm job, else --nproc {0} on this machine\n"
                       "launch=() ranks=(--nproc {0})\n"
                       "[[ ${{SLURM_NTASKS:-1}} -gt 1 ]] && launch=(srun --ntasks=\"$SLURM_NTASKS\" --kill-on-bad-exit=1) ranks=()\n",
                       o.ranks, kStudyBatch / o.ranks);
      train_launch = "\"${launch[@]}\" " + train;
      ranks = fmt::format(" --batch {} \"${{ranks[@]}}\"", kStudyBatch / o.ranks);
    }
    s << fmt::format("{} train --net {} --width-mult {} --size {} --wbits {} --abits {}{}{} --data {} --steps {} --lr {} "
                     "--seed {} --threads {}{}{}{} --val-every {} --val-samples {} $start --out . > train.log 2>&1\n",
                     train_launch, r.net, o.width_mult, size, r.w_bits, r.a_bits, layer_bits,
                     r.learned_ranges ? " --learned-ranges" : "", data, steps, lr, o.seed, o.threads,
                     o.bf16 ? " --bf16" : "", o.channels_last ? " --channels-last" : "", ranks, std::max(1, steps / 6),
                     o.val_samples);
  }
  s << fmt::format("{} eval --checkpoint checkpoint --data {} --size {} --samples {} --seed {} --json val.json > val.log 2>&1\n",
                   train, data, export_size, o.val_samples, o.seed);
  if (!o.real.empty())
    s << fmt::format("{} eval --checkpoint checkpoint --data {} --size {} --samples 100000 --json real.json > real.log 2>&1\n",
                     train, quote("pairs:" + from_run_folder(o.real, o.out)), export_size);
  if (r.quantized()) {
    s << fmt::format("{} export --checkpoint checkpoint --out package --data {} --size {} --cases 1 --eval-samples 4 "
                     "--seed {} > export.log 2>&1\n", train, data, export_size, o.seed);
    s << fmt::format("{} run --model package --multipliers {} --gt '' --vcd '' --out sim --quiet > sim.log 2>&1\n", sim,
                     o.multipliers);
    s << fmt::format("{} cost . > cost.log 2>&1\n", study);
  }
  s << "touch done\n";
  return s.str();
}

// One `bash runs/<name>/job.sh` per line, from the study folder (where run-parallel.sh and slurm.sh run).
std::string jobs_text(const std::vector<RunConfig>& runs, int wave) {
  std::string text;
  for (const RunConfig& r : runs)
    if (wave == 0 || r.wave == wave) text += fmt::format("bash {}\n", quote((fs::path("runs") / r.name / "job.sh").string()));
  return text;
}

}  // namespace

std::vector<int> parse_bits_list(const std::string& text, const std::string& option) {
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
    if (used == 0 || used != item.size()) throw PlanError(fmt::format("{}: '{}' is not a number", option, item));
    if (b < 2 || b > 8) throw PlanError(fmt::format("{}: {} is outside 2..8 (the package's widths)", option, b));
    if (!seen.insert(b).second) throw PlanError(fmt::format("{}: {} is listed twice", option, b));
    bits.push_back(b);
  }
  if (bits.empty()) throw PlanError(fmt::format("{}: no width given (e.g. {} 8,6,4)", option, option));
  return bits;
}

void validate(const StudyOptions& o) {
  if (o.out.empty()) throw PlanError("--out: the study folder is required");
  if (o.width_mult <= 0 || o.width_mult > 1) throw PlanError(fmt::format("--width-mult: {} is not in (0, 1]", o.width_mult));
  if (o.steps <= 0 || o.finetune_steps <= 0) throw PlanError("--steps and --finetune-steps must be positive");
  if (o.threads <= 0) throw PlanError("--threads must be positive");
  if (o.ranks <= 0 || kStudyBatch % o.ranks != 0)
    throw PlanError(fmt::format("--ranks: {} does not divide the batch of {} (1, 2, 4 or 8)", o.ranks, kStudyBatch));
  if (o.multipliers <= 0) throw PlanError("--multipliers must be positive");
  if (!o.real.empty() && !fs::is_directory(o.real))
    throw PlanError(fmt::format("--real: {} is not a folder of real pairs", o.real.string()));
  if (!o.float_checkpoint.empty() && !fs::exists(o.float_checkpoint / "state.json"))
    throw PlanError(fmt::format("--float-checkpoint: {} is not a qflow-train checkpoint (no state.json)",
                                o.float_checkpoint.string()));
  const bool has_w8a8 = std::find(o.bits.begin(), o.bits.end(), 8) != o.bits.end();
  if ((o.sensitivity || o.mixed_luts > 0) && !has_w8a8)
    throw PlanError("--sensitivity and --mixed-luts start from the W8A8 run: include 8 in --bits");
  if (o.mixed_luts < 0 || o.mixed_luts >= 1)
    throw PlanError(fmt::format("--mixed-luts: {} is not a fraction of W8A8's LUTs in (0, 1)", o.mixed_luts));
  const std::string data_kind = o.data.substr(0, o.data.find(':'));
  if (data_kind != "synthetic" && data_kind != "photos")
    throw PlanError(fmt::format("--data: '{}' has no validation split to measure on; use synthetic or photos[:DIR]", o.data));
}

std::vector<RunConfig> plan_runs(const StudyOptions& o) {
  validate(o);
  std::vector<RunConfig> runs{{"flownetq-float", "flownetq", 0, 0, "", 1, RunConfig::Kind::Trained, ""}};
  if (o.flownets) runs.push_back({"flownets-float", "flownets", 0, 0, "", 1, RunConfig::Kind::Trained, ""});
  for (int b : o.bits) runs.push_back({fmt::format("w{}a{}", b, b), "flownetq", b, b, "flownetq-float", 2, RunConfig::Kind::Trained, ""});
  for (int b : o.learned_bits)
    runs.push_back({fmt::format("w{}a{}-lsq", b, b), "flownetq", b, b, "flownetq-float", 2, RunConfig::Kind::Trained, "", true});
  if (o.sensitivity || o.mixed_luts > 0)
    runs.push_back({"sensitivity", "flownetq", 8, 8, "", 3, RunConfig::Kind::Sensitivity, "w8a8"});
  if (o.mixed_luts > 0)
    runs.push_back({fmt::format("mixed-luts{:.0f}", 100 * o.mixed_luts), "flownetq", 8, 8, "flownetq-float", 4,
                    RunConfig::Kind::Mixed, "sensitivity"});
  return runs;
}

void write_plan(const StudyOptions& o_in, const std::vector<RunConfig>& runs) {
  StudyOptions o = o_in;
  if (o.export_height == 0) std::tie(o.export_height, o.export_width) = std::pair{o.height, o.width};
  fs::create_directories(o.out / "runs");

  nlohmann::json configs = nlohmann::json::array();
  for (const RunConfig& r : runs) {
    fs::create_directories(o.out / "runs" / r.name);
    write_file(o.out / "runs" / r.name / "job.sh", job_script(o, r), true);
    static const char* kinds[] = {"trained", "sensitivity", "mixed"};
    configs.push_back({{"name", r.name}, {"net", r.net}, {"w_bits", r.w_bits}, {"a_bits", r.a_bits},
                       {"init_from", r.init_from}, {"wave", r.wave}, {"kind", kinds[int(r.kind)]},
                       {"learned_ranges", r.learned_ranges}});
  }
  const nlohmann::json study = {
      {"format", "qflow-study"}, {"version", 1}, {"runs", configs},
      {"options", {{"width_mult", o.width_mult}, {"size", size_text(o.height, o.width)},
                   {"export_size", size_text(o.export_height, o.export_width)}, {"steps", o.steps},
                   {"finetune_steps", o.finetune_steps}, {"lr", o.lr}, {"finetune_lr", o.finetune_lr},
                   {"data", o.data}, {"seed", o.seed}, {"threads", o.threads}, {"ranks", o.ranks}, {"bf16", o.bf16},
                   {"channels_last", o.channels_last}, {"val_samples", o.val_samples},
                   {"multipliers", o.multipliers}, {"real", o.real.string()},
                   {"float_checkpoint", o.float_checkpoint.string()}, {"sensitivity_widths", o.sensitivity_widths},
                   {"sensitivity_samples", o.sensitivity_samples},
                   {"mixed_luts", o.mixed_luts}}}};
  write_file(o.out / "study.json", study.dump(1) + "\n");

  const int waves = std::max_element(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.wave < b.wave; })->wave;
  write_file(o.out / "tools.sh", kToolsScript);
  write_file(o.out / "jobs.txt", jobs_text(runs, 0));
  std::string local, submit;
  for (int w = 1; w <= waves; ++w) {
    write_file(o.out / fmt::format("wave{}.txt", w), jobs_text(runs, w));
    local += fmt::format("parallel --will-cite --joblog joblog-wave{0} --resume-failed -j \"$jobs\" < wave{0}.txt\n", w);
    const auto count = std::count_if(runs.begin(), runs.end(), [&](const RunConfig& r) { return r.wave == w; });
    submit += fmt::format("wave{0}=$(sbatch --parsable{1} --array=1-{2} slurm.sh wave{0}.txt)\n"
                          "echo \"wave {0}: job ${{wave{0}%%;*}}\"\n",
                          w, w == 1 ? "" : fmt::format(" --dependency=afterok:${{wave{}%%;*}}", w - 1), count);
  }
  write_file(o.out / "run-parallel.sh",
             fmt::format("#!/usr/bin/env bash\n"
                         "# Runs the study on this machine with GNU parallel, N jobs at a time (default: one per core;\n"
                         "# N may be a file holding the number, re-read as jobs finish). Each wave starts when the one\n"
                         "# before it has finished (quantized runs fine-tune from the float run). Rerun to continue:\n"
                         "# --resume-failed skips what finished and retries what failed.\n"
                         "set -euo pipefail\ncd \"$(dirname \"$0\")\"\nsource tools.sh\njobs=${{1:-$(nproc)}}\n{}\"$study\" report .\n",
                         local),
             true);
  write_file(o.out / "slurm.sh",
             fmt::format("#!/usr/bin/env bash\n"
                         "#SBATCH --job-name=qflow-study\n#SBATCH --ntasks={}\n#SBATCH --cpus-per-task={}\n"
                         "#SBATCH --output=slurm-%A_%a.out\n"
                         "# One array task = one line of a jobs file (default: jobs.txt): line $SLURM_ARRAY_TASK_ID,\n"
                         "# run from the study folder (Slurm runs a copy of this script: the folder it was submitted from).\n"
                         "#   sbatch --array=1-N slurm.sh [waveK.txt]   (submit-slurm.sh submits every wave)\n"
                         "set -euo pipefail\n[[ -z ${{1:-}} ]] || jobs=$(realpath \"$1\")\n"
                         "cd \"${{SLURM_SUBMIT_DIR:-$(dirname \"$0\")}}\"\njobs=${{jobs:-jobs.txt}}\n"
                         ": \"${{SLURM_ARRAY_TASK_ID:?slurm.sh runs as an array task (sbatch --array=1-N)}}\"\n"
                         "line=$(sed -n \"${{SLURM_ARRAY_TASK_ID}}p\" \"$jobs\")\n"
                         "[[ -n $line ]] || {{ echo \"slurm.sh: $jobs has no line $SLURM_ARRAY_TASK_ID\" >&2; exit 1; }}\n"
                         "eval \"$line\"\n",
                         o.ranks, o.threads),
             true);
  submit = fmt::format("#!/usr/bin/env bash\n"
                       "# Submits the study to Slurm: each wave an array that starts once the wave before it succeeded.\n"
                       "set -euo pipefail\ncd \"$(dirname \"$0\")\"\n{}",
                       submit);
  write_file(o.out / "submit-slurm.sh", submit, true);
}

}  // namespace qflow::study
