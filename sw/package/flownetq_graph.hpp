// The FlowNetQ layer graph of DESIGN section 1, at any width multiplier and input size.
#pragma once

#include <string>
#include <utility>

#include "package.hpp"

namespace qflow {

struct FlowNetQShape {
  double width_mult = 1.0;  // channels x this (conv1's 6 inputs and the 2 flow outputs stay)
  int height = 384, width = 512;  // multiples of 64
  int w_bits = 8, a_bits = 8;     // one width for every layer
};

// The package skeleton: every layer with its shape, bits and inputs; weights empty and requant
// all zero until a trainer or generator fills them.
// Throws std::invalid_argument for a size not divisible by 64 or a width that leaves no channel.
Package flownetq_skeleton(const FlowNetQShape& shape);

// "384x512" -> {384, 512}: a FlowNetQ input size HxW, positive multiples of 64. `option` names the
// command-line option the text came from. Throws std::invalid_argument naming the problem.
std::pair<int, int> parse_input_size(const std::string& option, const std::string& text);

}  // namespace qflow
