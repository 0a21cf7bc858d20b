#include "random_package.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "flow/flo_io.hpp"
#include "package/layer_dump.hpp"
#include "package/network_shapes.hpp"
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

// Integer requant for out = acc * m_c + o_c (real m, o), with the largest shift that keeps every
// |M_c| inside the multiplier and acc * M + B inside int64 (DESIGN section 2).
void set_requant(Layer& layer, const std::vector<double>& m, const std::vector<double>& o) {
  const double max_m = *std::max_element(m.begin(), m.end(), [](double a, double b) {
    return std::abs(a) < std::abs(b);
  });
  const double limit = double(int64_t(1) << (kMultBits - 1));
  double max_o = 0;
  for (double v : o) max_o = std::max(max_o, std::abs(v));
  int shift = kMaxShift;
  while (shift > 0 && (std::abs(max_m) * std::ldexp(1.0, shift) >= limit - 1 ||
                       max_o * std::ldexp(1.0, shift) >= 0x1p60))
    --shift;
  layer.shift = shift;
  layer.mult.resize(m.size());
  layer.bias.resize(m.size());
  for (size_t c = 0; c < m.size(); ++c) {
    layer.mult[c] = std::llround(m[c] * std::ldexp(1.0, shift));
    layer.bias[c] = std::llround(o[c] * std::ldexp(1.0, shift)) + (shift > 0 ? int64_t(1) << (shift - 1) : 0);
  }
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
