#include "photo_scenes.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace qflow::train {
namespace fs = std::filesystem;

namespace {

// Photographs keep enough pixels for a 512-wide scene zoomed up to 1.6x; objects are smaller.
constexpr int kMaxBackgroundSide = 800, kMaxObjectSide = 256;
constexpr int kMinPhotoWidth = 320, kMinPhotoHeight = 240, kMinObjectSide = 48;

std::vector<fs::path> image_files(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp"))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

cv::Mat shrink_to(const cv::Mat& image, int max_side) {
  const int side = std::max(image.cols, image.rows);
  if (side <= max_side) return image;
  cv::Mat out;
  const double f = double(max_side) / side;
  cv::resize(image, out, cv::Size(), f, f, cv::INTER_AREA);
  return out;
}

// A photograph as RGB, or empty when it is unreadable or too small.
cv::Mat load_background(const fs::path& file) {
  cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR);
  if (bgr.empty() || bgr.cols < kMinPhotoWidth || bgr.rows < kMinPhotoHeight) return {};
  cv::Mat rgb;
  cv::cvtColor(shrink_to(bgr, kMaxBackgroundSide), rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

// A cut-out as RGBA, or empty when it has no real alpha channel or is too small.
cv::Mat load_object(const fs::path& file) {
  cv::Mat image = cv::imread(file.string(), cv::IMREAD_UNCHANGED);
  if (image.empty() || image.channels() != 4 || image.depth() != CV_8U) return {};
  if (std::min(image.cols, image.rows) < kMinObjectSide) return {};
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  double lowest = 0;
  cv::minMaxLoc(planes[3], &lowest);
  if (lowest > 0) return {};  // opaque everywhere: a picture, not a cut-out
  cv::Mat rgba;
  cv::cvtColor(shrink_to(image, kMaxObjectSide), rgba, cv::COLOR_BGRA2RGBA);
  return rgba;
}

// A 2x3 affine map (output pixel <- nothing; it maps source coordinates to output coordinates).
using Affine = cv::Matx23d;

Affine compose(const Affine& a, const Affine& b) {  // a after b
  const cv::Matx33d a3(a(0, 0), a(0, 1), a(0, 2), a(1, 0), a(1, 1), a(1, 2), 0, 0, 1);
  const cv::Matx33d b3(b(0, 0), b(0, 1), b(0, 2), b(1, 0), b(1, 1), b(1, 2), 0, 0, 1);
  const cv::Matx33d c = a3 * b3;
  return {c(0, 0), c(0, 1), c(0, 2), c(1, 0), c(1, 1), c(1, 2)};
}

Affine invert(const Affine& a) {
  cv::Matx23d inv;
  cv::invertAffineTransform(a, inv);
  return inv;
}

// Rotation by `angle` (radians) and scale `scale` about `centre`, then a translation.
Affine similarity(double angle, double scale, cv::Point2d centre, cv::Point2d shift) {
  const double c = std::cos(angle) * scale, s = std::sin(angle) * scale;
  return {c, -s, centre.x - c * centre.x + s * centre.y + shift.x,
          s, c, centre.y - s * centre.x - c * centre.y + shift.y};
}

// Source (centre src_c) placed at `at` with rotation and scale.
Affine placement(cv::Point2d src_c, double angle, double scale, cv::Point2d at) {
  return similarity(angle, scale, src_c, at - src_c);
}

// One layer of the scene: its source image (RGBA), and its maps into frame 1 and frame 2.
struct SceneLayer {
  cv::Mat rgba;
  Affine frame[2];
  bool reflect = false;  // the background fills the frame by reflection (still the same surface)
};

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(gen_); }
  double normal(double sigma) { return std::normal_distribution<double>(0, sigma)(gen_); }
  int below(int n) { return int(gen_() % uint64_t(n)); }
  bool chance(double p) { return uniform(0, 1) < p; }
  // Symmetric, most mass near 0 with a tail to +-m: FlyingChairs' displacement histogram
  // (tuned to resemble Sintel's) has that shape.
  double heavy(double m) { return (chance(0.5) ? 1 : -1) * m * std::pow(uniform(0, 1), 2.0); }
  std::mt19937_64& gen() { return gen_; }

 private:
  std::mt19937_64 gen_;
};

// A polygon or ellipse cut from a photograph: the "chairs" that are not stamps.
cv::Mat cut_out(const cv::Mat& photo, Rng& rng) {
  const int side = std::min({photo.cols, photo.rows, kMaxObjectSide});
  const int x = rng.below(photo.cols - side + 1), y = rng.below(photo.rows - side + 1);
  cv::Mat rgba;
  cv::cvtColor(photo(cv::Rect(x, y, side, side)), rgba, cv::COLOR_RGB2RGBA);
  cv::Mat alpha = cv::Mat::zeros(side, side, CV_8U);
  const cv::Point2d c(side / 2.0, side / 2.0);
  if (rng.chance(0.4)) {
    cv::ellipse(alpha, c, cv::Size2d(side * rng.uniform(0.2, 0.48), side * rng.uniform(0.2, 0.48)),
                rng.uniform(0, 180), 0, 360, cv::Scalar(255), cv::FILLED, cv::LINE_AA);
  } else {  // star-shaped polygon: vertices at increasing angles, random radii
    const int n = 3 + rng.below(7);
    std::vector<cv::Point> pts;
    const double phase = rng.uniform(0, 2 * M_PI);
    for (int i = 0; i < n; ++i) {
      const double a = phase + 2 * M_PI * (i + rng.uniform(-0.3, 0.3)) / n, r = side * rng.uniform(0.2, 0.48);
      pts.emplace_back(int(c.x + r * std::cos(a)), int(c.y + r * std::sin(a)));
    }
    cv::fillPoly(alpha, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(255), cv::LINE_AA);
  }
  cv::insertChannel(alpha, rgba, 3);
  return rgba;
}

// FlowNet's photometric augmentation (Dosovitskiy et al. 2015, section 4.4): the same strong
// change on both frames, plus a small relative change on the second.
struct Photometric {
  cv::Vec3d colour{1, 1, 1};
  double gamma = 1, brightness = 0, contrast = 0, noise = 0;
  bool grey = false;

  static Photometric draw(Rng& rng) {
    Photometric p;
    for (int c = 0; c < 3; ++c) p.colour[c] = rng.uniform(0.5, 2.0);
    p.gamma = rng.uniform(0.7, 1.5);
    p.brightness = rng.normal(0.2);
    p.contrast = rng.uniform(-0.8, 0.4);
    p.noise = rng.uniform(0, 0.04);
    p.grey = rng.chance(0.1);
    return p;
  }
  Photometric relative(Rng& rng) const {
    Photometric p = *this;
    for (int c = 0; c < 3; ++c) p.colour[c] *= rng.uniform(0.98, 1.02);
    p.gamma *= rng.uniform(0.98, 1.02);
    p.brightness += rng.normal(0.02);
    p.contrast += rng.uniform(-0.05, 0.05);
    return p;
  }
  // `image` is CV_32FC3 in [0, 1].
  void apply(cv::Mat& image, Rng& rng) const {
    if (grey) {
      cv::Mat g;
      cv::cvtColor(image, g, cv::COLOR_RGB2GRAY);
      cv::cvtColor(g, image, cv::COLOR_GRAY2RGB);
    }
    const double mean = cv::mean(image)[0];
    image.forEach<cv::Vec3f>([&](cv::Vec3f& px, const int*) {
      for (int c = 0; c < 3; ++c) {
        double v = std::pow(std::clamp(px[c] * colour[c], 0.0, 1.0), gamma) + brightness;
        v = (v - mean) * (1 + contrast) + mean;
        px[c] = float(std::clamp(v, 0.0, 1.0));
      }
    });
    if (noise > 0) {
      cv::Mat n(image.size(), CV_32FC3);
      cv::theRNG().state = rng.gen()();
      cv::randn(n, 0.0, noise);
      image += n;
    }
  }
};

}  // namespace

fs::path PhotoLibrary::default_dir() {
  if (const char* env = std::getenv("QFLOW_PHOTOS"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : ".") / ".cache/qflow/photos";
}

bool PhotoLibrary::in_validation(const std::string& relative_path) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across platforms and runs
  for (unsigned char c : relative_path) h = (h ^ c) * 1099511628211ull;
  return h % 8 == 0;
}

PhotoLibrary::PhotoLibrary(const fs::path& dir, bool validation, std::string name)
    : dir_(dir), name_(name.empty() ? dir.string() : std::move(name)), validation_(validation) {
  const auto split = [&](const std::vector<fs::path>& files) {
    std::vector<fs::path> mine;
    for (const fs::path& f : files)
      if (in_validation(fs::relative(f, dir).generic_string()) == validation) mine.push_back(f);
    return mine;
  };
  const std::vector<fs::path> backgrounds = split(image_files(dir / "backgrounds"));
  const std::vector<fs::path> objects = split(image_files(dir / "objects"));
  std::vector<cv::Mat> b(backgrounds.size()), o(objects.size());
#pragma omp parallel for schedule(dynamic)
  for (size_t i = 0; i < backgrounds.size(); ++i) b[i] = load_background(backgrounds[i]);
#pragma omp parallel for schedule(dynamic)
  for (size_t i = 0; i < objects.size(); ++i) o[i] = load_object(objects[i]);
  for (cv::Mat& m : b)
    if (!m.empty()) backgrounds_.push_back(std::move(m));
  for (cv::Mat& m : o)
    if (!m.empty()) objects_.push_back(std::move(m));
  if (backgrounds_.size() < 2)
    throw std::runtime_error(fmt::format(
        "{}: no photo library here ({} usable photographs of at least {}x{} in backgrounds/ for the {} split); "
        "build one with scripts/fetch-photos.sh [DIR] or point QFLOW_PHOTOS at one",
        dir.string(), backgrounds_.size(), kMinPhotoWidth, kMinPhotoHeight, validation ? "validation" : "training"));
}

std::string PhotoLibrary::describe() const {
  return fmt::format("photos {} ({} split: {} photographs, {} cut-outs)", name_,
                     validation_ ? "validation" : "training", backgrounds_.size(), objects_.size());
}

PhotoScene render_photo_scene(const PhotoLibrary& library, const PhotoSceneOptions& o, uint64_t seed) {
  Rng rng(seed);
  const int h = o.height, w = o.width;
  const double sw = o.scene_width, deg = M_PI / 180;
  const cv::Point2d centre((w - 1) / 2.0, (h - 1) / 2.0);
  const auto& photos = library.backgrounds();

  std::vector<SceneLayer> layers;
  // Background: the frame is a window of a scene_width-wide view of the photo, zoomed 1..1.6x and
  // rotated up to 17 degrees (FlowNet's geometric ranges); frame 2 moves it as a camera would.
  {
    SceneLayer bg;
    cv::cvtColor(photos[size_t(rng.below(int(photos.size())))], bg.rgba, cv::COLOR_RGB2RGBA);
    bg.reflect = true;
    const double scale = sw * rng.uniform(1.0, 1.6) / bg.rgba.cols;
    const cv::Point2d src_c(bg.rgba.cols / 2.0, bg.rgba.rows / 2.0);
    const cv::Point2d at = centre + cv::Point2d(rng.uniform(-0.3, 0.3) * sw, rng.uniform(-0.2, 0.2) * sw);
    bg.frame[0] = placement(src_c, rng.uniform(-17, 17) * deg, scale, at);
    layers.push_back(bg);
  }
  const Affine camera = similarity(rng.heavy(2) * deg, 1 + rng.heavy(0.03), centre,
                                   {rng.heavy(0.02 * sw), rng.heavy(0.02 * sw)});
  layers[0].frame[1] = compose(camera, layers[0].frame[0]);
  // Objects: stamp cut-outs and shapes cut from other photos, each moving on its own relative to
  // the background.
  const int count = o.min_objects + rng.below(o.max_objects - o.min_objects + 1);
  for (int k = 0; k < count; ++k) {
    SceneLayer obj;
    const bool stamp = !library.objects().empty() && rng.chance(0.5);
    obj.rgba = stamp ? library.objects()[size_t(rng.below(int(library.objects().size())))]
                     : cut_out(photos[size_t(rng.below(int(photos.size())))], rng);
    const cv::Point2d src_c(obj.rgba.cols / 2.0, obj.rgba.rows / 2.0);
    const double scale = sw * rng.uniform(0.12, 0.45) / std::max(obj.rgba.cols, obj.rgba.rows);
    const cv::Point2d at(rng.uniform(-0.2, 1.2) * w, rng.uniform(-0.2, 1.2) * h);
    obj.frame[0] = placement(src_c, rng.uniform(-180, 180) * deg, scale, at);
    const Affine own = similarity(rng.heavy(8) * deg, 1 + rng.heavy(0.06), at,
                                  {rng.heavy(0.03 * sw), rng.heavy(0.03 * sw)});
    obj.frame[1] = compose(camera, compose(own, obj.frame[0]));
    layers.push_back(std::move(obj));
  }

  PhotoScene scene;
  cv::Mat frames[2], top[2], edge[2];
  for (int t = 0; t < 2; ++t) {
    frames[t] = cv::Mat(h, w, CV_32FC3, cv::Scalar::all(0));
    top[t] = cv::Mat(h, w, CV_8U, cv::Scalar(0));
    edge[t] = cv::Mat(h, w, CV_8U, cv::Scalar(0));
    for (size_t k = 0; k < layers.size(); ++k) {
      cv::Mat warped;
      cv::warpAffine(layers[k].rgba, warped, layers[k].frame[t], cv::Size(w, h), cv::INTER_LINEAR,
                     layers[k].reflect ? cv::BORDER_REFLECT101 : cv::BORDER_CONSTANT, cv::Scalar::all(0));
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          const cv::Vec4b& px = warped.at<cv::Vec4b>(y, x);
          const float a = layers[k].reflect ? 1.0f : px[3] / 255.0f;
          if (a <= 0) continue;
          cv::Vec3f& dst = frames[t].at<cv::Vec3f>(y, x);
          for (int c = 0; c < 3; ++c) dst[c] = a * px[c] / 255.0f + (1 - a) * dst[c];
          if (a >= 0.5f) top[t].at<uint8_t>(y, x) = uint8_t(k);
          // A partly transparent pixel mixes two surfaces: its flow is not one surface's.
          edge[t].at<uint8_t>(y, x) = a < 0.98f ? 255 : 0;
        }
    }
  }
  // Flow of frame 1's top surface: x2 = A2(A1^-1(x)).
  std::vector<Affine> motion;
  for (const SceneLayer& layer : layers) motion.push_back(compose(layer.frame[1], invert(layer.frame[0])));
  scene.flow.create(h, w, CV_32FC2);
  scene.visible = cv::Mat(h, w, CV_8U, cv::Scalar(0));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int k = top[0].at<uint8_t>(y, x);
      const Affine& m = motion[size_t(k)];
      const double x2 = m(0, 0) * x + m(0, 1) * y + m(0, 2), y2 = m(1, 0) * x + m(1, 1) * y + m(1, 2);
      scene.flow.at<cv::Vec2f>(y, x) = cv::Vec2f(float(x2 - x), float(y2 - y));
      const int xi = int(std::lround(x2)), yi = int(std::lround(y2));
      const bool inside = xi >= 0 && xi < w && yi >= 0 && yi < h;
      if (inside && !edge[0].at<uint8_t>(y, x) && !edge[1].at<uint8_t>(yi, xi) && top[1].at<uint8_t>(yi, xi) == k)
        scene.visible.at<uint8_t>(y, x) = 255;
    }
  if (o.photometric) {
    const Photometric global = Photometric::draw(rng);
    global.apply(frames[0], rng);
    global.relative(rng).apply(frames[1], rng);
  }
  frames[0].convertTo(scene.img1, CV_8UC3, 255.0);
  frames[1].convertTo(scene.img2, CV_8UC3, 255.0);
  return scene;
}

}  // namespace qflow::train
