// Finding a package's golden cases and the package a layer dump belongs to.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

namespace qflow::sim {

bool is_package_dir(const std::filesystem::path& dir);
// golden/<case>/ folders of a package, sorted by name.
std::vector<std::filesystem::path> golden_cases(const std::filesystem::path& package_dir);
// A dump folder as given, or a package's only golden case; throws when a package has several.
std::filesystem::path resolve_dump_dir(const std::filesystem::path& dir);
// The package a dump folder belongs to: the folder itself, or PKG for PKG/golden/<case>.
std::optional<std::filesystem::path> owning_package(const std::filesystem::path& dir);

}  // namespace qflow::sim
