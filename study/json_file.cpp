#include "json_file.hpp"

#include <fstream>

#include <fmt/format.h>

#include "study_plan.hpp"

namespace qflow::study {

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw PlanError(fmt::format("{}: missing or unreadable", path.string()));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw PlanError(fmt::format("{}: not JSON ({})", path.string(), e.what()));
  }
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  if (!(out << text)) throw PlanError(fmt::format("{}: cannot write", path.string()));
}

}  // namespace qflow::study
