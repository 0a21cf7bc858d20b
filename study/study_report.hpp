// `qflow-study report`: every finished run of a study merged into one table (report.md, .csv,
// .json) and its charts; runs that have not finished are listed, not fatal.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qflow::study {

struct StudyTable {
  nlohmann::json study;                      // study.json
  std::vector<nlohmann::json> rows;          // finished runs, in plan order (columns: kColumns)
  std::vector<std::string> missing;          // "name: why"
  nlohmann::json baselines;                  // classical methods on the same real pairs, when measured
  std::string accuracy_column;               // what the charts plot: epe_real, or epe_val_integer
  nlohmann::json sensitivity;                // `qflow-train sensitivity`'s table, when measured
  nlohmann::json mixed = nlohmann::json::object();  // mixed run name -> its choice (mixed.json)
};

extern const std::vector<std::string> kColumns;

StudyTable collect_study(const std::filesystem::path& study);
// Writes report.{md,csv,json} and charts.gp; draws the charts (SVG) when gnuplot is installed.
// Returns a line to print about the charts.
std::string write_study_report(const std::filesystem::path& study, const StudyTable& table);

}  // namespace qflow::study
