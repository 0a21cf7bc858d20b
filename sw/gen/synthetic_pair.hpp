// A textured image pair with exact ground truth, for random packages, demos and tests.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "flow/image_pair.hpp"

namespace qflow {

struct SyntheticPair {
  ImagePair images;  // RGB
  cv::Mat flow;      // CV_32FC2 ground truth from img1 to img2
};

// Smoothed colour noise translated by a random sub-pixel motion of up to max_motion pixels;
// deterministic per seed. The border pixels that leave the frame are marked unknown (1e10).
SyntheticPair make_synthetic_pair(int height, int width, uint64_t seed, float max_motion = 8.0f);

}  // namespace qflow
