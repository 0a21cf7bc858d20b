// The study's charts, drawn by gnuplot from the CSV the report writes: EPE vs bits, LUTs vs bits,
// EPE vs LUTs with the Pareto front.
#pragma once

#include <filesystem>
#include <string>

#include "study_report.hpp"

namespace qflow::study {

// Writes charts.gp and pareto.csv, runs gnuplot when installed; returns a line for report.md.
std::string write_charts(const std::filesystem::path& study, const StudyTable& table);

}  // namespace qflow::study
