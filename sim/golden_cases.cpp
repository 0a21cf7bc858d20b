#include "golden_cases.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "errors.hpp"

namespace qflow::sim {
namespace fs = std::filesystem;

bool is_package_dir(const fs::path& dir) { return fs::is_regular_file(dir / "network.json"); }

std::vector<fs::path> golden_cases(const fs::path& package_dir) {
  std::vector<fs::path> cases;
  if (fs::is_directory(package_dir / "golden"))
    for (const fs::directory_entry& e : fs::directory_iterator(package_dir / "golden"))
      if (e.is_directory()) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  return cases;
}

fs::path resolve_dump_dir(const fs::path& dir) {
  if (!is_package_dir(dir)) return dir;
  const std::vector<fs::path> cases = golden_cases(dir);
  if (cases.size() == 1) return cases[0];
  std::string names;
  for (const fs::path& c : cases) names += " " + c.filename().string();
  throw PackageError(fmt::format("{}: the package has {} golden cases ({}); name one as {}/golden/<case>",
                                 dir.string(), cases.size(), names.empty() ? " none" : names, dir.string()));
}

std::optional<fs::path> owning_package(const fs::path& dir) {
  if (is_package_dir(dir)) return dir;
  const fs::path parent = fs::absolute(dir).lexically_normal().parent_path();
  if (parent.filename() == "golden" && is_package_dir(parent.parent_path())) return parent.parent_path();
  return std::nullopt;
}

}  // namespace qflow::sim
