// The classical baselines: exact on a synthetic translation, and on the real pairs in $QFLOW_DATA
// (the layout of shared/data/flow: <set>/<sample>/{img1,img2,flow.flo}) their EPE is printed.
#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "flow/baselines.hpp"
#include "flow/flo_io.hpp"
#include "flow/flow_metrics.hpp"
#include "gen/synthetic_pair.hpp"

namespace qflow {
namespace {
namespace fs = std::filesystem;

TEST(Baselines, RecoverASyntheticTranslation) {
  const SyntheticPair pair = make_synthetic_pair(128, 160, 4, 3.0f);
  for (Baseline method : {Baseline::Dis, Baseline::Farneback}) {
    const cv::Mat flow = compute_baseline_flow(method, pair.images);
    // Away from the borders a smooth textured translation is easy: well under half a pixel.
    const cv::Rect inner(16, 16, 128, 96);
    const FlowMetrics m = flow_metrics(pair.flow(inner), flow(inner));
    EXPECT_LT(m.epe, 0.5) << (method == Baseline::Dis ? "dis" : "farneback");
  }
  EXPECT_THROW(parse_baseline("lucas-kanade"), std::exception);
}

fs::path find_image(const fs::path& dir, const std::string& stem) {
  for (const char* ext : {".png", ".ppm"})
    if (fs::exists(dir / (stem + ext))) return dir / (stem + ext);
  return {};
}

TEST(Baselines, EpeOnRealPairs) {
  const char* root = std::getenv("QFLOW_DATA");
  if (!root || !fs::is_directory(root))
    GTEST_SKIP() << "QFLOW_DATA is not set to a folder of real pairs (e.g. ../shared/data/flow): skipped";
  int samples = 0;
  fmt::print("{:<36} {:>10} {:>10}\n", "sample", "DIS EPE", "Farneback");
  std::vector<fs::path> dirs;
  for (const fs::directory_entry& set : fs::directory_iterator(root))
    if (set.is_directory())
      for (const fs::directory_entry& sample : fs::directory_iterator(set.path())) dirs.push_back(sample.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& sample : dirs) {
    const fs::path img1 = find_image(sample, "img1"), img2 = find_image(sample, "img2");
    if (img1.empty() || img2.empty() || !fs::exists(sample / "flow.flo")) continue;
    const ImagePair pair = load_image_pair(img1, img2);
    const cv::Mat gt = read_flo(sample / "flow.flo");
    ASSERT_EQ(gt.size(), pair.img1.size()) << sample;
    const double dis = flow_metrics(gt, compute_baseline_flow(Baseline::Dis, pair)).epe;
    const double farneback = flow_metrics(gt, compute_baseline_flow(Baseline::Farneback, pair)).epe;
    fmt::print("{:<36} {:>10.3f} {:>10.3f}\n", sample.parent_path().filename().string() + "/" + sample.filename().string(),
               dis, farneback);
    EXPECT_TRUE(std::isfinite(dis) && std::isfinite(farneback));
    ++samples;
  }
  if (samples == 0) GTEST_SKIP() << root << " holds no <set>/<sample>/{img1,img2,flow.flo}";
}

}  // namespace
}  // namespace qflow
