// Per-layer bit-width sensitivity of a trained FlowNetQ: one layer's weights, or one activation
// group's codes, lowered to each width while every other layer keeps its own, and the validation
// EPE measured again (no retraining: the float shadow weights are re-quantized). The inputs of a
// concat share one scale in the package, so their producers form one activation group.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/flow_dataset.hpp"
#include "net/flownet_q.hpp"
#include "training.hpp"

namespace qflow::train {

struct SensitivityUnit {
  std::string name;                 // "conv3" or "conv3_1+deconv3"
  bool weights = true;              // weights of one layer, or the output codes of a group
  std::vector<std::string> layers;  // the conv layers whose widths change
};

// Every conv layer's weights, then every activation group (the flow head's 16-bit flow excluded).
std::vector<SensitivityUnit> sensitivity_units(const FlowNetQ& net);

// {"base_epe", "samples", "widths", "rows": [{"unit", "kind", "layers", "bits", "epe", "delta"}]}
nlohmann::json measure_sensitivity(const Checkpoint& base, const FlowDataset& data, const std::vector<int>& widths,
                                   int64_t samples);

}  // namespace qflow::train
