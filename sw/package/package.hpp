// The model package (DESIGN section 3): the contract between the trainer and the hardware side.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qflow/rtl_config.hpp"

namespace qflow {

inline constexpr int kPackageVersion = 1;
inline constexpr int kInputChannels = 6;
// Requant multipliers fit the hardware's signed multiplier: |mult| < 2^(kMultBits-1)
// (rtl/rtl_config.json, like every RTL width).
inline constexpr int kMultBits = rtl_config::kMultBits;
inline constexpr int kMaxShift = 48;
static_assert(kMaxShift < (1 << rtl_config::kShiftBits), "the requant's shift port must hold every shift");
inline constexpr int kFlowHeadBits = rtl_config::kCodeBits;  // the flow head saturates to the output port
// Bounds a package must keep, checked when it is read, before anything is allocated from them:
// far beyond any FlowNet (FlowNetS: 384x512, 1024 channels, 7x7) yet small enough to allocate.
inline constexpr int kMaxInputSide = 8192;
inline constexpr int kMaxChannels = 16384;
inline constexpr int kMaxKernel = 15;

enum class LayerOp { Conv, FlowHead, Upsample2x, Concat };

const char* to_string(LayerOp op);

struct Layer {
  std::string name;
  LayerOp op = LayerOp::Conv;
  std::vector<std::string> inputs;

  // conv and flow_head only
  int kernel = 0, stride = 1, pad = 0, cin = 0, cout = 0;
  int in_bits = 0, in_frac = 0, w_bits = 0, out_bits = 0, shift = 0;
  std::vector<int64_t> mult, bias;  // per output channel, bias includes the 2^(S-1) rounding term
  std::string rom;                  // path relative to the package root
  std::vector<int8_t> weights;      // canonical order (cout, cin, kh, kw)

  bool is_conv() const { return op == LayerOp::Conv || op == LayerOp::FlowHead; }
  int64_t weight_count() const { return int64_t(cout) * cin * kernel * kernel; }
};

struct Package {
  std::string name;
  int height = 0, width = 0;
  double div_flow = 20.0;
  int flow_frac_bits = 5;
  double weight_range = 0.125;
  std::vector<Layer> layers;  // execution order; the last one is the flow head
  nlohmann::json provenance = nlohmann::json::object();

  const Layer& layer(const std::string& layer_name) const;
  const Layer& flow_head() const { return layers.back(); }
};

// Reads and validates a package directory; throws PackageError naming file, layer and problem.
Package read_package(const std::filesystem::path& dir);
// Validates, then writes network.json and rom/<layer>.hex (creating the directory).
void write_package(const Package& package, const std::filesystem::path& dir);
// Every structural check of read_package, on an in-memory package.
void validate_package(const Package& package);

nlohmann::json package_to_json(const Package& package);

}  // namespace qflow
