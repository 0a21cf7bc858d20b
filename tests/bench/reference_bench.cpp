// The fast bit-exact reference on a full-size FlowNetQ frame (384x512, random package, W8A8 or --bits;
// or a given package, on its first golden pair: trained activations are sparser than random ones)
// against LibTorch fp32 inference of the same network and oneDNN's int8 convolutions of the same
// fifteen layer shapes (u8 x s8 -> s32, its best kernels: the limit of this CPU). Medians, side by
// side in one run, at each thread count. Where qflow's exact kernel runs at AVX2 width, also each
// contender's MAC rate against its instructions' ceiling on this CPU (isa_ceilings.hpp).
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <torch/torch.h>

#include "bench_timer.hpp"
#include "isa_ceilings.hpp"
#include "onednn_int8_layers.hpp"
#include "flow/image_pair.hpp"
#include "gen/random_package.hpp"
#include "package/network_shapes.hpp"
#include "ref/host_flow.hpp"
#include "ref/reference.hpp"
#include "ref/vector_isa.hpp"

namespace qflow::bench {
namespace {

// FlowNetQ in float: conv (weights = code * r / 2^(b-1)), x0.25-scaled BN folded as the requant's
// real scale and offset, ReLU; bilinear x2; concat. The same graph and arithmetic volume.
class TorchFloatNet {
 public:
  explicit TorchFloatNet(const Package& package) : package_(package) {
    for (const Layer& l : package.layers) {
      if (!l.is_conv()) {
        weights_.emplace_back();
        continue;
      }
      std::vector<float> w(l.weights.begin(), l.weights.end());
      const float scale = float(package.weight_range) / float(1 << (l.w_bits - 1));
      weights_.push_back(torch::from_blob(w.data(), {l.cout, l.cin, l.kernel, l.kernel}).clone() * scale);
    }
  }
  torch::Tensor run(const torch::Tensor& input) {
    torch::NoGradGuard no_grad;
    std::map<std::string, torch::Tensor> by_name{{"input", input}};
    for (size_t i = 0; i < package_.layers.size(); ++i) {
      const Layer& l = package_.layers[i];
      torch::Tensor out;
      if (l.is_conv()) {
        out = torch::conv2d(by_name.at(l.inputs[0]), weights_[i], {}, l.stride, l.pad);
        if (l.op == LayerOp::Conv) out = torch::relu(out * 0.25f);
      } else if (l.op == LayerOp::Upsample2x) {
        out = torch::upsample_bilinear2d(by_name.at(l.inputs[0]), c10::nullopt, false,
                                         std::vector<double>{2.0, 2.0});
      } else {
        std::vector<torch::Tensor> parts;
        for (const std::string& name : l.inputs) parts.push_back(by_name.at(name));
        out = torch::cat(parts, 1);
      }
      by_name[l.name] = out;
    }
    return by_name.at(package_.layers.back().name);
  }

 private:
  const Package& package_;
  std::vector<torch::Tensor> weights_;
};

// 1e9 MACs a second for each thread, and its share of the ceiling.
std::string rate(int64_t macs, double seconds, int threads, double ceiling) {
  const double gmacs = double(macs) / seconds / threads / 1e9;
  return fmt::format("{:.1f} | {:.0f} %", gmacs, 100 * gmacs / ceiling);
}

}  // namespace
}  // namespace qflow::bench

int main(int argc, char** argv) {
  using namespace qflow;
  CLI::App app{"Fast reference vs LibTorch fp32 vs oneDNN int8 on one FlowNetQ frame"};
  std::string size = "384x512", model;
  double width_mult = 1.0;
  int repeats = 9, bits = 8;
  std::vector<int> threads = {1, 2};
  app.add_option("--size", size, "input HxW")->capture_default_str();
  app.add_option("--width-mult", width_mult, "channel width multiplier")->capture_default_str();
  app.add_option("--repeats", repeats, "timed runs per median")->capture_default_str();
  app.add_option("--threads", threads, "thread counts to measure")->capture_default_str();
  app.add_option("--bits", bits, "weight and activation bits of every layer")->check(CLI::Range(2, 8))->capture_default_str();
  app.add_option("--model", model, "this package instead of a random one, on its first golden pair")
      ->check(CLI::ExistingDirectory);
  bool fast_only = false;
  app.add_flag("--fast-only", fast_only, "time the fast reference alone (for a profiler: perf record ...)");
  CLI11_PARSE(app, argc, argv);
  const auto x = size.find('x');
  FlowNetQShape shape{width_mult, std::stoi(size.substr(0, x)), std::stoi(size.substr(x + 1)), bits, bits};

  RandomPackage made;
  if (model.empty()) {
    fmt::print("generating a random W{0}A{0} FlowNetQ x{1} at {2} ...\n", bits, width_mult, size);
    made = make_random_package(shape, 1);
  } else {
    made.package = read_package(model);
    std::vector<std::filesystem::path> cases;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(model) / "golden"))
      cases.push_back(entry.path());
    std::sort(cases.begin(), cases.end());
    made.pair.images = load_image_pair(cases.at(0) / "img1.png", cases.at(0) / "img2.png");
    fmt::print("{} on its golden pair {}\n", made.package.name, cases.at(0).filename().string());
  }
  const CodeMap input = stack_input(made.pair.images.img1, made.pair.images.img2);
  const torch::Tensor torch_input = torch::rand({1, 6, made.package.height, made.package.width});

  // Only where the exact kernel's tiles are AVX2 ones: elsewhere the fast reference's convolutions
  // are oneDNN's, and AVX2 ceilings would bound nothing that ran.
  const bool avx2_tiles = !fast_only && vector_isas_of_this_cpu().front() == VectorIsa::Avx2;
  const int64_t macs = network_macs(made.package);
  std::string ceilings_table, rates_table;

  const std::string header =
      "| threads | fast reference, flow (ms) | the same with every layer's planes (ms) | oneDNN int8 convs (ms) | "
      "the same, 12-bit inputs in two passes (ms) | LibTorch fp32 (ms) | fast / oneDNN | fast / two-pass oneDNN | "
      "LibTorch / fast |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  for (int t : threads) {
    omp_set_num_threads(t);
    torch::set_num_threads(t);
    // Primitives plan their threading when created: build them after setting the count.
    std::optional<bench::OneDnnInt8Layers> onednn;
    if (!fast_only) onednn.emplace(made.package);
    FastReference fast(made.package, t);
    if (t == threads.front()) {
      // What ran: oneDNN's AVX2 and AVX-512 kernels without VNNI need split inputs for exactness.
      const char* cap = std::getenv("ONEDNN_MAX_CPU_ISA");
      fmt::print("CPU: {}{}\noneDNN int8 kernels: {}\nfast reference kernels:\n", bench::cpu_name(),
                 cap ? fmt::format(" (ONEDNN_MAX_CPU_ISA={})", cap) : "", onednn ? onednn->impls().front() : "-");
      for (const auto& [name, layers] : fast.layers_by_kernel()) fmt::print("  {} layers: {}\n", layers.size(), name);
      fmt::print("\n{}", header);
    }
    // Reused frame to frame, as a video stream would.
    CodeMap flow;
    LayerCodes codes;
    const double fast_s = bench::median_seconds(repeats, [&] { fast.run_flow(input, flow); });
    const double planes_s = bench::median_seconds(repeats, [&] { fast.run(input, codes); });
    if (fast_only) {
      fmt::print("| {} | {:.1f} | {:.1f} | | | | | | |\n", t, fast_s * 1e3, planes_s * 1e3);
      continue;
    }
    bench::TorchFloatNet net(made.package);
    const double dnnl_s = bench::median_seconds(repeats, [&] { onednn->run(); });
    const double contract_s = bench::median_seconds(repeats, [&] { onednn->run_contract_passes(); });
    const double torch_s = bench::median_seconds(std::max(3, repeats / 3), [&] { net.run(torch_input); });
    fmt::print("| {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.2f} | {:.2f} | {:.1f} |\n", t, fast_s * 1e3,
               planes_s * 1e3, dnnl_s * 1e3, contract_s * 1e3, torch_s * 1e3, fast_s / dnnl_s, fast_s / contract_s,
               torch_s / fast_s);
    if (const auto ceilings = avx2_tiles ? bench::measure_avx2_ceilings(t) : std::nullopt) {
      ceilings_table += fmt::format("| {} | {:.1f} | {:.1f} | {:.2f} |\n", t, ceilings->int16_gmacs,
                                    ceilings->fp32_gmacs, ceilings->int16_gmacs / ceilings->fp32_gmacs);
      rates_table += fmt::format("| {} | {} | {} |\n", t, bench::rate(macs, fast_s, t, ceilings->int16_gmacs),
                                 bench::rate(macs, torch_s, t, ceilings->fp32_gmacs));
    }
  }
  if (!rates_table.empty())
    fmt::print("\nAVX2 ceilings per thread, all threads running at once (1e9 MACs/s); their ratio is LibTorch / fast "
               "at equal efficiency\n| threads | int16 pmaddwd+paddd | fp32 FMA | int16 / fp32 |\n|---|---|---|---|\n{}"
               "\n{:.2f} GMACs a frame; per thread (1e9 MACs/s) and against the ceiling of the instructions each runs "
               "(int16 for the fast reference: layers that oneDNN runs, on frames whose codes stay below 128, can take "
               "it past 100 %)\n| threads | fast reference | of int16 | LibTorch fp32 | of fp32 |\n|---|---|---|---|---|\n{}",
               ceilings_table, double(macs) / 1e9, rates_table);
  return 0;
}
