#include "flow_file.hpp"

#include <fmt/format.h>

#include "errors.hpp"
#include "flo_io.hpp"
#include "flow_metrics.hpp"

namespace qflow {
namespace {
enum class FlowFormat { Flo, Kitti };

FlowFormat format_of(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".flo") return FlowFormat::Flo;
  if (ext == ".png") return FlowFormat::Kitti;
  throw FlowIoError(fmt::format("{}: unknown flow format '{}' (.flo or KITTI .png)", file.string(), ext));
}
}  // namespace

KittiFlow read_flow_file(const std::filesystem::path& file) {
  if (format_of(file) == FlowFormat::Kitti) return read_kitti_flow(file);
  cv::Mat flow = read_flo(file);
  return {flow, valid_flow_mask(flow)};
}

void write_flow_file(const std::filesystem::path& file, const cv::Mat& flow) {
  if (format_of(file) == FlowFormat::Kitti)
    write_kitti_flow(file, flow);
  else
    write_flo(file, flow);
}

}  // namespace qflow
