#include "layer_dump.hpp"

#include <fmt/format.h>

#include "errors.hpp"

namespace qflow {
namespace fs = std::filesystem;

void write_layer_dump(const fs::path& dir, const Package& package, const std::vector<CodeMap>& codes) {
  if (codes.size() != package.layers.size())
    throw PackageError(fmt::format("layer dump: {} maps for {} layers", codes.size(), package.layers.size()));
  fs::create_directories(dir);
  for (size_t i = 0; i < codes.size(); ++i) write_npy(dir / (package.layers[i].name + ".npy"), codes[i]);
}

std::map<std::string, CodeMap> read_layer_dump(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw PackageError(fmt::format("{}: no such layer dump folder", dir.string()));
  std::map<std::string, CodeMap> maps;
  for (const fs::directory_entry& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".npy")
      maps.emplace(e.path().stem().string(), read_npy(e.path()));
  if (maps.empty()) throw PackageError(fmt::format("{}: holds no <layer>.npy files", dir.string()));
  return maps;
}

}  // namespace qflow
