#include "run_plan.hpp"

namespace qflow {

RunPlan::RunPlan(const Package& p, ArchConfig c) : package(p), config(std::move(c)) {
  check_arch_matches(config, package);
  layers = plan_layers(package, config);
  buffers = pipeline_buffers(package, config, layers);
  maps = map_shapes(package, layers);
}

}  // namespace qflow
