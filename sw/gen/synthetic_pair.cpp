#include "synthetic_pair.hpp"

#include <cmath>

#include <opencv2/imgproc.hpp>

namespace qflow {

SyntheticPair make_synthetic_pair(int height, int width, uint64_t seed, float max_motion) {
  cv::RNG rng(seed);
  // Texture at several scales so that both fine and coarse layers see structure.
  cv::Mat acc(height, width, CV_32FC3, cv::Scalar::all(0));
  for (const double sigma : {1.0, 4.0, 12.0}) {
    cv::Mat noise(height, width, CV_32FC3);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, 1.0);
    cv::GaussianBlur(noise, noise, cv::Size(), sigma);
    cv::normalize(noise, noise, -1.0, 1.0, cv::NORM_MINMAX);
    acc += noise;
  }
  cv::Mat img1;
  acc.convertTo(img1, CV_8UC3, 255.0 / 6.0, 127.5);  // [-3, 3] -> [0, 255]
  const float dx = rng.uniform(-max_motion, max_motion), dy = rng.uniform(-max_motion, max_motion);
  // img2(x + d) = img1(x): sample img1 at x - d.
  const cv::Matx23f shift(1, 0, dx, 0, 1, dy);
  cv::Mat img2;
  cv::warpAffine(img1, img2, shift, img1.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
  cv::Mat flow(height, width, CV_32FC2, cv::Scalar(dx, dy));
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      if (float(x) + dx < 0 || float(x) + dx > float(width - 1) || float(y) + dy < 0 || float(y) + dy > float(height - 1))
        flow.at<cv::Vec2f>(y, x) = {1e10f, 1e10f};
  return {{img1, img2}, flow};
}

}  // namespace qflow
