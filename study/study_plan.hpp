// What a bit-width study trains and measures: its options, the configurations they expand to, and
// the job files that run them (GNU parallel locally, a Slurm array on a cluster).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace qflow::study {

// A plan argument that cannot be used; the message names the option.
struct PlanError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The batch of every training run of a study (qflow-train's default).
constexpr int kStudyBatch = 8;

struct StudyOptions {
  std::filesystem::path out;
  std::vector<int> bits{8, 7, 6, 5, 4, 3, 2};  // one WnAn configuration each
  bool flownets = false;                       // also the float FlowNetS baseline
  double width_mult = 0.25;
  int height = 128, width = 128;                // training input
  int export_height = 0, export_width = 0;      // measuring input (0: the training size)
  int steps = 12000, finetune_steps = 6000;     // float runs / quantized fine-tuning
  double lr = 1e-3, finetune_lr = 2e-4, flownets_lr = 1e-4;
  std::string data = "photos";
  uint64_t seed = 1;
  int threads = 1;         // per job (per rank)
  // Data-parallel ranks per training job: each reads kBatch / ranks samples a step, so the run is
  // the one-process run's. One Slurm task each (slurm.sh asks for them), or --nproc locally.
  int ranks = 1;
  bool bf16 = false, channels_last = false;  // qflow-train's CPU levers for every training job
  int val_samples = 32;    // validation scenes measured at the export size
  int multipliers = 1024;  // the accelerator's budget for latency and frames/s
  std::filesystem::path real;              // folder of real pairs ("" = none)
  std::filesystem::path float_checkpoint;  // reuse this float FlowNetQ run instead of training one
  bool sensitivity = false;  // per-layer sensitivity of the W8A8 run (needs 8 in bits)
  std::vector<int> sensitivity_widths{6, 4, 3, 2};
  int sensitivity_samples = 64;  // validation scenes at the training size
  double mixed_luts = 0;     // > 0: a mixed-precision run within this fraction of W8A8's LUTs
  std::vector<int> learned_bits;  // WnAn-lsq runs: learned weight ranges and activation steps
};

// One job of the study: a trained configuration (a row of the report), or the sensitivity
// measurement. Quantized runs fine-tune from `init_from`; a job of wave N starts when every job of
// the waves before it has finished.
struct RunConfig {
  enum class Kind { Trained, Sensitivity, Mixed };
  std::string name;  // flownetq-float, flownets-float, w8a8, ..., sensitivity, mixed-luts50
  std::string net;   // flownetq | flownets
  int w_bits = 0, a_bits = 0;  // 0 = float (a mixed run: 8, with its per-layer exceptions)
  std::string init_from;       // another run's name, or ""
  int wave = 1;
  Kind kind = Kind::Trained;
  std::string after;  // a run whose results this one reads (sensitivity: w8a8; mixed: sensitivity)
  bool learned_ranges = false;  // LSQ-style learned ranges (qflow-train --learned-ranges)
  bool quantized() const { return w_bits > 0; }
};

// "8,6,4" -> {8, 6, 4}; each in 2..8, no repeats. `option` names the option in errors.
std::vector<int> parse_bits_list(const std::string& text, const std::string& option = "--bits");

void validate(const StudyOptions& options);
std::vector<RunConfig> plan_runs(const StudyOptions& options);

// Writes STUDY/study.json, tools.sh, runs/<name>/job.sh, jobs.txt (every job, wave 1 first),
// wave<N>.txt per wave, run-parallel.sh, slurm.sh and submit-slurm.sh. Every script names paths
// relative to the study folder and finds the tools on the PATH or through QFLOW_TRAIN, QFLOW_SIM
// and QFLOW_STUDY, so the folder can move to another machine.
void write_plan(const StudyOptions& options, const std::vector<RunConfig>& runs);

}  // namespace qflow::study
