#include "run_plan.hpp"

namespace qflow {

RunPlan::RunPlan(const Package& p, ArchConfig c) : package(p), config(std::move(c)) {
  check_arch_matches(config, package);
  layers = plan_layers(package, config);
  buffers = pipeline_buffers(package, config, layers);
  maps = map_shapes(package, layers);
}

std::map<std::string, TensorShape> map_shapes(const Package& package, const std::vector<LayerPlan>& plans) {
  std::map<std::string, TensorShape> shapes{{"input", input_shape(package)}};
  for (const LayerPlan& plan : plans) shapes[plan.name] = plan.out;
  return shapes;
}

}  // namespace qflow
