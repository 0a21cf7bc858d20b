#include "image_file.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include "errors.hpp"

namespace qflow {
namespace {

const char* name_of(ImageFormat format) {
  switch (format) {
    case ImageFormat::Png: return "PNG";
    case ImageFormat::Jpeg: return "JPEG";
    case ImageFormat::Pnm: return "PPM/PGM";
    case ImageFormat::Bmp: return "BMP";
    case ImageFormat::Tiff: return "TIFF";
    case ImageFormat::WebP: return "WebP";
  }
  return "?";
}

// The format a file's first bytes announce, as the decoders' own signature checks read them.
std::optional<ImageFormat> sniff(const std::filesystem::path& file) {
  std::array<unsigned char, 12> b{};
  std::ifstream in(file, std::ios::binary);
  in.read(reinterpret_cast<char*>(b.data()), std::streamsize(b.size()));
  const auto starts = [&](const char* magic, size_t at = 0) {
    return std::memcmp(b.data() + at, magic, std::strlen(magic)) == 0;
  };
  const size_t got = size_t(in.gcount());
  if (got >= 8 && starts("\x89PNG\r\n\x1a\n")) return ImageFormat::Png;
  if (got >= 3 && starts("\xff\xd8\xff")) return ImageFormat::Jpeg;
  if (got >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6' && std::strchr(" \t\r\n#", b[2])) return ImageFormat::Pnm;
  if (got >= 2 && starts("BM")) return ImageFormat::Bmp;
  if (got >= 4 && (starts("II*") || (starts("MM") && b[2] == 0 && b[3] == '*'))) return ImageFormat::Tiff;
  if (got >= 12 && starts("RIFF") && starts("WEBP", 8)) return ImageFormat::WebP;
  return std::nullopt;
}

}  // namespace

cv::Mat read_image_file(const std::filesystem::path& file, int imread_flags, std::initializer_list<ImageFormat> accepted) {
  if (!std::filesystem::is_regular_file(file)) throw FlowIoError(fmt::format("{}: no such image file", file.string()));
  const std::optional<ImageFormat> format = sniff(file);
  if (!format || std::find(accepted.begin(), accepted.end(), *format) == accepted.end()) {
    std::string names;
    for (ImageFormat f : accepted) names += (names.empty() ? "" : ", ") + std::string(name_of(f));
    throw FlowIoError(fmt::format("{}: {}; qflow reads {} here", file.string(),
                                  format ? fmt::format("a {} file", name_of(*format)) : std::string("not an image it knows"),
                                  names));
  }
  cv::Mat image;
  try {
    image = cv::imread(file.string(), imread_flags);
  } catch (const cv::Exception& e) {
    throw FlowIoError(fmt::format("{}: OpenCV cannot read it: {}", file.string(), e.err));
  }
  if (image.empty()) throw FlowIoError(fmt::format("{}: a damaged {} file", file.string(), name_of(*format)));
  return image;
}

}  // namespace qflow
