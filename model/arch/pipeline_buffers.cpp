#include "pipeline_buffers.hpp"

#include <map>

#include <fmt/format.h>

#include "model_error.hpp"
#include "package/network_shapes.hpp"

namespace qflow {
namespace {

// The depth in rows of `channel`, a FIFO `producer` (a layer name, "input", or "" for a DMA stage)
// writes: the config's depth for that channel, else its producer's, else the default.
int fifo_depth_rows(const ArchConfig& config, const std::string& producer, const std::string& channel) {
  if (const auto given = config.fifo_depths.find(channel); given != config.fifo_depths.end()) return given->second;
  const auto conv = config.convs.find(producer);
  return conv != config.convs.end() && conv->second.fifo_depth_rows > 0 ? conv->second.fifo_depth_rows
                                                                        : config.fifo_depth_rows;
}

// A skip buffer's: the config's depth for that channel, else the whole map.
int skip_depth_rows(const ArchConfig& config, const std::string& channel, int map_rows) {
  const auto given = config.fifo_depths.find(channel);
  return given != config.fifo_depths.end() ? given->second : map_rows;
}

}  // namespace

std::vector<BufferSpec> pipeline_buffers(const Package& package, const ArchConfig& config,
                                         const std::vector<LayerPlan>& plans) {
  const std::map<std::string, TensorShape> shape = map_shapes(package, plans);
  std::map<std::string, int64_t> beat{{"input", int64_t(shape.at("input").channels) * shape.at("input").bits}};
  for (const LayerPlan& plan : plans)
    beat[plan.name] = int64_t(plan.pe > 0 ? plan.pe : plan.out.channels) * (plan.out.bits + plan.out.frac);
  const auto row_bits = [&](const std::string& map) {
    const TensorShape& s = shape.at(map);
    return int64_t(s.channels) * s.width * (s.bits + s.frac);
  };
  const auto pixel_bits = [&](const std::string& map) {
    return int64_t(shape.at(map).channels) * (shape.at(map).bits + shape.at(map).frac);
  };
  std::vector<BufferSpec> buffers;
  std::map<std::string, int> consumers;
  for (const Layer& layer : package.layers)
    for (const std::string& from : layer.inputs) {
      const std::string edge = from + "_to_" + layer.name;
      const int rows = shape.at(from).height;
      if (consumers[from]++ == 0) {
        buffers.push_back({edge, fifo_depth_rows(config, from, edge), rows, row_bits(from), beat.at(from), false, false});
      } else if (config.skips == SkipPlacement::OnChip) {
        buffers.push_back({edge, skip_depth_rows(config, edge, rows), rows, row_bits(from), beat.at(from), true, false});
      } else {
        const std::string to = edge + "_to_dram", back = edge + "_from_dram";
        buffers.push_back({to, fifo_depth_rows(config, from, to), rows, row_bits(from), beat.at(from), false, false});
        buffers.push_back({edge + "_in_dram", rows, rows, row_bits(from), pixel_bits(from), true, true});
        buffers.push_back({back, fifo_depth_rows(config, "", back), rows, row_bits(from), pixel_bits(from), false, false});
      }
    }
  const std::string& head = package.layers.back().name;
  const std::string last = head + "_to_flow_writer";
  buffers.push_back(
      {last, fifo_depth_rows(config, head, last), shape.at(head).height, row_bits(head), beat.at(head), false, false});
  for (const auto& [name, depth] : config.fifo_depths) {
    bool known = false;
    for (const BufferSpec& b : buffers) known = known || (b.name == name && !b.in_dram);
    if (!known) {
      std::string list;
      for (const BufferSpec& b : buffers)
        if (!b.in_dram) list += (list.empty() ? "" : ", ") + b.name;
      throw ArchError(fmt::format("architecture config: 'fifos' names '{}', which is not a FIFO or on-chip skip buffer of "
                                  "package '{}' (its channels: {})", name, package.name, list));
    }
  }
  return buffers;
}

}  // namespace qflow
