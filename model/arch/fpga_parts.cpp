#include "fpga_parts.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "arch/arch_config.hpp"
#include "model_error.hpp"

namespace qflow {
namespace {

double number(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j.at(key).is_number() || !std::isfinite(j.at(key).get<double>()) || j.at(key).get<double>() < 0)
    throw ArchError(fmt::format("{}: '{}' must be a number >= 0", where, key));
  return j.at(key).get<double>();
}

FabricResources resources(const nlohmann::json& j, const std::string& where, bool all) {
  if (!j.is_object()) throw ArchError(fmt::format("{}: expected an object", where));
  FabricResources r;
  const auto take = [&](const char* key, double& into) {
    if (all || j.contains(key)) into = number(j, key, where);
  };
  take("luts", r.luts);
  take("flip_flops", r.flip_flops);
  take("bram36", r.bram36);
  take("uram", r.uram);
  take("dsps", r.dsps);
  return r;
}

std::string text(const nlohmann::json& j, const char* key, const std::string& fallback, const std::string& where) {
  if (!j.contains(key)) return fallback;
  if (!j.at(key).is_string()) throw ArchError(fmt::format("{}: '{}' must be a string", where, key));
  return j.at(key).get<std::string>();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

}  // namespace

const FpgaPart& PartCatalog::find(const std::string& name) const {
  for (const FpgaPart& p : parts)
    if (lower(p.name) == lower(name)) return p;
  std::string known;
  for (const FpgaPart& p : parts) known += (known.empty() ? "" : ", ") + p.name;
  throw ArchError(fmt::format("unknown FPGA part '{}' (known: {}, or 'all')", name, known));
}

PartCatalog read_part_catalog(const std::filesystem::path& file) {
  const nlohmann::json j = read_json_file(file, "parts file");
  const std::string where = file.string();
  if (!j.is_object() || j.value("format", nlohmann::json()) != "qflow-parts" || j.value("version", nlohmann::json()) != 1)
    throw ArchError(fmt::format("{}: not a qflow parts file (\"format\": \"qflow-parts\", \"version\": 1)", where));
  PartCatalog catalog;
  if (!j.contains("ceilings")) throw ArchError(fmt::format("{}: no 'ceilings'", where));
  catalog.ceilings = resources(j.at("ceilings"), where + " ceilings", true);
  for (double c : {catalog.ceilings.luts, catalog.ceilings.flip_flops, catalog.ceilings.bram36, catalog.ceilings.uram,
                   catalog.ceilings.dsps})
    if (c <= 0 || c > 1) throw ArchError(fmt::format("{} ceilings: each must be in (0, 1]", where));
  if (j.contains("ddr_ceiling")) {
    catalog.ddr_ceiling = number(j, "ddr_ceiling", where);
    if (catalog.ddr_ceiling <= 0 || catalog.ddr_ceiling > 1)
      throw ArchError(fmt::format("{}: ddr_ceiling must be in (0, 1]", where));
  }
  if (j.contains("soft_memory_controller"))
    catalog.soft_memory_controller = resources(j.at("soft_memory_controller"), where + " soft_memory_controller", false);
  if (!j.contains("parts") || !j.at("parts").is_array() || j.at("parts").empty())
    throw ArchError(fmt::format("{}: 'parts' must be a non-empty list", where));
  for (const nlohmann::json& p : j.at("parts")) {
    if (!p.is_object() || !p.contains("name") || !p.at("name").is_string() || p.at("name").get<std::string>().empty())
      throw ArchError(fmt::format("{}: every part needs a 'name'", where));
    FpgaPart part;
    part.name = p.at("name");
    const std::string at = fmt::format("{} part '{}'", where, part.name);
    part.device = text(p, "device", part.name, at);
    part.dsp_slice = text(p, "dsp_slice", "DSP48E2", at);
    if (part.dsp_slice != "DSP48E1" && part.dsp_slice != "DSP48E2")
      throw ArchError(fmt::format("{}: dsp_slice '{}' (expected DSP48E1 or DSP48E2)", at, part.dsp_slice));
    part.capacity = resources(p, at, true);
    if (part.capacity.luts <= 0 || part.capacity.flip_flops <= 0)
      throw ArchError(fmt::format("{}: luts and flip_flops must be positive", at));
    if (p.contains("hard_memory_controller")) {
      if (!p.at("hard_memory_controller").is_boolean())
        throw ArchError(fmt::format("{}: 'hard_memory_controller' must be true or false", at));
      part.hard_memory_controller = p.at("hard_memory_controller");
    }
    if (p.contains("ddr_gbps")) part.ddr_gbps = number(p, "ddr_gbps", at);
    part.ddr = text(p, "ddr", "", at);
    for (const FpgaPart& other : catalog.parts)
      if (lower(other.name) == lower(part.name)) throw ArchError(fmt::format("{}: listed twice", at));
    catalog.parts.push_back(part);
  }
  return catalog;
}

const PartCatalog& bundled_parts() {
  static const PartCatalog catalog = read_part_catalog(QFLOW_PARTS_FILE);
  return catalog;
}

}  // namespace qflow
