// Everything one run derives from its package and architecture, built once and passed down to the
// simulation, the reports and the resource estimate: each layer's shape, folding and cycles, and
// the pipeline's buffers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "arch/arch_config.hpp"
#include "arch/folding_model.hpp"
#include "arch/pipeline_buffers.hpp"

namespace qflow {

struct RunPlan {
  // Throws ArchError when the config does not fit the package.
  RunPlan(const Package& package, ArchConfig config);

  const Package& package;  // outlives the plan
  ArchConfig config;
  std::vector<LayerPlan> layers;     // package order
  std::vector<BufferSpec> buffers;   // every FIFO and skip buffer
  std::map<std::string, TensorShape> maps;  // "input" and every layer's output, by name
};

}  // namespace qflow
