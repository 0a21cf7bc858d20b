#include "random_package.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "flow/flo_io.hpp"
#include "package/layer_dump.hpp"
#include "package/network_shapes.hpp"
#include "package/requant_params.hpp"
#include "ref/host_flow.hpp"

namespace qflow {
namespace {

constexpr int kSamples = 96;        // output positions whose accumulators set a layer's requant
constexpr double kFlowSigma = 4.0;  // spread of the random flow head's output, in pixels

struct ChannelStats {
  std::vector<double> mean, sd;
};

// Accumulators of a few random output positions, per output channel, by the contract's loops.
ChannelStats sample_accumulators(const Layer& layer, const CodeMap& in, int out_h, int out_w,
                                 std::mt19937_64& rng) {
  std::uniform_int_distribution<int> pick_y(0, out_h - 1), pick_x(0, out_w - 1);
  std::vector<std::pair<int, int>> where(kSamples);
  for (auto& p : where) p = {pick_y(rng), pick_x(rng)};
  ChannelStats stats{std::vector<double>(size_t(layer.cout)), std::vector<double>(size_t(layer.cout))};
  const int k = layer.kernel;
#pragma omp parallel for
  for (int co = 0; co < layer.cout; ++co) {
    double sum = 0, sum_sq = 0;
    for (const auto& [oy, ox] : where) {
      int64_t acc = 0;
      for (int ci = 0; ci < layer.cin; ++ci)
        for (int ky = 0; ky < k; ++ky)
          for (int kx = 0; kx < k; ++kx) {
            const int iy = oy * layer.stride - layer.pad + ky, ix = ox * layer.stride - layer.pad + kx;
            if (iy < 0 || iy >= in.height || ix < 0 || ix >= in.width) continue;
            acc += int64_t(layer.weights[((size_t(co) * layer.cin + ci) * k + ky) * k + kx]) *
                   in.codes[(size_t(ci) * in.height + iy) * in.width + ix];
          }
      sum += double(acc);
      sum_sq += double(acc) * double(acc);
    }
    const double mean = sum / kSamples;
    stats.mean[size_t(co)] = mean;
    stats.sd[size_t(co)] = std::sqrt(std::max(sum_sq / kSamples - mean * mean, 1.0));
  }
  return stats;
}

void calibrate_conv(Layer& layer, const CodeMap& in, const TensorShape& out,
                    std::mt19937_64& rng, const Package& package) {
  const int lo = -(1 << (layer.w_bits - 1)), hi = (1 << (layer.w_bits - 1)) - 1;
  std::uniform_int_distribution<int> code(lo, hi);
  layer.weights.resize(size_t(layer.weight_count()));
  for (int8_t& w : layer.weights) w = int8_t(code(rng));
  const ChannelStats stats = sample_accumulators(layer, in, out.height, out.width, rng);
  std::vector<double> m(size_t(layer.cout)), o(size_t(layer.cout));
  // Activations: one standard deviation = a quarter of the code range, centred a quarter up, so
  // ReLU zeroes about 16 % and only > 3 sigma saturates. Flow: zero-mean, kFlowSigma pixels.
  const double unit = layer.op == LayerOp::FlowHead ? kFlowSigma * (1 << package.flow_frac_bits)
                                                     : std::ldexp(1.0, layer.out_bits) / 4;
  const double centre = layer.op == LayerOp::FlowHead ? 0.0 : unit;
  for (int c = 0; c < layer.cout; ++c) {
    m[size_t(c)] = unit / stats.sd[size_t(c)];
    o[size_t(c)] = centre - stats.mean[size_t(c)] * m[size_t(c)];
  }
  set_requant(layer, m, o);
}

}  // namespace

RandomPackage make_random_package(const FlowNetQShape& shape, uint64_t seed) {
  RandomPackage out{flownetq_skeleton(shape), make_synthetic_pair(shape.height, shape.width, seed), {}};
  Package& package = out.package;
  package.provenance = {{"generator", "qflow random package"}, {"seed", seed},
                        {"note", "random weights; requant calibrated on the golden 'synthetic' pair"}};
  std::mt19937_64 rng(seed);
  const std::vector<TensorShape> shapes = infer_shapes(package);
  const CodeMap input = stack_input(out.pair.images.img1, out.pair.images.img2);
  std::map<std::string, const CodeMap*> known{{"input", &input}};
  out.codes.reserve(package.layers.size());
  for (size_t i = 0; i < package.layers.size(); ++i) {
    Layer& layer = package.layers[i];
    std::vector<const CodeMap*> ins;
    for (const std::string& name : layer.inputs) ins.push_back(known.at(name));
    if (layer.is_conv()) calibrate_conv(layer, *ins[0], shapes[i], rng, package);
    out.codes.push_back(run_layer_fast(layer, ins));
    known[layer.name] = &out.codes.back();
  }
  validate_package(package);
  return out;
}

void write_random_package(const RandomPackage& random, const std::filesystem::path& dir) {
  write_package(random.package, dir);
  const std::filesystem::path golden = dir / "golden" / "synthetic";
  write_layer_dump(golden, random.package, random.codes);
  save_rgb(golden / "img1.png", random.pair.images.img1);
  save_rgb(golden / "img2.png", random.pair.images.img2);
  write_flo(golden / "flow.flo", flow_from_head(random.codes.back(), random.package));
  write_flo(golden / "gt.flo", random.pair.flow);  // the pair's true motion, for --gt
}

}  // namespace qflow
