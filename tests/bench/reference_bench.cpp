// The fast bit-exact reference on a full-size FlowNetQ W8A8 frame (384x512, random package)
// against LibTorch fp32 inference of the same network and oneDNN's int8 convolutions of the same
// fifteen layer shapes (u8 x s8 -> s32, its best kernels: the limit of this CPU). Medians, side by
// side in one run, at each thread count.
#include <random>

#include <omp.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <torch/torch.h>

#include "bench_timer.hpp"
#include "gen/random_package.hpp"
#include "package/network_shapes.hpp"
#include "ref/host_flow.hpp"
#include "ref/reference.hpp"

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

// oneDNN's int8 convolutions of every conv layer's shape, each with its preferred layouts.
class OneDnnInt8Layers {
 public:
  explicit OneDnnInt8Layers(const Package& package) : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    using dnnl::memory;
    const std::vector<TensorShape> shapes = infer_shapes(package);
    std::map<std::string, TensorShape> known{{"input", input_shape(package)}};
    for (size_t i = 0; i < package.layers.size(); ++i) {
      const Layer& l = package.layers[i];
      known[l.name] = shapes[i];
      if (!l.is_conv()) continue;
      const TensorShape& in = known.at(l.inputs[0]);
      memory::desc src({1, l.cin, in.height, in.width}, memory::data_type::u8, getenv("NHWC") ? memory::format_tag::nhwc : memory::format_tag::any);
      memory::desc wei({l.cout, l.cin, l.kernel, l.kernel}, memory::data_type::s8, memory::format_tag::any);
      memory::desc dst({1, l.cout, shapes[i].height, shapes[i].width}, memory::data_type::s32, getenv("NHWC") ? memory::format_tag::nhwc : memory::format_tag::any);
      dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                        src, wei, dst, {l.stride, l.stride}, {l.pad, l.pad}, {l.pad, l.pad});
      dnnl::convolution_forward::primitive_desc pd(d, engine_);
      impls_.push_back(pd.impl_info_str());
      Conv conv{dnnl::convolution_forward(pd), memory(pd.src_desc(), engine_), memory(pd.weights_desc(), engine_),
                memory(pd.dst_desc(), engine_)};
      // Real bytes: untouched pages all map to the kernel's one zero page and would read from cache.
      fill_random(conv.src);
      fill_random(conv.weights);
      layers_.push_back(std::move(conv));
    }
  }
  void run() {
    for (Conv& c : layers_)
      c.conv.execute(stream_, {{DNNL_ARG_SRC, c.src}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_DST, c.dst}});
    stream_.wait();
  }
  const std::vector<std::string>& impls() const { return impls_; }

 private:
  static void fill_random(dnnl::memory& m) {
    auto* bytes = static_cast<uint8_t*>(m.get_data_handle());
    std::mt19937 rng(1);
    for (size_t i = 0; i < m.get_desc().get_size(); ++i) bytes[i] = uint8_t(rng() & 0x7f);
  }

  struct Conv {
    dnnl::convolution_forward conv;
    dnnl::memory src, weights, dst;
  };
  dnnl::engine engine_;
  dnnl::stream stream_;
  std::vector<Conv> layers_;
  std::vector<std::string> impls_;
};

}  // namespace
}  // namespace qflow::bench

int main(int argc, char** argv) {
  using namespace qflow;
  CLI::App app{"Fast reference vs LibTorch fp32 vs oneDNN int8 on one FlowNetQ frame"};
  std::string size = "384x512";
  double width_mult = 1.0;
  int repeats = 9;
  std::vector<int> threads = {1, 2};
  app.add_option("--size", size, "input HxW")->capture_default_str();
  app.add_option("--width-mult", width_mult, "channel width multiplier")->capture_default_str();
  app.add_option("--repeats", repeats, "timed runs per median")->capture_default_str();
  app.add_option("--threads", threads, "thread counts to measure")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const auto x = size.find('x');
  FlowNetQShape shape{width_mult, std::stoi(size.substr(0, x)), std::stoi(size.substr(x + 1)), 8, 8};

  fmt::print("generating a random W8A8 FlowNetQ x{} at {} ...\n", width_mult, size);
  const RandomPackage made = make_random_package(shape, 1);
  const CodeMap input = stack_input(made.pair.images.img1, made.pair.images.img2);
  const torch::Tensor torch_input =
      torch::rand({1, 6, shape.height, shape.width});

  const std::string header =
      "| threads | fast reference (ms) | oneDNN int8 convs (ms) | LibTorch fp32 (ms) | fast / oneDNN | LibTorch / fast |\n"
      "|---|---|---|---|---|---|\n";
  for (int t : threads) {
    omp_set_num_threads(t);
    torch::set_num_threads(t);
    // Primitives plan their threading when created: build them after setting the count.
    bench::OneDnnInt8Layers onednn(made.package);
    if (t == threads.front()) fmt::print("oneDNN int8 kernels: {}\n\n{}", onednn.impls().front(), header);
    FastReference fast(made.package, t);
    bench::TorchFloatNet net(made.package);
    LayerCodes codes;  // reused frame to frame, as a video stream would
    const double fast_s = bench::median_seconds(repeats, [&] { fast.run(input, codes); });
    const double dnnl_s = bench::median_seconds(repeats, [&] { onednn.run(); });
    const double torch_s = bench::median_seconds(std::max(3, repeats / 3), [&] { net.run(torch_input); });
    fmt::print("| {} | {:.1f} | {:.1f} | {:.1f} | {:.2f} | {:.1f} |\n", t, fast_s * 1e3, dnnl_s * 1e3, torch_s * 1e3,
               fast_s / dnnl_s, torch_s / fast_s);
  }
  return 0;
}
