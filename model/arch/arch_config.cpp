#include "arch_config.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <type_traits>

#include <fmt/format.h>

#include "model_error.hpp"

namespace qflow {
namespace {

constexpr const char* kFormat = "qflow-arch";
constexpr int kVersion = 1;

// A field of the expected JSON type and range, or `fallback` when absent. Found by fuzz_arch_json:
// nlohmann's get<T>() converts between number types silently (1.5 -> 1, 1e20 -> undefined) and
// throws its own exception for a string where a number belongs.
template <class T>
T field(const nlohmann::json& j, const char* key, T fallback, const std::string& where) {
  if (!j.contains(key)) return fallback;
  const nlohmann::json& v = j.at(key);
  const auto wrong = [&](const char* expected) {
    return ArchError(fmt::format("{}: '{}' must be {}, got {}", where, key, expected, v.dump()));
  };
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) throw wrong("true or false");
    return v.get<bool>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) throw wrong("a string");
    return v.get<std::string>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_integer()) throw wrong("an integer");
    if (v.is_number_unsigned() ? v.get<uint64_t>() > uint64_t(std::numeric_limits<T>::max())
                               : v.get<int64_t>() < int64_t(std::numeric_limits<T>::min()) ||
                                     v.get<int64_t>() > int64_t(std::numeric_limits<T>::max()))
      throw wrong("an integer in range");
    return T(v.get<int64_t>());
  } else {
    if (!v.is_number() || !std::isfinite(v.get<double>())) throw wrong("a finite number");
    return v.get<T>();
  }
}

void require(bool ok, const std::string& message) {
  if (!ok) throw ArchError(message);
}

// A misspelt key would otherwise fall back to its default without a word.
void only_keys(const nlohmann::json& j, std::initializer_list<const char*> known, const std::string& where) {
  require(j.is_object(), fmt::format("{}: expected an object", where));
  for (const auto& [key, value] : j.items()) {
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    std::string list;
    for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    require(ok, fmt::format("{}: unknown key '{}' (known: {})", where, key, list));
  }
}

ArchConfig arch_from_json(const nlohmann::json& j, const std::string& where) {
  require(j.is_object() && j.contains("format") && j.at("format") == kFormat,
          fmt::format("{}: not a qflow architecture config (\"format\": \"{}\" expected)", where, kFormat));
  require(j.contains("version") && j.at("version") == kVersion,
          fmt::format("{}: unsupported version (expected {})", where, kVersion));
  only_keys(j, {"format", "version", "clock_mhz", "quantum_ns", "fifo_depth_rows", "skip_buffers", "dsp_packing", "dram",
                "layers", "fifos"},
            where);
  ArchConfig c;
  c.clock_mhz = field(j, "clock_mhz", c.clock_mhz, where);
  c.quantum_ns = field(j, "quantum_ns", c.quantum_ns, where);
  c.fifo_depth_rows = field(j, "fifo_depth_rows", c.fifo_depth_rows, where);
  const std::string skips = field<std::string>(j, "skip_buffers", "onchip", where);
  require(skips == "onchip" || skips == "dram",
          fmt::format("{}: skip_buffers is '{}' (expected \"onchip\" or \"dram\")", where, skips));
  c.skips = skips == "dram" ? SkipPlacement::Dram : SkipPlacement::OnChip;
  c.dsp_packing = field(j, "dsp_packing", c.dsp_packing, where);
  if (j.contains("dram")) {
    const nlohmann::json& d = j.at("dram");
    only_keys(d, {"latency_ns", "bandwidth_gbps", "efficiency", "burst_bytes", "size_mib"}, where + " dram");
    c.dram.latency_ns = field(d, "latency_ns", c.dram.latency_ns, where + " dram");
    c.dram.bandwidth_gbps = field(d, "bandwidth_gbps", c.dram.bandwidth_gbps, where + " dram");
    c.dram.efficiency = field(d, "efficiency", c.dram.efficiency, where + " dram");
    c.dram.burst_bytes = field(d, "burst_bytes", c.dram.burst_bytes, where + " dram");
    c.dram.size_mib = field(d, "size_mib", c.dram.size_mib, where + " dram");
  }
  require(c.clock_mhz > 0 && c.clock_mhz <= 2000, fmt::format("{}: clock_mhz {} is out of (0, 2000]", where, c.clock_mhz));
  require(c.quantum_ns > 0, fmt::format("{}: quantum_ns must be positive", where));
  require(c.fifo_depth_rows >= 1, fmt::format("{}: fifo_depth_rows must be at least 1", where));
  require(c.dram.latency_ns >= 0 && c.dram.bandwidth_gbps > 0 && c.dram.size_mib > 0,
          fmt::format("{}: dram latency must be >= 0, bandwidth and size positive", where));
  require(c.dram.efficiency > 0 && c.dram.efficiency <= 1,
          fmt::format("{}: dram efficiency {} is out of (0, 1]", where, c.dram.efficiency));
  require(c.dram.burst_bytes >= 1 && c.dram.burst_bytes <= 4096 && (c.dram.burst_bytes & (c.dram.burst_bytes - 1)) == 0,
          fmt::format("{}: dram burst_bytes {} must be a power of two from 1 to 4096", where, c.dram.burst_bytes));
  const nlohmann::json fifos = j.value("fifos", nlohmann::json::object());
  require(fifos.is_object(), fmt::format("{}: 'fifos' must be an object of depths in rows keyed by channel name", where));
  for (const auto& [name, depth] : fifos.items()) {
    const std::string at = fmt::format("{} fifos", where);
    c.fifo_depths[name] = field(fifos, name.c_str(), 0, at);
    require(c.fifo_depths[name] >= 1, fmt::format("{}: '{}' must be at least 1 row", at, name));
  }
  const nlohmann::json layers = j.value("layers", nlohmann::json::object());
  require(layers.is_object(), fmt::format("{}: 'layers' must be an object keyed by layer name", where));
  for (const auto& [name, l] : layers.items()) {
    const std::string at = fmt::format("{} layer '{}'", where, name);
    only_keys(l, {"pe", "simd", "cosim", "fifo_depth_rows", "multipliers", "weights", "band_rows", "rom_protection",
                  "line_buffer_protection"}, at);
    ConvArch a;
    a.pe = field(l, "pe", 0, at);
    a.simd = field(l, "simd", 0, at);
    a.cosim = field(l, "cosim", false, at);
    a.fifo_depth_rows = field(l, "fifo_depth_rows", 0, at);
    const std::string multipliers = field<std::string>(l, "multipliers", "dsp", at);
    require(multipliers == "dsp" || multipliers == "lut",
            fmt::format("{}: multipliers is '{}' (expected \"dsp\" or \"lut\")", at, multipliers));
    a.multipliers = multipliers == "lut" ? MultiplierImpl::Lut : MultiplierImpl::Dsp;
    const std::string weights = field<std::string>(l, "weights", "rom", at);
    require(weights == "rom" || weights == "ddr",
            fmt::format("{}: weights is '{}' (expected \"rom\" or \"ddr\")", at, weights));
    a.weights = weights == "ddr" ? WeightPlacement::Ddr : WeightPlacement::Rom;
    require(a.weights == WeightPlacement::Ddr || !l.contains("band_rows"),
            fmt::format("{}: band_rows applies to weights on \"ddr\", not in a ROM", at));
    a.band_rows = field(l, "band_rows", a.band_rows, at);
    require(a.band_rows >= 1, fmt::format("{}: band_rows {} must be at least 1", at, a.band_rows));
    const auto protection = [&](const char* key) {
      const std::string given = field<std::string>(l, key, "none", at);
      const std::optional<WordProtection> p = protection_named(given);
      require(p.has_value(), fmt::format("{}: {} is '{}' (expected \"none\", \"parity\" or \"secded\")", at, key, given));
      return *p;
    };
    a.rom_protection = protection("rom_protection");
    a.line_buffer_protection = protection("line_buffer_protection");
    require(a.pe >= 1 && a.simd >= 1, fmt::format("{}: pe and simd must be at least 1", at));
    require(a.fifo_depth_rows >= 0, fmt::format("{}: fifo_depth_rows must be at least 1 (or 0: the default)", at));
    c.convs[name] = a;
  }
  return c;
}

}  // namespace

nlohmann::json arch_to_json(const ArchConfig& c) {
  nlohmann::json layers = nlohmann::json::object();
  for (const auto& [name, a] : c.convs) {
    layers[name] = {{"pe", a.pe}, {"simd", a.simd}, {"cosim", a.cosim},
                    {"multipliers", a.multipliers == MultiplierImpl::Lut ? "lut" : "dsp"}};
    if (a.fifo_depth_rows > 0) layers[name]["fifo_depth_rows"] = a.fifo_depth_rows;
    if (a.rom_protection != WordProtection::None) layers[name]["rom_protection"] = protection_name(a.rom_protection);
    if (a.line_buffer_protection != WordProtection::None)
      layers[name]["line_buffer_protection"] = protection_name(a.line_buffer_protection);
    if (a.weights == WeightPlacement::Ddr) {
      layers[name]["weights"] = "ddr";
      layers[name]["band_rows"] = a.band_rows;
    }
  }
  return {{"format", kFormat},
          {"version", kVersion},
          {"clock_mhz", c.clock_mhz},
          {"quantum_ns", c.quantum_ns},
          {"fifo_depth_rows", c.fifo_depth_rows},
          {"skip_buffers", c.skips == SkipPlacement::Dram ? "dram" : "onchip"},
          {"dsp_packing", c.dsp_packing},
          {"dram", {{"latency_ns", c.dram.latency_ns}, {"bandwidth_gbps", c.dram.bandwidth_gbps},
                    {"efficiency", c.dram.efficiency}, {"burst_bytes", c.dram.burst_bytes}, {"size_mib", c.dram.size_mib}}},
          {"layers", layers},
          {"fifos", c.fifo_depths}};
}

nlohmann::json read_json_file(const std::filesystem::path& file, const char* what) {
  std::ifstream in(file);
  if (!in) throw ArchError(fmt::format("{}: missing or unreadable {}", file.string(), what));
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw ArchError(fmt::format("{}: not valid JSON ({})", file.string(), e.what()));
  }
  return j;
}

ArchConfig read_arch_config(const std::filesystem::path& file) {
  return arch_from_json(read_json_file(file, "architecture config"), file.string());
}

void write_arch_config(const std::filesystem::path& file, const ArchConfig& config) {
  std::ofstream out(file);
  out << arch_to_json(config).dump(2) << "\n";
  if (!out) throw ArchError(fmt::format("{}: cannot write", file.string()));
}

void check_arch_matches(const ArchConfig& config, const Package& package) {
  std::set<std::string> convs;
  for (const Layer& layer : package.layers) {
    if (!layer.is_conv()) continue;
    convs.insert(layer.name);
    const auto it = config.convs.find(layer.name);
    if (it == config.convs.end())
      throw ArchError(fmt::format("architecture config has no folding for conv layer '{}' of package '{}'",
                                  layer.name, package.name));
    if (it->second.pe > layer.cout)
      throw ArchError(fmt::format("layer '{}': pe {} exceeds its {} output channels", layer.name, it->second.pe,
                                  layer.cout));
    if (it->second.simd > layer.cin * layer.kernel * layer.kernel)
      throw ArchError(fmt::format("layer '{}': simd {} exceeds its {} inputs per output (k*k*cin)", layer.name,
                                  it->second.simd, layer.cin * layer.kernel * layer.kernel));
  }
  for (const auto& [name, a] : config.convs)
    if (!convs.count(name))
      throw ArchError(fmt::format("architecture config names layer '{}', which is not a conv layer of package '{}'",
                                  name, package.name));
}

bool cosimulates(const ArchConfig& config) {
  return std::any_of(config.convs.begin(), config.convs.end(), [](const auto& conv) { return conv.second.cosim; });
}

void select_cosim(ArchConfig& config, const Package& package, const std::string& layers) {
  if (layers.empty()) return;
  if (layers == "all") {
    for (auto& [name, a] : config.convs) a.cosim = true;
    return;
  }
  std::stringstream list(layers);
  for (std::string name; std::getline(list, name, ',');) {
    const auto it = config.convs.find(name);
    if (it == config.convs.end()) {
      std::string known;
      for (const Layer& l : package.layers)
        if (l.is_conv()) known += (known.empty() ? "" : ", ") + l.name;
      throw ArchError(fmt::format("--cosim: '{}' is not a conv layer (conv layers: {}, or 'all')", name, known));
    }
    it->second.cosim = true;
  }
}

}  // namespace qflow
