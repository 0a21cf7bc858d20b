#include "package.hpp"

#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "errors.hpp"
#include "layer_limits.hpp"
#include "network_shapes.hpp"
#include "rom_hex.hpp"

namespace qflow {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct OpName {
  LayerOp op;
  const char* name;
};
constexpr OpName kOpNames[] = {{LayerOp::Conv, "conv"},
                               {LayerOp::FlowHead, "flow_head"},
                               {LayerOp::Upsample2x, "upsample2x"},
                               {LayerOp::Concat, "concat"}};

// Field access on network.json with messages that say where the problem is.
class JsonReader {
 public:
  explicit JsonReader(std::string where) : where_(std::move(where)) {}

  const json& field(const json& obj, const char* key) const {
    if (!obj.is_object() || !obj.contains(key)) fail(fmt::format("field '{}' is missing", key));
    return obj.at(key);
  }
  int integer(const json& obj, const char* key) const {
    const json& v = field(obj, key);
    if (!v.is_number_integer() || v.get<int64_t>() != v.get<int>())
      fail(fmt::format("field '{}' must be an integer, got {}", key, v.dump()));
    return v.get<int>();
  }
  double number(const json& obj, const char* key) const {
    const json& v = field(obj, key);
    if (!v.is_number() || !std::isfinite(v.get<double>()))
      fail(fmt::format("field '{}' must be a finite number, got {}", key, v.dump()));
    return v.get<double>();
  }
  std::string string(const json& obj, const char* key) const {
    const json& v = field(obj, key);
    if (!v.is_string()) fail(fmt::format("field '{}' must be a string, got {}", key, v.dump()));
    return v.get<std::string>();
  }
  std::vector<int64_t> integers(const json& obj, const char* key) const {
    const json& v = field(obj, key);
    if (!v.is_array()) fail(fmt::format("field '{}' must be an array of integers", key));
    std::vector<int64_t> out;
    for (const json& e : v) {
      if (!e.is_number_integer())
        fail(fmt::format("field '{}' holds {}, not an integer", key, e.dump()));
      out.push_back(e.get<int64_t>());
    }
    return out;
  }
  [[noreturn]] void fail(const std::string& problem) const {
    throw PackageError(fmt::format("{}: {}", where_, problem));
  }

 private:
  std::string where_;
};

// A package names its ROM images; reading or writing one must never touch a file outside it.
bool rom_path_inside_package(const std::string& rom) {
  const fs::path path(rom);
  if (rom.empty() || path.is_absolute() || path.has_root_name()) return false;
  for (const fs::path& part : path)
    if (part == "..") return false;
  return true;
}

LayerOp parse_op(const JsonReader& r, const std::string& op) {
  for (const OpName& o : kOpNames)
    if (op == o.name) return o.op;
  r.fail(fmt::format("unknown op '{}' (conv, flow_head, upsample2x, concat)", op));
}

Layer parse_layer(const json& j, size_t index) {
  const std::string file = "network.json";
  JsonReader r(fmt::format("{}: layers[{}]", file, index));
  Layer layer;
  layer.name = r.string(j, "name");
  r = JsonReader(fmt::format("{}: layer '{}'", file, layer.name));
  layer.op = parse_op(r, r.string(j, "op"));
  const json& inputs = r.field(j, "inputs");
  if (!inputs.is_array()) r.fail("field 'inputs' must be an array of layer names");
  for (const json& in : inputs) {
    if (!in.is_string()) r.fail(fmt::format("inputs holds {}, not a layer name", in.dump()));
    layer.inputs.push_back(in.get<std::string>());
  }
  if (!layer.is_conv()) return layer;
  layer.kernel = r.integer(j, "kernel");
  layer.stride = r.integer(j, "stride");
  layer.pad = r.integer(j, "pad");
  layer.cin = r.integer(j, "cin");
  layer.cout = r.integer(j, "cout");
  layer.in_bits = r.integer(j, "in_bits");
  layer.in_frac = r.integer(j, "in_frac");
  layer.w_bits = r.integer(j, "w_bits");
  layer.out_bits = r.integer(j, "out_bits");
  layer.shift = r.integer(j, "shift");
  layer.mult = r.integers(j, "mult");
  layer.bias = r.integers(j, "bias");
  layer.rom = r.string(j, "rom");
  if (!rom_path_inside_package(layer.rom))
    r.fail(fmt::format("rom '{}' must be a relative path inside the package (no '..', not absolute)", layer.rom));
  if (const std::string problem = layer_limit_problem(layer); !problem.empty()) r.fail(problem);
  return layer;
}

json layer_to_json(const Layer& layer) {
  json j = {{"name", layer.name}, {"op", to_string(layer.op)}, {"inputs", layer.inputs}};
  if (!layer.is_conv()) return j;
  j.update({{"kernel", layer.kernel}, {"stride", layer.stride}, {"pad", layer.pad},
            {"cin", layer.cin}, {"cout", layer.cout}, {"in_bits", layer.in_bits},
            {"in_frac", layer.in_frac}, {"w_bits", layer.w_bits}, {"out_bits", layer.out_bits},
            {"shift", layer.shift}, {"mult", layer.mult}, {"bias", layer.bias}, {"rom", layer.rom}});
  return j;
}

void check_weights(const Layer& layer) {
  if (int64_t(layer.weights.size()) != layer.weight_count())
    throw PackageError(fmt::format("layer '{}': {} weights, (cout, cin, k, k) needs {}", layer.name,
                                   layer.weights.size(), layer.weight_count()));
  const int lo = -(1 << (layer.w_bits - 1)), hi = (1 << (layer.w_bits - 1)) - 1;
  for (int8_t w : layer.weights)
    if (w < lo || w > hi)
      throw PackageError(fmt::format("layer '{}': weight code {} is outside the {}-bit range", layer.name,
                                     int(w), layer.w_bits));
}

}  // namespace

const char* to_string(LayerOp op) {
  for (const OpName& o : kOpNames)
    if (o.op == op) return o.name;
  return "?";
}

const Layer& Package::layer(const std::string& layer_name) const {
  for (const Layer& l : layers)
    if (l.name == layer_name) return l;
  throw PackageError(fmt::format("package '{}' has no layer '{}'", name, layer_name));
}

void validate_package(const Package& package) {
  if (!(package.div_flow > 0) || !std::isfinite(package.div_flow))
    throw PackageError(fmt::format("network.json: div_flow = {} must be positive", package.div_flow));
  if (!(package.weight_range > 0) || !std::isfinite(package.weight_range))
    throw PackageError(fmt::format("network.json: weight_range = {} must be positive", package.weight_range));
  if (package.flow_frac_bits < 0 || package.flow_frac_bits > 12)
    throw PackageError(fmt::format("network.json: flow_frac_bits = {} is out of range [0, 12]",
                                   package.flow_frac_bits));
  infer_shapes(package);
  for (const Layer& layer : package.layers) {
    if (!layer.is_conv()) continue;
    if (!rom_path_inside_package(layer.rom))
      throw PackageError(fmt::format("layer '{}': rom '{}' must be a relative path inside the package",
                                     layer.name, layer.rom));
    check_weights(layer);
  }
}

json package_to_json(const Package& package) {
  json layers = json::array();
  for (const Layer& layer : package.layers) layers.push_back(layer_to_json(layer));
  return {{"format", "qflow-package"},
          {"version", kPackageVersion},
          {"name", package.name},
          {"input", {{"height", package.height}, {"width", package.width}, {"channels", kInputChannels}}},
          {"div_flow", package.div_flow},
          {"flow_frac_bits", package.flow_frac_bits},
          {"weight_range", package.weight_range},
          {"layers", layers},
          {"provenance", package.provenance}};
}

Package read_package(const fs::path& dir) {
  const fs::path file = dir / "network.json";
  std::ifstream in(file);
  if (!in)
    throw PackageError(fmt::format("{}: missing or unreadable: is '{}' a model package?", file.string(),
                                   dir.string()));
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {  // syntax errors, and numbers like 1e999 that overflow
    throw PackageError(fmt::format("{}: not valid JSON: {}", file.string(), e.what()));
  }
  JsonReader r(file.string());
  if (!j.is_object() || r.string(j, "format") != "qflow-package")
    r.fail("unknown format: expected \"format\": \"qflow-package\"");
  if (const int version = r.integer(j, "version"); version != kPackageVersion)
    r.fail(fmt::format("version {} is not supported (this qflow reads version {})", version,
                       kPackageVersion));
  Package p;
  p.name = r.string(j, "name");
  const json& input = r.field(j, "input");
  p.height = r.integer(input, "height");
  p.width = r.integer(input, "width");
  // Sizes are checked before anything is allocated from them.
  if (p.height < 1 || p.width < 1 || p.height > kMaxInputSide || p.width > kMaxInputSide)
    r.fail(fmt::format("input {}x{} (HxW) is outside 1..{} per side", p.height, p.width, kMaxInputSide));
  if (const int channels = r.integer(input, "channels"); channels != kInputChannels)
    r.fail(fmt::format("input channels = {}, the network takes {} (two RGB images)", channels,
                       kInputChannels));
  p.div_flow = r.number(j, "div_flow");
  p.flow_frac_bits = r.integer(j, "flow_frac_bits");
  p.weight_range = r.number(j, "weight_range");
  if (j.contains("provenance")) p.provenance = j["provenance"];
  const json& layers = r.field(j, "layers");
  if (!layers.is_array()) r.fail("field 'layers' must be an array");
  for (size_t i = 0; i < layers.size(); ++i) p.layers.push_back(parse_layer(layers[i], i));
  try {
    infer_shapes(p);
  } catch (const PackageError& e) {
    throw PackageError(fmt::format("{} ({})", e.what(), dir.string()));
  }
  for (Layer& layer : p.layers) {
    if (!layer.is_conv()) continue;
    const fs::path rom = dir / layer.rom;
    try {
      layer.weights = read_rom_hex(rom, layer.weight_count(), layer.w_bits);
    } catch (const PackageError& e) {
      throw PackageError(fmt::format("layer '{}': {}", layer.name, e.what()));
    }
  }
  validate_package(p);
  return p;
}

void write_package(const Package& package, const fs::path& dir) {
  validate_package(package);
  fs::create_directories(dir / "rom");
  for (const Layer& layer : package.layers)
    if (layer.is_conv()) write_rom_hex(dir / layer.rom, layer.weights, layer.w_bits);
  std::ofstream out(dir / "network.json");
  if (!out) throw PackageError(fmt::format("{}: cannot open for writing", (dir / "network.json").string()));
  out << package_to_json(package).dump(1) << '\n';
}

}  // namespace qflow
