#include "flow_panel.hpp"

#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "flow/flow_color.hpp"
#include "flow/flow_metrics.hpp"

namespace qflow {
namespace {

cv::Mat labelled(const cv::Mat& bgr, const std::string& label) {
  cv::Mat tile = bgr.clone();
  cv::putText(tile, label, {4, 14}, cv::FONT_HERSHEY_SIMPLEX, 0.45, {0, 0, 0}, 3, cv::LINE_AA);
  cv::putText(tile, label, {4, 14}, cv::FONT_HERSHEY_SIMPLEX, 0.45, {255, 255, 255}, 1, cv::LINE_AA);
  return tile;
}

cv::Mat to_bgr(const cv::Mat& rgb) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  return bgr;
}

float largest_magnitude(const cv::Mat& flow, const cv::Mat& mask) {
  std::vector<cv::Mat> uv;
  cv::split(flow, uv);
  cv::Mat magnitude;
  cv::magnitude(uv[0], uv[1], magnitude);
  double max = 0;
  cv::minMaxLoc(magnitude, nullptr, &max, nullptr, nullptr, mask);
  return float(max);
}

}  // namespace

cv::Mat flow_panel(const ImagePair& pair, const cv::Mat& flow, const KittiFlow* gt, float max_error) {
  std::vector<cv::Mat> tiles{labelled(to_bgr(pair.img1), "image 1"), labelled(to_bgr(pair.img2), "image 2")};
  if (!gt) {
    tiles.push_back(labelled(colorize_flow(flow), "flow"));
  } else {
    const float scale = largest_magnitude(gt->flow, gt->valid);
    tiles.push_back(labelled(colorize_flow(flow, scale), "flow"));
    tiles.push_back(labelled(colorize_flow(gt->flow, scale), "ground truth"));
    std::vector<cv::Mat> diff;
    cv::split(flow - gt->flow, diff);
    cv::Mat epe, error8, error;
    cv::magnitude(diff[0], diff[1], epe);
    epe.setTo(0, gt->valid == 0);
    epe.convertTo(error8, CV_8U, 255.0 / max_error);
    cv::applyColorMap(error8, error, cv::COLORMAP_INFERNO);
    const FlowMetrics m = flow_metrics(gt->flow, flow, gt->valid);
    tiles.push_back(labelled(error, cv::format("EPE %.2f", m.epe)));
  }
  for (cv::Mat& t : tiles)
    if (t.size() != flow.size()) cv::resize(t, t, flow.size(), 0, 0, cv::INTER_AREA);
  cv::Mat panel;
  cv::hconcat(tiles, panel);
  return panel;
}

ImagePair resize_pair(const ImagePair& pair, int height, int width) {
  ImagePair out;
  cv::resize(pair.img1, out.img1, {width, height}, 0, 0, cv::INTER_LINEAR);
  cv::resize(pair.img2, out.img2, {width, height}, 0, 0, cv::INTER_LINEAR);
  return out;
}

cv::Mat resize_flow(const cv::Mat& flow, int height, int width) {
  cv::Mat out;
  cv::resize(flow, out, {width, height}, 0, 0, cv::INTER_LINEAR);
  // Displacements are in pixels of the image they describe.
  const double sx = double(width) / flow.cols, sy = double(height) / flow.rows;
  out = out.mul(cv::Scalar(sx, sy));
  return out;
}

}  // namespace qflow
