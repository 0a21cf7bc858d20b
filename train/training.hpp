// Training and evaluation: Adam, validation every N steps, a CSV log, a progress bar, checkpoints
// of model and optimizer together, repeatable with a seed.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "data/flow_dataset.hpp"
#include "distributed/data_parallel.hpp"
#include "net/flow_network.hpp"

namespace qflow::train {

// Everything needed to rebuild a network: saved next to its checkpoint.
struct NetworkConfig {
  std::string net = "flownetq";  // or "flownets"
  double width_mult = 0.125;
  int height = 128, width = 128;
  int w_bits = 8, a_bits = 8;  // 0: float
  double weight_range = 0.125;
  // Per-layer exceptions, "layer" -> {w_bits, out_bits}. The inputs of a concat must share a
  // width (one scale per concat), which the package check enforces at export.
  std::map<std::string, std::pair<int, int>> layer_bits;
  // LSQ-style learned weight ranges and activation steps (FlowNetQ, quantized layers).
  bool learned_ranges = false;
};
// "conv1=8:8,deconv2=4:6" -> per-layer {w_bits, out_bits}; throws on a malformed list.
std::map<std::string, std::pair<int, int>> parse_layer_bits(const std::string& spec);
nlohmann::json to_json(const NetworkConfig& c);
NetworkConfig network_config_from_json(const nlohmann::json& j);
std::shared_ptr<FlowNetwork> make_network(const NetworkConfig& c);

struct TrainOptions {
  int steps = 2000, val_every = 250, val_samples = 64;
  int batch = 8;  // per rank: a step of a data-parallel run reads batch x ranks samples
  double lr = 1e-4;
  uint64_t seed = 1;
  std::string device = "cpu";
  bool quiet = false;  // no progress on stderr
  // The training forward pass (and so its backward) under CPU autocast to bfloat16: faster where the
  // CPU has AVX512-BF16 or AMX. Fake quantization still rounds in float, validation runs in float,
  // and the integer export never depends on it.
  bool bf16 = false;
  // Weights and images in channels-last (NHWC) memory during training, which oneDNN's CPU
  // convolutions prefer (most with bf16). Checkpoints and what they export are unchanged.
  bool channels_last = false;
  std::filesystem::path out;     // log.csv and checkpoint/ go here
  std::filesystem::path resume;  // a checkpoint folder to continue from
  // A checkpoint of the same network at other bit widths (e.g. the float run) whose weights and
  // BN statistics start this run: quantization-aware fine-tuning. A fresh optimizer and step 0.
  std::filesystem::path init;
  // A data-parallel run's group (null: one process). Every rank reads its own share of each step's
  // samples, gradients and batch statistics are summed over the ranks, and rank 0 alone validates
  // and writes the log, the checkpoints and the progress.
  DataParallel* ranks = nullptr;
};

struct EvalResult {
  double epe = 0, l1 = 0, zero_epe = 0;  // zero_epe: the zero-flow baseline on the same samples
  int64_t samples = 0;
};

// The network in eval mode under NoGradGuard; its parameters are not touched.
EvalResult evaluate(FlowNetwork& net, const FlowDataset& data, int64_t max_samples, int batch, torch::Device device);

// Returns the final validation result (rank 0's; the other ranks of a data-parallel run return
// an empty one).
EvalResult train(std::shared_ptr<FlowNetwork> net, const NetworkConfig& config, const FlowDataset& train_data,
                 const FlowDataset& val_data, const TrainOptions& options);

// checkpoint/: model.pt, optimizer.pt (when given), state.json (config, step, data description).
void save_checkpoint(const std::filesystem::path& dir, FlowNetwork& net, torch::optim::Adam* optimizer,
                     const NetworkConfig& config, int step, const nlohmann::json& extra);
struct Checkpoint {
  NetworkConfig config;
  std::shared_ptr<FlowNetwork> net;
  int step = 0;
  nlohmann::json state;
};
// Copies every parameter and the BatchNorm statistics of `from` into `to` (the same network at
// other bit widths); `source` names `from` in the error when a parameter is missing. Learned
// ranges and steps `from` lacks (a float run) keep their starting values.
void copy_weights(FlowNetwork& from, FlowNetwork& to, const std::string& source);
// `size` {H, W}, when not {0, 0}, rebuilds the network at another input size: FlowNetQ's weights
// do not depend on it.
Checkpoint load_checkpoint(const std::filesystem::path& dir, std::pair<int, int> size = {0, 0});

}  // namespace qflow::train
