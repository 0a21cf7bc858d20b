// Flow data sets for training: one sample is two RGB images (integer values in [0, 255], float),
// the ground-truth flow and its validity mask, all (C, H, W) on the CPU.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace qflow::train {

struct FlowSample {
  torch::Tensor img1, img2;  // (3, H, W)
  torch::Tensor flow;        // (2, H, W), pixels
  torch::Tensor valid;       // (1, H, W), 1 where the ground truth is known
};

class FlowDataset {
 public:
  virtual ~FlowDataset() = default;
  virtual size_t size() const = 0;
  virtual FlowSample get(size_t index) const = 0;
  virtual std::string describe() const = 0;
};

// The default: textured backgrounds and foreground objects (ellipses and rectangles) moving with
// independent random affine motions, layered with occlusion, rendered with exact ground truth
// (FlyingChairs in spirit). Deterministic per (seed, index); the validation split uses its own
// index range, so it never overlaps training.
struct SyntheticOptions {
  int height = 128, width = 128;
  int objects = 4;
  double max_motion = 8.0;    // pixels of translation per frame
  double max_rotation = 6.0;  // degrees per frame
  double max_zoom = 0.06;     // relative scale change per frame
  uint64_t seed = 1;
  size_t samples = 100000;
  bool validation = false;
};
std::unique_ptr<FlowDataset> make_synthetic_dataset(const SyntheticOptions& options);

// FlyingChairs-style scenes from the photo library of scripts/fetch-photos.sh (data/photo_scenes.hpp),
// rendered at (height, width) as a window of a scene_width-wide frame. Deterministic per (seed,
// index); the training and validation splits use disjoint photographs, and only training samples
// get the photometric augmentations.
struct PhotoOptions {
  int height = 128, width = 128, scene_width = 512;
  uint64_t seed = 1;
  size_t samples = 100000;
  bool validation = false;
  std::filesystem::path library;  // empty: PhotoLibrary::default_dir()
};
std::unique_ptr<FlowDataset> make_photo_dataset(const PhotoOptions& options);

// FlyingChairs: <root>/data/NNNNN_img1.ppm, NNNNN_img2.ppm, NNNNN_flow.flo and the split file
// <root>/FlyingChairs_train_val.txt (one line per sample: 1 = train, 2 = validation).
std::unique_ptr<FlowDataset> make_flying_chairs(const std::filesystem::path& root, bool validation);
// MPI-Sintel training layout: <root>/training/{clean,final}/<scene>/frame_NNNN.png and
// <root>/training/flow/<scene>/frame_NNNN.flo.
std::unique_ptr<FlowDataset> make_sintel(const std::filesystem::path& root, const std::string& pass);
// Middlebury: <root>/other-data/<seq>/frame10.png, frame11.png, <root>/other-gt-flow/<seq>/flow10.flo.
std::unique_ptr<FlowDataset> make_middlebury(const std::filesystem::path& root);

// Folders of pairs as in shared/data/flow: <root>/<set>/<sample>/{img1,img2}.{png,ppm} and flow.flo.
std::unique_ptr<FlowDataset> make_sample_folders(const std::filesystem::path& root);

// The centre (height, width) window, no flips: how evaluation sees a larger real pair.
FlowSample center_crop(const FlowSample& sample, int height, int width);
// The whole frame resized (bilinear) to (height, width), the flow scaled with it: how evaluation
// sees a real pair at the model's input size.
FlowSample resize_sample(const FlowSample& sample, int height, int width);
// Random crop to (height, width) and flips that flip the flow's sign; deterministic per rng.
FlowSample augment(const FlowSample& sample, int height, int width, std::mt19937_64& rng);
// Stacks samples into (N, C, H, W) batches.
FlowSample collate(const std::vector<FlowSample>& samples);

// File formats (no OpenCV needed for these): Middlebury .flo and binary PPM (P6).
torch::Tensor read_flo(const std::filesystem::path& file);  // (2, H, W)
void write_flo(const std::filesystem::path& file, const torch::Tensor& flow);
torch::Tensor read_ppm(const std::filesystem::path& file);  // (3, H, W)
void write_ppm(const std::filesystem::path& file, const torch::Tensor& image);
// PNG through OpenCV when the trainer is built with it; a clear error otherwise.
torch::Tensor read_image(const std::filesystem::path& file);

}  // namespace qflow::train
