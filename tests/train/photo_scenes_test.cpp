// The photos data source on a small library the test paints itself: exact flow (frame 2 warped back
// by it gives frame 1 where the surface stays visible), determinism, a disjoint split, and a clear
// error without a library.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "data/flow_dataset.hpp"
#include "data/photo_scenes.hpp"
#include "test_helpers.hpp"

namespace qflow::train {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Smooth random colour fields (bilinear interpolation then stays accurate), photo i being 400 + i
// pixels wide so that the split can be told apart by size; and two round cut-outs with alpha.
fs::path paint_library(const std::string& name, int photos) {
  const fs::path dir = test::temp_dir(name);
  fs::create_directories(dir / "backgrounds/painted");
  fs::create_directories(dir / "objects/stamps");
  cv::RNG rng(3);
  for (int i = 0; i < photos; ++i) {
    cv::Mat coarse(8, 8, CV_8UC3), photo;
    rng.fill(coarse, cv::RNG::UNIFORM, 0, 256);
    cv::resize(coarse, photo, cv::Size(400 + i, 300), 0, 0, cv::INTER_CUBIC);
    cv::imwrite((dir / "backgrounds/painted" / ("p" + std::to_string(i) + ".png")).string(), photo);
  }
  for (int i = 0; i < 2; ++i) {
    cv::Mat coarse(6, 6, CV_8UC3), rgb, stamp;
    rng.fill(coarse, cv::RNG::UNIFORM, 0, 256);
    cv::resize(coarse, rgb, cv::Size(120, 120), 0, 0, cv::INTER_CUBIC);
    cv::cvtColor(rgb, stamp, cv::COLOR_BGR2BGRA);
    cv::Mat alpha = cv::Mat::zeros(120, 120, CV_8U);
    cv::circle(alpha, {60, 60}, 50, cv::Scalar(255), cv::FILLED);
    cv::insertChannel(alpha, stamp, 3);
    cv::imwrite((dir / "objects/stamps" / ("s" + std::to_string(i) + ".png")).string(), stamp);
  }
  return dir;
}

TEST(Photos, Frame2WarpedBackByTheFlowGivesFrame1WhereTheSurfaceStaysVisible) {
  const PhotoLibrary library(paint_library("photos-warp", 24), false);
  PhotoSceneOptions o;
  o.height = 96;
  o.width = 128;
  o.photometric = false;  // brightness changes would (rightly) break brightness constancy
  for (uint64_t seed : {1, 2, 3, 4}) {
    const PhotoScene s = render_photo_scene(library, o, seed);
    cv::Mat map(s.flow.size(), CV_32FC2), warped;
    for (int y = 0; y < map.rows; ++y)
      for (int x = 0; x < map.cols; ++x) map.at<cv::Vec2f>(y, x) = s.flow.at<cv::Vec2f>(y, x) + cv::Vec2f(float(x), float(y));
    cv::remap(s.img2, warped, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::Mat diff;
    cv::absdiff(warped, s.img1, diff);
    ASSERT_GT(cv::countNonZero(s.visible), o.height * o.width / 4) << seed;
    const double visible_error = cv::mean(diff, s.visible)[0];
    EXPECT_LT(visible_error, 3.0) << "seed " << seed;
    // The check can fail: the flow of another scene does not warp this one.
    const PhotoScene other = render_photo_scene(library, o, seed + 100);
    cv::Mat wrong_map(s.flow.size(), CV_32FC2);
    for (int y = 0; y < map.rows; ++y)
      for (int x = 0; x < map.cols; ++x)
        wrong_map.at<cv::Vec2f>(y, x) = other.flow.at<cv::Vec2f>(y, x) + cv::Vec2f(float(x) + 3, float(y));
    cv::remap(s.img2, warped, wrong_map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::absdiff(warped, s.img1, diff);
    EXPECT_GT(cv::mean(diff, s.visible)[0], 2 * visible_error) << "seed " << seed;
  }
}

TEST(Photos, DeterministicPerSeedAndPhotometricChangesApply) {
  const PhotoLibrary library(paint_library("photos-seed", 10), false);
  PhotoSceneOptions o;
  const PhotoScene a = render_photo_scene(library, o, 7), b = render_photo_scene(library, o, 7);
  EXPECT_EQ(cv::norm(a.img1, b.img1, cv::NORM_INF), 0);
  EXPECT_EQ(cv::norm(a.flow, b.flow, cv::NORM_INF), 0);
  EXPECT_GT(cv::norm(a.img1, render_photo_scene(library, o, 8).img1, cv::NORM_L1), 0);
  o.photometric = false;
  EXPECT_GT(cv::norm(a.img1, render_photo_scene(library, o, 7).img1, cv::NORM_L1), 0);
  EXPECT_EQ(cv::norm(a.flow, render_photo_scene(library, o, 7).flow, cv::NORM_INF), 0);
}

TEST(Photos, TrainingAndValidationUseDisjointPhotographs) {
  const int n = 40;
  const fs::path dir = paint_library("photos-split", n);
  std::set<int> train_widths, val_widths;
  const PhotoLibrary train(dir, false), validation(dir, true);
  for (const cv::Mat& m : train.backgrounds()) train_widths.insert(m.cols);
  for (const cv::Mat& m : validation.backgrounds()) val_widths.insert(m.cols);
  EXPECT_EQ(int(train_widths.size() + val_widths.size()), n);
  for (int w : val_widths) EXPECT_EQ(train_widths.count(w), 0u) << w;
  EXPECT_GT(val_widths.size(), 0u);
  for (int i = 0; i < n; ++i)
    EXPECT_EQ(val_widths.count(400 + i) == 1,
              PhotoLibrary::in_validation("backgrounds/painted/p" + std::to_string(i) + ".png"));
}

TEST(Photos, AMissingLibraryNamesTheScriptThatBuildsIt) {
  EXPECT_THAT(test::error_of([] { PhotoLibrary(test::temp_dir("no-photos"), false); }),
              HasSubstr("scripts/fetch-photos.sh"));
  PhotoOptions o;
  o.library = test::temp_dir("no-photos-either");
  EXPECT_THAT(test::error_of([&] { make_photo_dataset(o); }), HasSubstr("scripts/fetch-photos.sh"));
}

TEST(Photos, TheDataSourceGivesTensorsAtTheNetworksSize) {
  PhotoOptions o;
  o.library = paint_library("photos-tensors", 12);
  o.height = 64;
  o.width = 128;
  const auto data = make_photo_dataset(o);
  const FlowSample s = data->get(3);
  EXPECT_EQ(s.img1.sizes(), (std::vector<int64_t>{3, 64, 128}));
  EXPECT_EQ(s.flow.sizes(), (std::vector<int64_t>{2, 64, 128}));
  EXPECT_LE(s.img1.max().item<float>(), 255.0f);
  EXPECT_TRUE(torch::equal(s.flow, data->get(3).flow));
}

}  // namespace
}  // namespace qflow::train
