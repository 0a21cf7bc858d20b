// Flow files, colour coding, metrics and image pairs.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "errors.hpp"
#include "flow/flo_io.hpp"
#include "flow/flow_color.hpp"
#include "flow/flow_file.hpp"
#include "flow/flow_metrics.hpp"
#include "flow/flow_panel.hpp"
#include "flow/image_pair.hpp"
#include "flow/kitti_io.hpp"
#include "test_support.hpp"

namespace qflow {
namespace {

using ::testing::HasSubstr;
using test::error_of;
namespace fs = std::filesystem;

cv::Mat random_flow(int h, int w, uint64_t seed, float range = 20.0f) {
  cv::Mat flow(h, w, CV_32FC2);
  cv::RNG(seed).fill(flow, cv::RNG::UNIFORM, -range, range);
  return flow;
}

TEST(Flo, RoundTripIsExact) {
  const fs::path dir = test::temp_dir("flo");
  const cv::Mat flow = random_flow(7, 11, 1);
  write_flo(dir / "a.flo", flow);
  const cv::Mat back = read_flo(dir / "a.flo");
  EXPECT_EQ(fs::file_size(dir / "a.flo"), 12u + 7 * 11 * 8);
  EXPECT_EQ(cv::norm(back, flow, cv::NORM_INF), 0.0);
}

TEST(Flo, RejectsCorruptFilesWithTheReason) {
  const fs::path dir = test::temp_dir("flo-bad");
  write_flo(dir / "a.flo", random_flow(4, 4, 2));
  EXPECT_THAT(error_of([&] { read_flo(dir / "none.flo"); }), HasSubstr("no such .flo file"));
  fs::copy_file(dir / "a.flo", dir / "short.flo");
  fs::resize_file(dir / "short.flo", 12 + 4 * 4 * 8 - 4);
  EXPECT_THAT(error_of([&] { read_flo(dir / "short.flo"); }), HasSubstr("needs"));
  std::ofstream(dir / "magic.flo", std::ios::binary) << "FLOW0000000000000000";  // "PIEH" would be the real magic
  EXPECT_THAT(error_of([&] { read_flo(dir / "magic.flo"); }), HasSubstr("not a .flo file"));
  std::ofstream(dir / "tiny.flo", std::ios::binary) << "PIE";
  EXPECT_THAT(error_of([&] { read_flo(dir / "tiny.flo"); }), HasSubstr("too short"));
}

TEST(Kitti, RoundTripKeepsValuesToOneSixtyFourthAndTheMask) {
  const fs::path dir = test::temp_dir("kitti");
  cv::Mat flow = random_flow(5, 9, 3, 100.0f);
  cv::Mat valid(flow.size(), CV_8U, cv::Scalar(1));
  valid.at<uint8_t>(2, 3) = 0;
  write_kitti_flow(dir / "f.png", flow, valid);
  const KittiFlow back = read_kitti_flow(dir / "f.png");
  EXPECT_EQ(cv::countNonZero(back.valid != valid), 0);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 9; ++x)
      if (valid.at<uint8_t>(y, x)) {
        EXPECT_NEAR(back.flow.at<cv::Vec2f>(y, x)[0], flow.at<cv::Vec2f>(y, x)[0], 0.5f / 64);
        EXPECT_NEAR(back.flow.at<cv::Vec2f>(y, x)[1], flow.at<cv::Vec2f>(y, x)[1], 0.5f / 64);
      }
  // Channel order on disk is R = u, G = v, B = valid.
  const cv::Mat raw = cv::imread((dir / "f.png").string(), cv::IMREAD_UNCHANGED);
  const cv::Vec3w px = raw.at<cv::Vec3w>(0, 0);
  EXPECT_EQ(px[0], 1);
  EXPECT_EQ(px[2], cv::saturate_cast<uint16_t>(std::lround(flow.at<cv::Vec2f>(0, 0)[0] * 64 + 32768)));
}

TEST(Kitti, RejectsAnEightBitPng) {
  const fs::path dir = test::temp_dir("kitti-bad");
  cv::imwrite((dir / "f.png").string(), cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(7)));
  EXPECT_THAT(error_of([&] { read_kitti_flow(dir / "f.png"); }), HasSubstr("16-bit RGB"));
  EXPECT_THAT(error_of([&] { read_flow_file(dir / "f.txt"); }), HasSubstr("unknown flow format"));
}

cv::Vec3b color_of(float u, float v, float max_flow) {
  cv::Mat flow(1, 1, CV_32FC2, cv::Scalar(u, v));
  const cv::Vec3b bgr = colorize_flow(flow, max_flow).at<cv::Vec3b>(0, 0);
  return {bgr[2], bgr[1], bgr[0]};  // RGB
}

TEST(FlowColor, KnownColoursOfTheWheel) {
  ASSERT_EQ(color_wheel().size(), 55u);
  EXPECT_EQ(color_of(0, 0, 1), cv::Vec3b(255, 255, 255));    // no motion: white
  EXPECT_EQ(color_of(1, 0, 1), cv::Vec3b(255, 0, 0));        // right: wheel[0], red
  EXPECT_EQ(color_of(-1, 0, 1), cv::Vec3b(0, 209, 255));     // left: wheel[27] = (0, 255 - 255*2/11, 255)
  const cv::Vec3b down = color_of(0, 1, 1);                  // down: fk = 13.5, halfway 13 -> 14
  EXPECT_EQ(down[0], 255);
  EXPECT_NEAR(down[1], (221 + 238) / 2.0, 1.0);
  EXPECT_EQ(down[2], 0);
  EXPECT_EQ(color_of(0.5f, 0, 1), cv::Vec3b(255, 127, 127)); // half saturation: 1 - 0.5 * (1 - col)
  EXPECT_EQ(color_of(2, 0, 1), cv::Vec3b(191, 0, 0));        // beyond max_flow: darkened by 0.75
  const cv::Mat unknown(1, 1, CV_32FC2, cv::Scalar(1e10, 0));
  EXPECT_EQ(colorize_flow(unknown).at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
}

TEST(FlowMetrics, HandComputedCases) {
  cv::Mat gt(1, 4, CV_32FC2), est(1, 4, CV_32FC2);
  // EPEs 5, 0, 4, 10; the last pixel's ground truth is unknown and must not count.
  gt.at<cv::Vec2f>(0, 0) = {0, 0};      est.at<cv::Vec2f>(0, 0) = {3, 4};
  gt.at<cv::Vec2f>(0, 1) = {1, 1};      est.at<cv::Vec2f>(0, 1) = {1, 1};
  gt.at<cv::Vec2f>(0, 2) = {100, 0};    est.at<cv::Vec2f>(0, 2) = {104, 0};
  gt.at<cv::Vec2f>(0, 3) = {1e10f, 0};  est.at<cv::Vec2f>(0, 3) = {0, 10};
  const FlowMetrics m = flow_metrics(gt, est, valid_flow_mask(gt));
  EXPECT_EQ(m.valid, 3);
  EXPECT_DOUBLE_EQ(m.epe, 3.0);                       // (5 + 0 + 4) / 3
  EXPECT_DOUBLE_EQ(m.l1, (7.0 + 0.0 + 4.0) / 6.0);    // |du| + |dv| over 2 components per pixel
  EXPECT_DOUBLE_EQ(m.fl, 100.0 / 3.0);                // 5 > 3 and > 5% of 0; 4 < 5% of 100
  cv::Mat mask(1, 4, CV_8U, cv::Scalar(1));
  mask.at<uint8_t>(0, 0) = 0;
  EXPECT_DOUBLE_EQ(flow_metrics(gt, est, mask).epe, 2.0);
}

TEST(FlowMetrics, RejectsMismatchedSizes) {
  EXPECT_THAT(error_of([] { flow_metrics(cv::Mat(2, 2, CV_32FC2), cv::Mat(2, 3, CV_32FC2)); }),
              HasSubstr("ground truth is 2x2, estimate is 3x2"));
}

TEST(ImagePair, LoadsGreyAsRgbAndRefusesSizeMismatch) {
  const fs::path dir = test::temp_dir("pair");
  cv::imwrite((dir / "a.png").string(), cv::Mat(6, 8, CV_8U, cv::Scalar(77)));
  cv::imwrite((dir / "b.png").string(), cv::Mat(6, 8, CV_8UC3, cv::Scalar(1, 2, 3)));
  cv::imwrite((dir / "c.png").string(), cv::Mat(6, 9, CV_8UC3, cv::Scalar(1, 2, 3)));
  const ImagePair pair = load_image_pair(dir / "a.png", dir / "b.png");
  EXPECT_EQ(pair.img1.type(), CV_8UC3);
  EXPECT_EQ(pair.img1.at<cv::Vec3b>(0, 0), cv::Vec3b(77, 77, 77));
  EXPECT_EQ(pair.img2.at<cv::Vec3b>(0, 0), cv::Vec3b(3, 2, 1));  // BGR on disk -> RGB
  EXPECT_THAT(error_of([&] { load_image_pair(dir / "a.png", dir / "c.png"); }), HasSubstr("sizes differ"));
  EXPECT_THAT(error_of([&] { load_image_pair(dir / "a.png", dir / "none.png"); }), HasSubstr("no such image"));
  std::ofstream(dir / "junk.png") << "not a png";
  EXPECT_THAT(error_of([&] { load_rgb(dir / "junk.png"); }), HasSubstr("not an image it knows"));
}

// Found by fuzz_kitti_png and fuzz_image_pair: a file with "DICM" at byte 128 went to OpenCV's
// DICOM decoder, which aborted the process on a malformed one; a header asking for a huge image
// made imread throw cv::Exception past load_rgb. Only the formats flow data comes in get through,
// by their first bytes, and OpenCV's errors come back as FlowIoError naming the file.
TEST(ImageFiles, OnlyKnownFormatsReachADecoderAndItsErrorsNameTheFile) {
  const fs::path dir = test::temp_dir("image-formats");
  std::string dicom(132, '\0');
  dicom.replace(128, 4, "DICM");
  std::ofstream(dir / "scan.png", std::ios::binary) << dicom << std::string(64, 'V');
  EXPECT_THAT(error_of([&] { load_rgb(dir / "scan.png"); }), HasSubstr("scan.png: not an image it knows"));
  EXPECT_THAT(error_of([&] { read_kitti_flow(dir / "scan.png"); }), HasSubstr("qflow reads PNG here"));
  // A JPEG where KITTI wants a PNG is named as such.
  cv::imwrite((dir / "photo.jpg").string(), cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(9)));
  EXPECT_THAT(error_of([&] { read_kitti_flow(dir / "photo.jpg"); }), HasSubstr("a JPEG file; qflow reads PNG here"));
  // A PNG header of 100000 x 100000 pixels: beyond OpenCV's limit, refused with the file's name.
  std::string png = "\x89PNG\r\n\x1a\n";
  const unsigned char chunks[] = {0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0, 8, 2, 0, 0, 0,
                                   0x27, 0x30, 0x9c, 0x9f,  // IHDR's CRC-32; then an empty IDAT and IEND
                                   0, 0, 0, 8, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0x03, 0, 0, 0, 0, 0x01, 0x48, 0x06, 0x89, 0xd2,
                                   0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
  png.append(reinterpret_cast<const char*>(chunks), sizeof chunks);
  std::ofstream(dir / "huge.png", std::ios::binary) << png;
  EXPECT_THAT(error_of([&] { load_rgb(dir / "huge.png"); }), HasSubstr("huge.png: OpenCV cannot read it"));
  // The formats data sets use still load.
  for (const char* name : {"a.ppm", "a.bmp", "a.tiff", "a.webp", "a.jpg"}) {
    cv::imwrite((dir / name).string(), cv::Mat(4, 6, CV_8UC3, cv::Scalar(1, 2, 3)));
    EXPECT_EQ(load_rgb(dir / name).cols, 6) << name;
  }
}

// --resize: a flow computed at the model's size, scaled back to the pair's, in the pair's pixels.
TEST(FlowPanel, ResizedFlowIsInTheTargetImagesPixels) {
  const cv::Mat flow(32, 64, CV_32FC2, cv::Scalar(1.5f, -2.0f));
  const cv::Mat back = resize_flow(flow, 96, 256);  // 4x wider, 3x taller
  ASSERT_EQ(back.rows, 96);
  ASSERT_EQ(back.cols, 256);
  EXPECT_FLOAT_EQ(back.at<cv::Vec2f>(50, 100)[0], 6.0f);
  EXPECT_FLOAT_EQ(back.at<cv::Vec2f>(50, 100)[1], -6.0f);
}

TEST(FlowPanel, HoldsInputsFlowTruthAndErrorSideBySide) {
  ImagePair pair{cv::Mat(32, 48, CV_8UC3, cv::Scalar(10, 20, 30)), cv::Mat(32, 48, CV_8UC3, cv::Scalar(40, 50, 60))};
  const cv::Mat flow(32, 48, CV_32FC2, cv::Scalar(1.0f, 0.0f));
  KittiFlow gt{cv::Mat(32, 48, CV_32FC2, cv::Scalar(0.0f, 0.0f)), cv::Mat(32, 48, CV_8U, cv::Scalar(1))};
  EXPECT_EQ(flow_panel(pair, flow, nullptr).size(), cv::Size(3 * 48, 32));
  const cv::Mat panel = flow_panel(pair, flow, &gt);
  EXPECT_EQ(panel.size(), cv::Size(5 * 48, 32));
  EXPECT_EQ(panel.type(), CV_8UC3);
  // image 2's tile, away from the label, is image 2 in BGR.
  EXPECT_EQ(panel.at<cv::Vec3b>(30, 48 + 40), cv::Vec3b(60, 50, 40));
}

}  // namespace
}  // namespace qflow
