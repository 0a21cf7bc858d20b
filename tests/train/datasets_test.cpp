// The data: synthetic samples with exact ground truth, and each real loader on small files it
// writes in the real formats; malformed files and bad paths get clear errors.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/flow_dataset.hpp"
#include "export/integer_export.hpp"
#include "flow/image_pair.hpp"
#include "test_helpers.hpp"

namespace qflow::train {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using test::error_of;

torch::Tensor random_image(int h, int w) { return torch::randint(0, 256, {3, h, w}).to(torch::kFloat32); }

void write_png(const fs::path& file, const torch::Tensor& rgb) { save_rgb(file, to_rgb_mat(rgb)); }

TEST(Synthetic, DeterministicAndTheFlowWarpsFrame2OntoFrame1) {
  SyntheticOptions o;
  o.height = o.width = 64;
  o.objects = 0;  // background only: its motion is a global affine map
  const auto data = make_synthetic_dataset(o);
  const FlowSample a = data->get(5), b = data->get(5);
  EXPECT_TRUE(torch::equal(a.img1, b.img1));
  EXPECT_TRUE(torch::equal(a.flow, b.flow));
  EXPECT_FALSE(torch::equal(a.img1, data->get(6).img1));
  // Backward-warping frame 2 by the flow must give back frame 1 (up to interpolation).
  namespace F = torch::nn::functional;
  const torch::Tensor xs = torch::arange(64).view({1, 64}).expand({64, 64}) + a.flow[0];
  const torch::Tensor ys = torch::arange(64).view({64, 1}).expand({64, 64}) + a.flow[1];
  const torch::Tensor grid = torch::stack({(2 * xs + 1) / 64 - 1, (2 * ys + 1) / 64 - 1}, -1).unsqueeze(0);
  const torch::Tensor warped = F::grid_sample(a.img2.unsqueeze(0), grid, F::GridSampleFuncOptions().align_corners(false))[0];
  const torch::Tensor inner = (warped - a.img1).abs().slice(1, 8, 56).slice(2, 8, 56);
  EXPECT_LT(inner.mean().item<double>(), 6.0);  // vs ~80 for unrelated textures
  EXPECT_GT(a.flow.abs().max().item<double>(), 0.1);
}

TEST(Synthetic, ValidationNeverRepeatsTraining) {
  SyntheticOptions o;
  o.height = o.width = 64;
  const auto train = make_synthetic_dataset(o);
  o.validation = true;
  const auto val = make_synthetic_dataset(o);
  EXPECT_FALSE(torch::equal(train->get(0).img1, val->get(0).img1));
}

TEST(Loaders, FlyingChairsFromPpmFloAndSplitFile) {
  const fs::path root = test::temp_dir("train-chairs");
  fs::create_directories(root / "data");
  std::ofstream(root / "FlyingChairs_train_val.txt") << "1\n2\n1\n";
  for (int i = 1; i <= 3; ++i) {
    const std::string stem = "0000" + std::to_string(i);
    write_ppm(root / "data" / (stem + "_img1.ppm"), random_image(12, 16));
    write_ppm(root / "data" / (stem + "_img2.ppm"), random_image(12, 16));
    write_flo(root / "data" / (stem + "_flow.flo"), torch::full({2, 12, 16}, float(i)));
  }
  const auto train = make_flying_chairs(root, false), val = make_flying_chairs(root, true);
  EXPECT_EQ(train->size(), 2u);
  EXPECT_EQ(val->size(), 1u);
  EXPECT_EQ(val->get(0).flow[0][0][0].item<float>(), 2.0f);  // sample 2 is the validation one
  EXPECT_EQ(train->get(1).img1.sizes(), (std::vector<int64_t>{3, 12, 16}));
  std::ofstream(root / "FlyingChairs_train_val.txt") << "1\n3\n";
  EXPECT_THAT(error_of([&] { make_flying_chairs(root, false); }), HasSubstr(":2: split value 3"));
}

TEST(Loaders, SintelTrainingLayout) {
  const fs::path root = test::temp_dir("train-sintel");
  for (const char* scene : {"alley_1", "bamboo_2"}) {
    fs::create_directories(root / "training" / "clean" / scene);
    fs::create_directories(root / "training" / "flow" / scene);
    for (int f = 1; f <= 3; ++f) {
      const std::string name = "frame_000" + std::to_string(f);
      write_png(root / "training" / "clean" / scene / (name + ".png"), random_image(8, 10));
      if (f < 3) write_flo(root / "training" / "flow" / scene / (name + ".flo"), torch::zeros({2, 8, 10}));
    }
  }
  const auto data = make_sintel(root, "clean");
  EXPECT_EQ(data->size(), 4u);  // two pairs per scene
  EXPECT_EQ(data->get(3).img2.sizes(), (std::vector<int64_t>{3, 8, 10}));
  EXPECT_THAT(error_of([&] { make_sintel(root, "final"); }), HasSubstr("no such folder"));
}

TEST(Loaders, MiddleburyMasksUnknownFlow) {
  const fs::path root = test::temp_dir("train-middlebury");
  fs::create_directories(root / "other-data" / "Venus");
  fs::create_directories(root / "other-gt-flow" / "Venus");
  write_png(root / "other-data" / "Venus" / "frame10.png", random_image(6, 7));
  write_png(root / "other-data" / "Venus" / "frame11.png", random_image(6, 7));
  torch::Tensor flow = torch::ones({2, 6, 7});
  flow[0][2][3] = 1e10;
  write_flo(root / "other-gt-flow" / "Venus" / "flow10.flo", flow);
  const FlowSample s = make_middlebury(root)->get(0);
  EXPECT_EQ(s.valid.sum().item<float>(), 41.0f);
  EXPECT_EQ(s.flow[0][2][3].item<float>(), 0.0f);
}

TEST(Resize, TheWholeFrameResizedScalesTheFlowAndKeepsUnknownPixelsOut) {
  FlowSample s{random_image(64, 96), random_image(64, 96), torch::ones({2, 64, 96}), torch::ones({1, 64, 96})};
  s.flow[0] *= 4;  // (4, 1) px everywhere
  s.valid.slice(1, 0, 8).zero_();  // the top rows have no ground truth
  const FlowSample r = resize_sample(s, 32, 48);
  EXPECT_EQ(r.img1.sizes(), (std::vector<int64_t>{3, 32, 48}));
  EXPECT_TRUE(torch::allclose(r.flow.slice(1, 8, 32)[0], torch::full({24, 48}, 2.0f)));
  EXPECT_TRUE(torch::allclose(r.flow.slice(1, 8, 32)[1], torch::full({24, 48}, 0.5f)));
  EXPECT_EQ(r.valid.slice(1, 0, 4).sum().item<float>(), 0.0f);
  EXPECT_EQ(r.valid.slice(1, 5, 32).min().item<float>(), 1.0f);
  EXPECT_EQ(r.img1.max().item<float>(), std::round(r.img1.max().item<float>()));  // still integer pixels
}

TEST(Augment, FlipsFlipTheFlowSign) {
  FlowSample s{random_image(8, 8), random_image(8, 8), torch::stack({torch::full({8, 8}, 2.0), torch::full({8, 8}, 3.0)}),
               torch::ones({1, 8, 8})};
  std::set<std::pair<float, float>> seen;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    std::mt19937_64 rng(seed);
    const FlowSample a = augment(s, 6, 5, rng);
    EXPECT_EQ(a.img1.sizes(), (std::vector<int64_t>{3, 6, 5}));
    seen.insert({a.flow[0][0][0].item<float>(), a.flow[1][0][0].item<float>()});
  }
  EXPECT_EQ(seen, (std::set<std::pair<float, float>>{{2, 3}, {-2, 3}, {2, -3}, {-2, -3}}));
}

TEST(FileFormats, MalformedFilesGetClearErrors) {
  const fs::path d = test::temp_dir("train-formats");
  std::ofstream(d / "bad.flo") << "not a flow file";
  EXPECT_THAT(error_of([&] { read_flo(d / "bad.flo"); }), HasSubstr("bad magic"));
  EXPECT_THAT(error_of([&] { read_flo(d / "none.flo"); }), HasSubstr("no such .flo"));
  write_flo(d / "short.flo", torch::zeros({2, 4, 4}));
  fs::resize_file(d / "short.flo", 40);
  EXPECT_THAT(error_of([&] { read_flo(d / "short.flo"); }), HasSubstr("does not match"));
  std::ofstream(d / "bad.ppm") << "P3\n2 2\n255\n";
  EXPECT_THAT(error_of([&] { read_ppm(d / "bad.ppm"); }), HasSubstr("not an 8-bit binary PPM"));
  EXPECT_THAT(error_of([&] { make_middlebury(d / "nowhere"); }), HasSubstr("no such folder"));
}

}  // namespace
}  // namespace qflow::train
