// Shape and number-format inference over a package's layer graph.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "package.hpp"

namespace qflow {

// What flows on one edge of the graph: C x H x W codes of a given width.
struct TensorShape {
  int channels = 0, height = 0, width = 0;
  int bits = 0;         // code width of the underlying activation (16 for the flow head)
  int frac = 0;         // extra fractional bits (4 after a bilinear x2 upsample: 1/16 code units)
  bool is_signed = false;

  int64_t size() const { return int64_t(channels) * height * width; }
  // Largest code magnitude this edge can carry.
  int64_t max_code() const;
};

TensorShape input_shape(const Package& package);

// Output shape of every layer, in package order. Throws PackageError when the graph does not
// chain: unknown or later inputs, channel or size mismatches, bad bit widths, overflow risk.
std::vector<TensorShape> infer_shapes(const Package& package);

// The same by name, with the graph's "input" too: what a layer's inputs look up.
std::map<std::string, TensorShape> shapes_by_name(const Package& package);

// The output of a conv layer on an input of in_height x in_width (floor division, as every
// implementation computes it); bits and signedness from the layer.
TensorShape conv_output_shape(const Layer& layer, int in_height, int in_width);

// Upper bound of |acc| for a conv layer given its input edge (all weights at the extreme code).
int64_t accumulator_bound(const Layer& layer, const TensorShape& in);

// Which layers' codes share one scale: a concat's inputs must (one scale per concat), and an
// upsample or concat carries its inputs'. Every activation layer (conv but the flow head, upsample,
// concat) -> its group's first conv in package order. The graph input is nobody's group.
std::map<std::string, std::string> scale_groups(const Package& package);

// Multiply-accumulates of a conv layer producing `out` (k * k * cin per output code).
inline int64_t layer_macs(const Layer& layer, const TensorShape& out) {
  return layer.is_conv() ? out.size() * layer.cin * layer.kernel * layer.kernel : 0;
}
// A whole frame's: every conv layer's.
int64_t network_macs(const Package& package);

}  // namespace qflow
