// FlyingChairs-style training pairs from real photographs (Dosovitskiy et al. 2015): a background
// photo and foreground objects (photo cut-outs with alpha, and polygons/ellipses cut from other
// photos), each under its own random affine motion between the two frames, composited with alpha
// and occlusion, with the exact flow of frame 1's visible surface, then FlowNet's photometric
// augmentations. OpenCV only; deterministic per (seed, index).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace qflow::train {

// The photo library scripts/fetch-photos.sh builds: <dir>/backgrounds/<package>/* and
// <dir>/objects/<package>/* (RGBA cut-outs). Loaded once, downscaled, split by source photo: a
// photo is in the validation split when a hash of its path says so, never in both.
class PhotoLibrary {
 public:
  // Throws, naming scripts/fetch-photos.sh, when `dir` holds no usable photographs. `name` is how
  // describe() names the library: as the user gave it (default: `dir`).
  PhotoLibrary(const std::filesystem::path& dir, bool validation, std::string name = {});
  // $QFLOW_PHOTOS, else ~/.cache/qflow/photos.
  static std::filesystem::path default_dir();
  // Whether a library-relative path belongs to the validation split (about one photo in eight).
  static bool in_validation(const std::string& relative_path);

  const std::vector<cv::Mat>& backgrounds() const { return backgrounds_; }  // CV_8UC3, RGB
  const std::vector<cv::Mat>& objects() const { return objects_; }          // CV_8UC4, RGBA
  std::string describe() const;

 private:
  std::filesystem::path dir_;
  std::string name_;
  bool validation_;
  std::vector<cv::Mat> backgrounds_, objects_;
};

struct PhotoSceneOptions {
  int height = 128, width = 128;
  // Motions and object sizes are those of a scene_width-pixel-wide frame (FlyingChairs: 512); the
  // output is a height x width window of such a frame.
  int scene_width = 512;
  int min_objects = 2, max_objects = 6;
  bool photometric = true;  // FlowNet's brightness, contrast, gamma, colour and noise changes
};

struct PhotoScene {
  cv::Mat img1, img2;  // CV_8UC3, RGB
  cv::Mat flow;        // CV_32FC2, pixels, frame 1 -> frame 2
  cv::Mat visible;     // CV_8U, 255 where frame 1's surface is still seen (same layer, no alpha edge) in frame 2
};

PhotoScene render_photo_scene(const PhotoLibrary& library, const PhotoSceneOptions& options, uint64_t seed);

}  // namespace qflow::train
