// The real pairs of $QFLOW_DATA (the layout of ../shared/data/flow: <set>/<sample>/{img1,img2}.{png,ppm}
// and flow.flo), sorted; empty when the variable is unset.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace qflow::test {

struct RealPair {
  std::string name;  // <set>/<sample>
  std::filesystem::path img1, img2, flow;
};

inline std::filesystem::path image_in(const std::filesystem::path& dir, const std::string& stem) {
  for (const char* ext : {".png", ".ppm"})
    if (std::filesystem::exists(dir / (stem + ext))) return dir / (stem + ext);
  return {};
}

inline std::vector<RealPair> real_pairs(const std::filesystem::path& root) {
  std::vector<RealPair> pairs;
  for (const auto& set : std::filesystem::directory_iterator(root))
    if (set.is_directory())
      for (const auto& sample : std::filesystem::directory_iterator(set.path())) {
        const RealPair p{set.path().filename().string() + "/" + sample.path().filename().string(),
                         image_in(sample.path(), "img1"), image_in(sample.path(), "img2"), sample.path() / "flow.flo"};
        if (!p.img1.empty() && !p.img2.empty() && std::filesystem::exists(p.flow)) pairs.push_back(p);
      }
  std::sort(pairs.begin(), pairs.end(), [](const RealPair& a, const RealPair& b) { return a.name < b.name; });
  return pairs;
}

// $QFLOW_DATA, or "" when it is not a folder.
inline std::string real_pairs_root() {
  const char* root = std::getenv("QFLOW_DATA");
  return root && std::filesystem::is_directory(root) ? root : "";
}

}  // namespace qflow::test
