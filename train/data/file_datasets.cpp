// The real data sets' loaders and the file formats they need.
#include <algorithm>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "flow_dataset.hpp"

#ifdef QFLOW_TRAIN_WITH_OPENCV
#include <opencv2/imgcodecs.hpp>

#include "flow/image_file.hpp"
#endif

namespace qflow::train {
namespace fs = std::filesystem;

torch::Tensor read_flo(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: no such .flo file", file.string()));
  float magic = 0;
  int32_t w = 0, h = 0;
  in.read(reinterpret_cast<char*>(&magic), 4).read(reinterpret_cast<char*>(&w), 4).read(reinterpret_cast<char*>(&h), 4);
  if (!in || magic != 202021.25f) throw std::runtime_error(fmt::format("{}: not a .flo file (bad magic)", file.string()));
  if (w < 1 || h < 1 || w > 1 << 15 || h > 1 << 15)
    throw std::runtime_error(fmt::format("{}: implausible size {}x{}", file.string(), w, h));
  std::vector<float> data(size_t(w) * h * 2);
  in.read(reinterpret_cast<char*>(data.data()), std::streamsize(data.size() * 4));
  if (!in || in.peek() != EOF)
    throw std::runtime_error(fmt::format("{}: size does not match its {}x{} header", file.string(), w, h));
  return torch::from_blob(data.data(), {h, w, 2}).permute({2, 0, 1}).clone();
}

void write_flo(const fs::path& file, const torch::Tensor& flow) {
  const torch::Tensor hw2 = flow.to(torch::kFloat32).permute({1, 2, 0}).contiguous();
  std::ofstream out(file, std::ios::binary);
  const float magic = 202021.25f;
  const int32_t w = int32_t(flow.size(2)), h = int32_t(flow.size(1));
  out.write(reinterpret_cast<const char*>(&magic), 4).write(reinterpret_cast<const char*>(&w), 4);
  out.write(reinterpret_cast<const char*>(&h), 4);
  out.write(reinterpret_cast<const char*>(hw2.data_ptr<float>()), std::streamsize(hw2.numel() * 4));
  if (!out) throw std::runtime_error(fmt::format("{}: cannot write", file.string()));
}

torch::Tensor read_ppm(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: no such image file", file.string()));
  std::string magic;
  int w = 0, h = 0, max = 0;
  in >> magic;
  const auto skip_comments = [&] {
    while (in >> std::ws && in.peek() == '#') in.ignore(1 << 20, '\n');
  };
  skip_comments();
  in >> w;
  skip_comments();
  in >> h;
  skip_comments();
  in >> max;
  in.get();  // the single whitespace before the raster
  if (!in || magic != "P6" || w < 1 || h < 1 || max != 255)
    throw std::runtime_error(fmt::format("{}: not an 8-bit binary PPM (P6)", file.string()));
  std::vector<uint8_t> raster(size_t(w) * h * 3);
  in.read(reinterpret_cast<char*>(raster.data()), std::streamsize(raster.size()));
  if (!in) throw std::runtime_error(fmt::format("{}: truncated PPM raster", file.string()));
  return torch::from_blob(raster.data(), {h, w, 3}, torch::kUInt8).permute({2, 0, 1}).to(torch::kFloat32);
}

void write_ppm(const fs::path& file, const torch::Tensor& image) {
  const torch::Tensor hw3 = image.clamp(0, 255).round().to(torch::kUInt8).permute({1, 2, 0}).contiguous();
  std::ofstream out(file, std::ios::binary);
  out << "P6\n" << image.size(2) << ' ' << image.size(1) << "\n255\n";
  out.write(reinterpret_cast<const char*>(hw3.data_ptr<uint8_t>()), std::streamsize(hw3.numel()));
  if (!out) throw std::runtime_error(fmt::format("{}: cannot write", file.string()));
}

torch::Tensor read_image(const fs::path& file) {
  if (file.extension() == ".ppm") return read_ppm(file);
#ifdef QFLOW_TRAIN_WITH_OPENCV
  cv::Mat bgr = read_image_file(file, cv::IMREAD_COLOR, kPairFormats);
  return torch::from_blob(bgr.data, {bgr.rows, bgr.cols, 3}, torch::kUInt8)
      .flip({2})  // BGR -> RGB
      .permute({2, 0, 1})
      .to(torch::kFloat32);
#else
  throw std::runtime_error(fmt::format("{}: this qflow-train was built without OpenCV and reads .ppm only",
                                       file.string()));
#endif
}

namespace {

struct FileSample {
  fs::path img1, img2, flow;
};

class FileDataset final : public FlowDataset {
 public:
  FileDataset(std::vector<FileSample> samples, std::string name) : samples_(std::move(samples)), name_(std::move(name)) {}
  size_t size() const override { return samples_.size(); }
  std::string describe() const override { return fmt::format("{} ({} pairs)", name_, samples_.size()); }
  FlowSample get(size_t index) const override {
    const FileSample& f = samples_.at(index);
    FlowSample s{read_image(f.img1), read_image(f.img2), read_flo(f.flow), {}};
    if (s.img1.sizes() != s.img2.sizes() || s.img1.size(1) != s.flow.size(1) || s.img1.size(2) != s.flow.size(2))
      throw std::runtime_error(fmt::format("{}: images and flow differ in size", f.flow.string()));
    // Unknown ground truth (Middlebury writes 1e10) is masked out and zeroed.
    s.valid = (s.flow.abs().amax(0, /*keepdim=*/true) < 1e9).to(torch::kFloat32);
    s.flow = s.flow * s.valid;
    return s;
  }

 private:
  std::vector<FileSample> samples_;
  std::string name_;
};

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw std::runtime_error(fmt::format("{}: no such folder", dir.string()));
  std::vector<fs::path> entries;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) entries.push_back(e.path());
  std::sort(entries.begin(), entries.end());
  return entries;
}

void require_samples(const std::vector<FileSample>& samples, const fs::path& root, const char* what) {
  if (samples.empty()) throw std::runtime_error(fmt::format("{}: holds no {} samples", root.string(), what));
}

}  // namespace

std::unique_ptr<FlowDataset> make_flying_chairs(const fs::path& root, bool validation) {
  const fs::path split_file = root / "FlyingChairs_train_val.txt";
  std::ifstream split(split_file);
  if (!split) throw std::runtime_error(fmt::format("{}: FlyingChairs split file missing", split_file.string()));
  std::vector<FileSample> samples;
  int which = 0;
  for (int index = 1; split >> which; ++index) {
    if (which != 1 && which != 2)
      throw std::runtime_error(fmt::format("{}:{}: split value {} is not 1 or 2", split_file.string(), index, which));
    if ((which == 2) != validation) continue;
    const std::string stem = fmt::format("{:05d}", index);
    samples.push_back({root / "data" / (stem + "_img1.ppm"), root / "data" / (stem + "_img2.ppm"),
                       root / "data" / (stem + "_flow.flo")});
  }
  require_samples(samples, root, validation ? "FlyingChairs validation" : "FlyingChairs training");
  return std::make_unique<FileDataset>(std::move(samples), validation ? "FlyingChairs val" : "FlyingChairs train");
}

std::unique_ptr<FlowDataset> make_sintel(const fs::path& root, const std::string& pass) {
  if (pass != "clean" && pass != "final")
    throw std::runtime_error(fmt::format("Sintel pass '{}' is not clean or final", pass));
  std::vector<FileSample> samples;
  for (const fs::path& scene : sorted_entries(root / "training" / pass)) {
    const std::vector<fs::path> frames = sorted_entries(scene);
    for (size_t i = 0; i + 1 < frames.size(); ++i) {
      const fs::path flow = root / "training" / "flow" / scene.filename() / frames[i].filename().replace_extension(".flo");
      if (fs::exists(flow)) samples.push_back({frames[i], frames[i + 1], flow});
    }
  }
  require_samples(samples, root, "Sintel");
  return std::make_unique<FileDataset>(std::move(samples), "Sintel " + pass);
}

std::unique_ptr<FlowDataset> make_middlebury(const fs::path& root) {
  std::vector<FileSample> samples;
  for (const fs::path& seq : sorted_entries(root / "other-gt-flow")) {
    const fs::path data = root / "other-data" / seq.filename();
    if (fs::exists(seq / "flow10.flo") && fs::exists(data / "frame10.png"))
      samples.push_back({data / "frame10.png", data / "frame11.png", seq / "flow10.flo"});
  }
  require_samples(samples, root, "Middlebury");
  return std::make_unique<FileDataset>(std::move(samples), "Middlebury");
}

std::unique_ptr<FlowDataset> make_sample_folders(const fs::path& root) {
  std::vector<FileSample> samples;
  const auto image = [](const fs::path& dir, const char* stem) {
    return fs::exists(dir / (std::string(stem) + ".ppm")) ? dir / (std::string(stem) + ".ppm")
                                                           : dir / (std::string(stem) + ".png");
  };
  for (const fs::path& set : sorted_entries(root))
    if (fs::is_directory(set))
      for (const fs::path& sample : sorted_entries(set))
        if (fs::exists(sample / "flow.flo") && fs::exists(image(sample, "img2")))
          samples.push_back({image(sample, "img1"), image(sample, "img2"), sample / "flow.flo"});
  require_samples(samples, root, "<set>/<sample>/{img1,img2,flow.flo}");
  return std::make_unique<FileDataset>(std::move(samples), "pairs in " + root.string());
}

FlowSample center_crop(const FlowSample& s, int height, int width) {
  const int64_t h = s.img1.size(1), w = s.img1.size(2);
  if (h < height || w < width)
    throw std::runtime_error(fmt::format("sample of {}x{} is smaller than the {}x{} crop", w, h, width, height));
  const int64_t y = (h - height) / 2, x = (w - width) / 2;
  const auto crop = [&](const torch::Tensor& t) { return t.slice(1, y, y + height).slice(2, x, x + width); };
  return {crop(s.img1), crop(s.img2), crop(s.flow), crop(s.valid)};
}

FlowSample resize_sample(const FlowSample& s, int height, int width) {
  namespace F = torch::nn::functional;
  const int64_t h = s.img1.size(1), w = s.img1.size(2);
  const auto bilinear = [&](const torch::Tensor& t) {
    return F::interpolate(t.unsqueeze(0), F::InterpolateFuncOptions()
                                              .size(std::vector<int64_t>{height, width})
                                              .mode(torch::kBilinear)
                                              .align_corners(false))[0];
  };
  // A resized pixel is valid only when every input pixel it mixes is.
  const torch::Tensor valid = (bilinear(s.valid) > 1 - 1e-6).to(torch::kFloat32);
  const torch::Tensor scale = torch::tensor({float(width) / float(w), float(height) / float(h)}).view({2, 1, 1});
  return {bilinear(s.img1).round().clamp(0, 255), bilinear(s.img2).round().clamp(0, 255),
          bilinear(s.flow) * scale * valid, valid};
}

FlowSample augment(const FlowSample& s, int height, int width, std::mt19937_64& rng) {
  const int64_t h = s.img1.size(1), w = s.img1.size(2);
  if (h < height || w < width)
    throw std::runtime_error(fmt::format("sample of {}x{} is smaller than the {}x{} crop", w, h, width, height));
  const int64_t y = int64_t(rng() % uint64_t(h - height + 1)), x = int64_t(rng() % uint64_t(w - width + 1));
  const auto crop = [&](const torch::Tensor& t) { return t.slice(1, y, y + height).slice(2, x, x + width); };
  FlowSample out{crop(s.img1), crop(s.img2), crop(s.flow), crop(s.valid)};
  if (rng() % 2) {  // horizontal flip: u changes sign
    for (torch::Tensor* t : {&out.img1, &out.img2, &out.flow, &out.valid}) *t = t->flip({2});
    out.flow = out.flow * torch::tensor({-1.0f, 1.0f}).view({2, 1, 1});
  }
  if (rng() % 2) {  // vertical flip: v changes sign
    for (torch::Tensor* t : {&out.img1, &out.img2, &out.flow, &out.valid}) *t = t->flip({1});
    out.flow = out.flow * torch::tensor({1.0f, -1.0f}).view({2, 1, 1});
  }
  return out;
}

FlowSample collate(const std::vector<FlowSample>& samples) {
  std::vector<torch::Tensor> a, b, f, v;
  for (const FlowSample& s : samples) {
    a.push_back(s.img1);
    b.push_back(s.img2);
    f.push_back(s.flow);
    v.push_back(s.valid);
  }
  return {torch::stack(a), torch::stack(b), torch::stack(f), torch::stack(v)};
}

}  // namespace qflow::train
