// Reading an image file through OpenCV, safely. Only the formats flow data comes in get through,
// recognised by their first bytes before any decoder sees the file; OpenCV's own errors come back
// as FlowIoError naming the file. Both found by fuzzing (tests/fuzz): OpenCV hands any file with
// "DICM" at byte 128 to GDCM, which aborts the process on a malformed one, and imread throws
// cv::Exception for a header that asks for a huge image.
#pragma once

#include <filesystem>
#include <initializer_list>

#include <opencv2/core.hpp>

namespace qflow {

enum class ImageFormat { Png, Jpeg, Pnm, Bmp, Tiff, WebP };

// The formats image pairs may come in: what FlyingChairs (PPM), Sintel, KITTI and Middlebury (PNG)
// and photographs (JPEG, WebP) use.
inline constexpr std::initializer_list<ImageFormat> kPairFormats = {
    ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Pnm, ImageFormat::Bmp, ImageFormat::Tiff, ImageFormat::WebP};

// cv::imread(file, flags) for a file of one of `accepted`; throws FlowIoError naming the file when it
// is missing, of another format, or unreadable.
cv::Mat read_image_file(const std::filesystem::path& file, int imread_flags, std::initializer_list<ImageFormat> accepted);

}  // namespace qflow
