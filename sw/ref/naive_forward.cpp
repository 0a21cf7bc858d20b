// The reference of references: every loop of the contract written out, int64 throughout.
#include <map>

#include "integer_ops.hpp"
#include "package/network_shapes.hpp"
#include "naive_ops.hpp"
#include "reference.hpp"

namespace qflow {
namespace {

int16_t at(const CodeMap& m, int c, int y, int x) {
  return m.codes[(size_t(c) * m.height + y) * m.width + x];
}

}  // namespace

CodeMap naive_conv(const Layer& layer, const CodeMap& in, const TensorShape& out_shape) {
  CodeMap out{out_shape.channels, out_shape.height, out_shape.width, {}};
  out.codes.resize(size_t(out_shape.size()));
  const int k = layer.kernel;
  for (int co = 0; co < layer.cout; ++co)
    for (int oy = 0; oy < out.height; ++oy)
      for (int ox = 0; ox < out.width; ++ox) {
        int64_t acc = 0;
        for (int ci = 0; ci < layer.cin; ++ci)
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              const int iy = oy * layer.stride - layer.pad + ky;
              const int ix = ox * layer.stride - layer.pad + kx;
              if (iy < 0 || iy >= in.height || ix < 0 || ix >= in.width) continue;  // zero padding
              const int64_t w = layer.weights[((size_t(co) * layer.cin + ci) * k + ky) * k + kx];
              acc += w * at(in, ci, iy, ix);
            }
        out.codes[(size_t(co) * out.height + oy) * out.width + ox] =
            requantize(acc, layer.mult[co], layer.bias[co], layer.shift, layer.out_bits,
                       layer.op == LayerOp::FlowHead);
      }
  return out;
}

CodeMap naive_upsample2x(const CodeMap& in) {
  CodeMap out{in.channels, in.height * 2, in.width * 2, {}};
  out.codes.resize(size_t(out.channels) * out.height * out.width);
  for (int c = 0; c < in.channels; ++c)
    for (int oy = 0; oy < out.height; ++oy)
      for (int ox = 0; ox < out.width; ++ox) {
        const UpsampleTaps ty = upsample_taps(oy, in.height), tx = upsample_taps(ox, in.width);
        const int u = 9 * at(in, c, ty.near, tx.near) + 3 * at(in, c, ty.near, tx.far) +
                      3 * at(in, c, ty.far, tx.near) + at(in, c, ty.far, tx.far);
        out.codes[(size_t(c) * out.height + oy) * out.width + ox] = int16_t(u);
      }
  return out;
}

CodeMap naive_concat(const std::vector<const CodeMap*>& ins) {
  CodeMap out{0, ins[0]->height, ins[0]->width, {}};
  for (const CodeMap* in : ins) {
    out.channels += in->channels;
    out.codes.insert(out.codes.end(), in->codes.begin(), in->codes.end());
  }
  return out;
}

LayerCodes run_naive(const Package& package, const CodeMap& input) {
  const std::vector<TensorShape> shapes = infer_shapes(package);
  LayerCodes outputs;
  outputs.reserve(package.layers.size());
  std::map<std::string, const CodeMap*> by_name{{"input", &input}};
  for (size_t i = 0; i < package.layers.size(); ++i) {
    const Layer& layer = package.layers[i];
    std::vector<const CodeMap*> ins;
    for (const std::string& name : layer.inputs) ins.push_back(by_name.at(name));
    if (layer.is_conv())
      outputs.push_back(naive_conv(layer, *ins[0], shapes[i]));
    else if (layer.op == LayerOp::Upsample2x)
      outputs.push_back(naive_upsample2x(*ins[0]));
    else
      outputs.push_back(naive_concat(ins));
    by_name[layer.name] = &outputs.back();
  }
  return outputs;
}

}  // namespace qflow
