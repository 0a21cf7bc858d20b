// The architecture report of a simulated frame (DESIGN section 5): per layer MACs, folding,
// cycles (analytic and measured, and the RTL's under co-simulation), utilization, initiation
// interval, bottleneck, frame latency and frames per second at the clock, on-chip memory bits and
// DRAM traffic. As JSON (for tools), Markdown (for people) and CSV (a row per layer, for sweeps).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "arch/run_plan.hpp"
#include "system.hpp"

namespace qflow {

nlohmann::json latency_report(const RunPlan& plan, const SimulationResult& result);
std::string latency_report_markdown(const nlohmann::json& report);
std::string latency_report_csv(const nlohmann::json& report);

}  // namespace qflow
