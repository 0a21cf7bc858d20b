// The classical baselines: exact on a synthetic translation, and on the real pairs in $QFLOW_DATA
// (the layout of shared/data/flow: <set>/<sample>/{img1,img2,flow.flo}) their EPE is printed.
#include <cmath>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "flow/baselines.hpp"
#include "flow/flo_io.hpp"
#include "flow/flow_metrics.hpp"
#include "flow/image_pair.hpp"
#include "gen/synthetic_pair.hpp"
#include "real_pairs.hpp"

namespace qflow {
namespace {

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

TEST(Baselines, EpeOnRealPairs) {
  const std::string root = test::real_pairs_root();
  if (root.empty()) GTEST_SKIP() << "QFLOW_DATA is not set to a folder of real pairs (e.g. ../shared/data/flow): skipped";
  const std::vector<test::RealPair> pairs = test::real_pairs(root);
  if (pairs.empty()) GTEST_SKIP() << root << " holds no <set>/<sample>/{img1,img2,flow.flo}";
  fmt::print("{:<36} {:>10} {:>10}\n", "sample", "DIS EPE", "Farneback");
  for (const test::RealPair& p : pairs) {
    const ImagePair pair = load_image_pair(p.img1, p.img2);
    const cv::Mat gt = read_flo(p.flow);
    ASSERT_EQ(gt.size(), pair.img1.size()) << p.name;
    const double dis = flow_metrics(gt, compute_baseline_flow(Baseline::Dis, pair)).epe;
    const double farneback = flow_metrics(gt, compute_baseline_flow(Baseline::Farneback, pair)).epe;
    fmt::print("{:<36} {:>10.3f} {:>10.3f}\n", p.name, dis, farneback);
    EXPECT_TRUE(std::isfinite(dis) && std::isfinite(farneback));
  }
}

}  // namespace
}  // namespace qflow
