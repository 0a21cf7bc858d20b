// Training steps per second of the C++ trainer: FlowNetQ W8A8 (quantization-aware), synthetic
// batches prepared ahead so that only the step (forward, loss, backward, Adam) is timed. Its Python
// twin is train_step_bench.py; scripts/bench_train.sh runs both side by side.
#include <ATen/autocast_mode.h>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <torch/torch.h>

#include "bench_timer.hpp"
#include "data/flow_dataset.hpp"
#include "training.hpp"

int main(int argc, char** argv) {
  using namespace qflow::train;
  CLI::App app{"C++ trainer steps per second"};
  NetworkConfig config;
  int batch = 8, repeats = 20, threads = 0;
  bool bf16 = false, channels_last = false;
  app.add_option("--width-mult", config.width_mult)->capture_default_str();
  app.add_option("--size", config.height, "square input size")->capture_default_str();
  app.add_option("--batch", batch)->capture_default_str();
  app.add_option("--repeats", repeats)->capture_default_str();
  app.add_option("--threads", threads)->capture_default_str();
  app.add_option("--wbits", config.w_bits)->capture_default_str();
  app.add_option("--abits", config.a_bits)->capture_default_str();
  app.add_flag("--bf16", bf16, "the forward pass under CPU autocast to bfloat16");
  app.add_flag("--channels-last", channels_last, "weights and images in channels-last (NHWC) memory");
  CLI11_PARSE(app, argc, argv);
  config.width = config.height;
  if (threads > 0) torch::set_num_threads(threads);
  torch::manual_seed(1);
  auto net = make_network(config);
  SyntheticOptions o;
  o.height = o.width = config.height;
  const auto data = make_synthetic_dataset(o);
  std::vector<FlowSample> samples;
  for (int i = 0; i < batch; ++i) samples.push_back(data->get(size_t(i)));
  FlowSample b = collate(samples);
  if (channels_last) {
    for (torch::Tensor& p : net->parameters())
      if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
    b.img1 = b.img1.contiguous(at::MemoryFormat::ChannelsLast);
    b.img2 = b.img2.contiguous(at::MemoryFormat::ChannelsLast);
  }
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-4));
  at::autocast::set_cpu_enabled(bf16);
  at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  const double seconds = qflow::bench::median_seconds(repeats, [&] {
    adam.zero_grad();
    net->loss(b.img1, b.img2, b.flow, b.valid).backward();
    adam.step();
  });
  fmt::print("CPU: {}; {} threads; {}\n", qflow::bench::cpu_name(), torch::get_num_threads(),
             bf16 ? "bfloat16 autocast" : "float32");
  fmt::print("cpp {:.3f}\n", 1.0 / seconds);
  return 0;
}
