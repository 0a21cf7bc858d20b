// The run's charts, drawn by gnuplot into OUT/charts/ from the CSV and data files written beside
// them (so a user can redraw or restyle them): cycles and utilization per layer, the pipeline
// timeline (Gantt) of every unit's busy/stalled/starved stretches, and the FIFO fill levels, all
// from the simulated frame itself.
#pragma once

#include <filesystem>
#include <string>

#include "system.hpp"

namespace qflow::sim {

// `layers_csv`: the report's per-layer CSV; `dram`: the DRAM the frame ran on (its peak is drawn).
// Returns the Markdown that shows the charts (or says gnuplot is missing); throws FlowIoError when
// a file cannot be written or gnuplot fails.
std::string write_run_charts(const std::filesystem::path& out, const std::string& layers_csv,
                             const SimulationResult& result, const DramConfig& dram, double period_ns);

}  // namespace qflow::sim
