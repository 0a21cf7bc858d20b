// The `photos` data source: photo scenes as training samples.
#include <fmt/format.h>

#include "flow_dataset.hpp"
#include "photo_scenes.hpp"

namespace qflow::train {
namespace {

torch::Tensor rgb_tensor(const cv::Mat& rgb) {
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).permute({2, 0, 1}).to(torch::kFloat32);
}

class PhotoDataset final : public FlowDataset {
 public:
  explicit PhotoDataset(const PhotoOptions& o)
      : o_(o),
        library_(o.library.empty() ? PhotoLibrary::default_dir() : o.library, o.validation,
                 o.library.empty() ? "(the default library)" : o.library.string()) {}
  size_t size() const override { return o_.samples; }
  std::string describe() const override {
    return fmt::format("{}, scenes of a {}-wide frame at {}x{}, seed {}", library_.describe(), o_.scene_width,
                       o_.width, o_.height, o_.seed);
  }
  FlowSample get(size_t index) const override {
    PhotoSceneOptions scene;
    scene.height = o_.height;
    scene.width = o_.width;
    scene.scene_width = o_.scene_width;
    scene.photometric = !o_.validation;  // validation (and golden cases) measure flow on clean renders
    const PhotoScene s = render_photo_scene(library_, scene, o_.seed * 0x9E3779B97F4A7C15ull + index);
    torch::Tensor flow = torch::from_blob(s.flow.data, {s.flow.rows, s.flow.cols, 2}, torch::kFloat32).permute({2, 0, 1});
    // Every pixel's flow is known (FlyingChairs gives occluded pixels their surface's motion too).
    return {rgb_tensor(s.img1), rgb_tensor(s.img2), flow.clone(), torch::ones({1, o_.height, o_.width})};
  }

 private:
  PhotoOptions o_;
  PhotoLibrary library_;
};

}  // namespace

std::unique_ptr<FlowDataset> make_photo_dataset(const PhotoOptions& options) {
  return std::make_unique<PhotoDataset>(options);
}

}  // namespace qflow::train
