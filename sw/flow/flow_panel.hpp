// A one-look summary of a run: the two inputs, the estimated flow and, with ground truth, the
// true flow and the end-point-error map, side by side and labelled.
#pragma once

#include <opencv2/core.hpp>

#include "flow/image_pair.hpp"
#include "flow/kitti_io.hpp"

namespace qflow {

// CV_8UC3 in BGR order (ready for imwrite). `gt` may be empty. Flow colours share one scale
// (the ground truth's largest magnitude when given); the error map is scaled to 0..max_error px and
// labelled with the mean EPE.
cv::Mat flow_panel(const ImagePair& pair, const cv::Mat& flow, const KittiFlow* gt, float max_error = 5.0f);

// A pair scaled to height x width (bilinear), and a flow at that size scaled back to the pair's.
ImagePair resize_pair(const ImagePair& pair, int height, int width);
cv::Mat resize_flow(const cv::Mat& flow, int height, int width);

}  // namespace qflow
