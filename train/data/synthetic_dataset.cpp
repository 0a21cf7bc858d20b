// The synthetic data set: layered textured shapes under independent affine motions.
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "flow_dataset.hpp"

namespace qflow::train {
namespace {

namespace F = torch::nn::functional;

// x_image = s R (u - c) + p for canvas point u: one layer's placement in one frame.
struct Placement {
  double angle = 0, scale = 1, px = 0, py = 0;
};

// Canvas coordinates (u, v) of every image pixel under a placement: the inverse map.
std::pair<torch::Tensor, torch::Tensor> canvas_coords(const Placement& p, const torch::Tensor& xs,
                                                      const torch::Tensor& ys, double cx, double cy) {
  const double c = std::cos(p.angle) / p.scale, s = std::sin(p.angle) / p.scale;
  const torch::Tensor dx = xs - p.px, dy = ys - p.py;
  return {c * dx + s * dy + cx, -s * dx + c * dy + cy};
}

torch::Tensor texture(int h, int w, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> unit(0, 1);
  const int cells = 4 + int(rng() % 12);
  std::vector<float> coarse(size_t(3 * cells * cells)), fine(size_t(3 * h * w));
  for (float& v : coarse) v = unit(rng);
  for (float& v : fine) v = unit(rng) - 0.5f;
  const torch::Tensor low = torch::from_blob(coarse.data(), {1, 3, cells, cells}).clone();
  const torch::Tensor up = F::interpolate(low, F::InterpolateFuncOptions()
                                                   .size(std::vector<int64_t>{h, w})
                                                   .mode(torch::kBilinear)
                                                   .align_corners(false))[0];
  const float grain = 0.1f + 0.3f * unit(rng);
  return (up + grain * torch::from_blob(fine.data(), {3, h, w}).clone()).clamp(0, 1);
}

class SyntheticDataset final : public FlowDataset {
 public:
  explicit SyntheticDataset(const SyntheticOptions& o) : o_(o) {}
  size_t size() const override { return o_.samples; }
  std::string describe() const override {
    return fmt::format("synthetic {}x{}, {} objects, motion <= {} px, seed {}{}", o_.height, o_.width, o_.objects,
                       o_.max_motion, o_.seed, o_.validation ? " (validation)" : "");
  }

  FlowSample get(size_t index) const override {
    // Validation samples come from their own half of the index space.
    std::mt19937_64 rng(o_.seed * 0x9E3779B97F4A7C15ull + index * 2 + (o_.validation ? 1 : 0));
    std::uniform_real_distribution<double> unit(0, 1);
    const auto sym = [&](double m) { return (2 * unit(rng) - 1) * m; };
    const int h = o_.height, w = o_.width;
    const double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
    const torch::Tensor ys = torch::arange(h, torch::kFloat64).view({h, 1}).expand({h, w});
    const torch::Tensor xs = torch::arange(w, torch::kFloat64).view({1, w}).expand({h, w});

    torch::Tensor frames[2] = {torch::zeros({3, h, w}), torch::zeros({3, h, w})};
    torch::Tensor flow = torch::zeros({2, h, w}, torch::kFloat64);
    const int layers = 1 + o_.objects;
    std::vector<std::array<Placement, 2>> placements(static_cast<size_t>(layers));
    for (int k = 0; k < layers; ++k) {
      Placement a;
      if (k == 0) {  // background: zoomed in so that its moving edges stay outside the frame
        a = {sym(0.05), 1.25 + 0.1 * unit(rng), cx, cy};
      } else {
        a = {sym(M_PI), 0.6 + 0.6 * unit(rng), unit(rng) * (w - 1), unit(rng) * (h - 1)};
      }
      Placement b = a;
      b.angle += sym(o_.max_rotation * M_PI / 180);
      b.scale *= 1 + sym(o_.max_zoom);
      b.px += sym(o_.max_motion);
      b.py += sym(o_.max_motion);
      placements[size_t(k)] = {a, b};
    }
    // Paint back to front; the ground truth is that of the frame-1 surface on top.
    for (int k = 0; k < layers; ++k) {
      const torch::Tensor tex = texture(h, w, rng);
      const bool ellipse = unit(rng) < 0.5;
      const double rx = (0.1 + 0.2 * unit(rng)) * w, ry = (0.1 + 0.2 * unit(rng)) * h;
      for (int t = 0; t < 2; ++t) {
        auto [u, v] = canvas_coords(placements[size_t(k)][size_t(t)], xs, ys, cx, cy);
        torch::Tensor inside = torch::ones({h, w}, torch::kBool);
        if (k > 0)
          inside = ellipse ? ((u - cx) / rx).pow(2) + ((v - cy) / ry).pow(2) <= 1
                           : ((u - cx).abs() <= rx).logical_and((v - cy).abs() <= ry);
        const torch::Tensor grid = torch::stack({(2 * u + 1) / w - 1, (2 * v + 1) / h - 1}, -1).to(torch::kFloat32);
        const torch::Tensor colour = F::grid_sample(tex.unsqueeze(0), grid.unsqueeze(0),
                                                    F::GridSampleFuncOptions()
                                                        .mode(torch::kBilinear)
                                                        .padding_mode(torch::kBorder)
                                                        .align_corners(false))[0];
        frames[t] = torch::where(inside.unsqueeze(0), colour, frames[t]);
        if (t == 0) {
          // Where frame 1 shows this layer: x2 = A2(A1^-1(x)).
          const Placement& b = placements[size_t(k)][1];
          const double c = std::cos(b.angle) * b.scale, s = std::sin(b.angle) * b.scale;
          const torch::Tensor x2 = c * (u - cx) - s * (v - cy) + b.px;
          const torch::Tensor y2 = s * (u - cx) + c * (v - cy) + b.py;
          const torch::Tensor layer_flow = torch::stack({x2 - xs, y2 - ys});
          flow = torch::where(inside.unsqueeze(0), layer_flow, flow);
        }
      }
    }
    FlowSample s;
    s.img1 = torch::round(frames[0] * 255);
    s.img2 = torch::round(frames[1] * 255);
    s.flow = flow.to(torch::kFloat32);
    s.valid = torch::ones({1, h, w});
    return s;
  }

 private:
  SyntheticOptions o_;
};

}  // namespace

std::unique_ptr<FlowDataset> make_synthetic_dataset(const SyntheticOptions& options) {
  return std::make_unique<SyntheticDataset>(options);
}

}  // namespace qflow::train
