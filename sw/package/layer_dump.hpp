// A layer dump: a folder of <layer>.npy files, one per layer (DESIGN section 3). The golden case
// of a package and every tool's --dump-layers use this form, so any two can be compared.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "npy.hpp"
#include "package.hpp"

namespace qflow {

void write_layer_dump(const std::filesystem::path& dir, const Package& package,
                      const std::vector<CodeMap>& codes);

// Every <name>.npy in the folder, by layer name. Throws PackageError when the folder is missing.
std::map<std::string, CodeMap> read_layer_dump(const std::filesystem::path& dir);

}  // namespace qflow
