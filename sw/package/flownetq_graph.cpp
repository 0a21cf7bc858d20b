#include "package/flownetq_graph.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace qflow {
namespace {

class GraphBuilder {
 public:
  explicit GraphBuilder(const FlowNetQShape& shape) : shape_(shape) {}

  int channels(int full) const {
    const int c = int(std::lround(full * shape_.width_mult));
    if (c < 1) throw std::invalid_argument(fmt::format("width multiplier {} leaves no channel", shape_.width_mult));
    return c;
  }

  // conv + BN + quantizer (+ ReLU) block; the flow head keeps its bias and saturates to int16.
  std::string conv(const std::string& name, const std::string& input, int cin, int cout, int k,
                   int stride, bool after_upsample = false, LayerOp op = LayerOp::Conv) {
    Layer l;
    l.name = name;
    l.op = op;
    l.inputs = {input};
    l.kernel = k;
    l.stride = stride;
    l.pad = (k - 1) / 2;
    l.cin = cin;
    l.cout = cout;
    l.in_bits = input == "input" ? 8 : shape_.a_bits;
    l.in_frac = after_upsample ? 4 : 0;
    l.w_bits = shape_.w_bits;
    l.out_bits = op == LayerOp::FlowHead ? kFlowHeadBits : shape_.a_bits;
    l.rom = "rom/" + name + ".hex";
    l.mult.assign(size_t(cout), 0);
    l.bias.assign(size_t(cout), 0);
    layers_.push_back(std::move(l));
    return name;
  }
  std::string upsample(const std::string& name, const std::string& input) {
    Layer l;
    l.name = name;
    l.op = LayerOp::Upsample2x;
    l.inputs = {input};
    layers_.push_back(std::move(l));
    return name;
  }
  std::string concat(const std::string& name, std::vector<std::string> inputs) {
    Layer l;
    l.name = name;
    l.op = LayerOp::Concat;
    l.inputs = std::move(inputs);
    layers_.push_back(std::move(l));
    return name;
  }
  std::vector<Layer> take() { return std::move(layers_); }

 private:
  FlowNetQShape shape_;
  std::vector<Layer> layers_;
};

}  // namespace

std::pair<int, int> parse_input_size(const std::string& option, const std::string& text) {
  int h = 0, w = 0;
  char x = 0, rest = 0;
  std::istringstream in(text);
  if (!(in >> h >> x >> w) || x != 'x' || (in >> rest))
    throw std::invalid_argument(fmt::format("{}: '{}' is not HxW (e.g. 384x512)", option, text));
  if (h < 64 || w < 64 || h % 64 || w % 64)
    throw std::invalid_argument(
        fmt::format("{}: {}x{} must be multiples of 64 (FlowNetQ halves the input six times)", option, h, w));
  return {h, w};
}

Package flownetq_skeleton(const FlowNetQShape& shape) {
  if (shape.height < 64 || shape.width < 64 || shape.height % 64 || shape.width % 64)
    throw std::invalid_argument(fmt::format("FlowNetQ input size {}x{} must be positive multiples of 64",
                                            shape.height, shape.width));
  if (!(shape.width_mult > 0)) throw std::invalid_argument("width multiplier must be positive");
  GraphBuilder g(shape);
  const int c64 = g.channels(64), c128 = g.channels(128), c256 = g.channels(256),
            c512 = g.channels(512), c1024 = g.channels(1024);
  // Encoder.
  g.conv("conv1", "input", kInputChannels, c64, 7, 2);
  g.conv("conv2", "conv1", c64, c128, 5, 2);
  g.conv("conv3", "conv2", c128, c256, 5, 2);
  g.conv("conv3_1", "conv3", c256, c256, 3, 1);
  g.conv("conv4", "conv3_1", c256, c512, 3, 2);
  g.conv("conv4_1", "conv4", c512, c512, 3, 1);
  g.conv("conv5", "conv4_1", c512, c512, 3, 2);
  g.conv("conv5_1", "conv5", c512, c512, 3, 1);
  g.conv("conv6", "conv5_1", c512, c1024, 3, 2);
  g.conv("conv6_1", "conv6", c1024, c1024, 3, 1);
  // Decoder: x2 bilinear then a conv block; each stage concatenates [encoder skip, previous stage].
  g.conv("deconv5", g.upsample("up6", "conv6_1"), c1024, c512, 3, 1, true);
  g.conv("deconv4", g.upsample("up5", g.concat("cat5", {"conv5_1", "deconv5"})), 2 * c512, c256, 3, 1, true);
  g.conv("deconv3", g.upsample("up4", g.concat("cat4", {"conv4_1", "deconv4"})), c512 + c256, c128, 3, 1, true);
  g.conv("deconv2", g.upsample("up3", g.concat("cat3", {"conv3_1", "deconv3"})), c256 + c128, c64, 3, 1, true);
  g.conv("predict_flow2", g.concat("cat2", {"conv2", "deconv2"}), c128 + c64, 2, 3, 1, false, LayerOp::FlowHead);

  Package p;
  p.name = fmt::format("flownetq-x{}-{}x{}-w{}a{}", shape.width_mult, shape.height, shape.width,
                       shape.w_bits, shape.a_bits);
  p.height = shape.height;
  p.width = shape.width;
  p.layers = g.take();
  return p;
}

}  // namespace qflow
