#include "accelerator.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "arch/folding_model.hpp"
#include "driver/tlm_transfer.hpp"
#include "ref/host_flow.hpp"

namespace qflow {

using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::sc_time_stamp;

namespace {

StreamUnit::RowNeed row_need(const Layer& layer, int in_height) {
  const auto clamp = [in_height](int row) { return std::clamp(row, 0, in_height - 1); };
  switch (layer.op) {
    case LayerOp::Conv:
    case LayerOp::FlowHead: {
      const int s = layer.stride, p = layer.pad, k = layer.kernel;
      return [=](int y) { return clamp(y * s - p + k - 1); };
    }
    case LayerOp::Upsample2x:  // bilinear x2 (align_corners = false) reads rows floor((y-1)/2) and (y+1)/2
      return [=](int y) { return clamp((y + 1) / 2); };
    case LayerOp::Concat: break;
  }
  return [](int y) { return y; };
}

}  // namespace

Accelerator::Accelerator(sc_core::sc_module_name name, const Package& package, const ArchConfig& config)
    : sc_module(name),
      dma_socket("dma_socket"),
      csr("csr", package.height, package.width, int(package.layers.size()), sc_time(1000.0 / config.clock_mhz, SC_NS)),
      package_(package),
      config_(config),
      period_(config.period_ns(), SC_NS),
      shapes_(infer_shapes(package)),
      input_shape_(input_shape(package)),
      datapath_(std::make_unique<FunctionalDatapath>(package, config)) {
  build_pipeline();
  SC_THREAD(control);
}

Accelerator::~Accelerator() = default;

StreamUnit* Accelerator::add_unit(const std::string& name, int rows, int64_t row_cycles, StreamUnit::RowNeed need) {
  units_.push_back(std::make_unique<StreamUnit>(name.c_str(), rows, row_cycles, period_, std::move(need), frame_start_));
  StreamUnit* unit = units_.back().get();
  rows_total_ += rows;
  unit->set_row_done([this] {
    if (progress_) report_progress(1.0, double(++rows_done_) / rows_total_);
  });
  return unit;
}

RowChannel* Accelerator::connect(StreamUnit& producer, int rows, const std::string& name, int depth) {
  channels_.push_back(std::make_unique<RowChannel>(name.c_str(), producer.basename(), depth, rows));
  producer.add_output(channels_.back().get());
  return channels_.back().get();
}

int Accelerator::fifo_depth(const std::string& producer) const {
  const auto conv = config_.convs.find(producer);
  return conv != config_.convs.end() && conv->second.fifo_depth_rows > 0 ? conv->second.fifo_depth_rows
                                                                         : config_.fifo_depth_rows;
}

void Accelerator::build_pipeline() {
  const std::vector<LayerPlan> plans = plan_layers(package_, config_);
  input_unit_ = add_unit("input", package_.height, 0, nullptr);
  input_unit_->set_row_action([this](int y) { return stream_input_row(y); });
  std::map<std::string, StreamUnit*> producer{{"input", input_unit_}};
  std::map<std::string, int> rows{{"input", package_.height}}, consumers;
  std::map<std::string, size_t> layer_index{{"input", kInputMap}};
  uint64_t skip_offset = 0;
  for (size_t i = 0; i < package_.layers.size(); ++i) {
    const Layer& layer = package_.layers[i];
    StreamUnit* unit =
        add_unit(layer.name, shapes_[i].height, plans[i].row_cycles, row_need(layer, rows.at(layer.inputs.at(0))));
    for (const std::string& from : layer.inputs) {
      const std::string edge = from + "_to_" + layer.name;
      StreamUnit& source = *producer.at(from);
      const int from_rows = rows.at(from);
      // A producer's first consumer is its neighbour; any later one (a decoder concat) reads a
      // skip buffer holding the whole map until the decoder gets there.
      if (consumers[from]++ == 0) {
        unit->add_input(connect(source, from_rows, edge, fifo_depth(from)));
      } else if (config_.skips == SkipPlacement::OnChip) {
        unit->add_input(connect(source, from_rows, edge, from_rows));
        skips_.push_back(channels_.back().get());
      } else {
        const size_t from_layer = layer_index.at(from);
        const uint64_t base = skip_offset;
        skip_offset += skip_row_bytes(from_layer) * uint64_t(from_rows);
        StreamUnit* writer = add_unit(edge + "_skip_write", from_rows, 0, [](int y) { return y; });
        writer->add_input(connect(source, from_rows, edge + "_to_dram", fifo_depth(from)));
        writer->set_row_action([=](int y) { return skip_transfer(tlm::TLM_WRITE_COMMAND, from_layer, base, y); });
        StreamUnit* reader = add_unit(edge + "_skip_read", from_rows, 0, [](int y) { return y; });
        reader->add_input(connect(*writer, from_rows, edge + "_in_dram", from_rows));
        skips_.push_back(channels_.back().get());
        reader->set_row_action([=](int y) { return skip_transfer(tlm::TLM_READ_COMMAND, from_layer, base, y); });
        unit->add_input(connect(*reader, from_rows, edge + "_from_dram", config_.fifo_depth_rows));
      }
    }
    producer[layer.name] = unit;
    rows[layer.name] = shapes_[i].height;
    layer_index[layer.name] = i;
    layer_units_.push_back(unit);
  }
  const TensorShape& flow = shapes_.back();
  flow_writer_ = add_unit("flow_writer", flow.height, 0, [](int y) { return y; });
  flow_writer_->add_input(connect(*layer_units_.back(), flow.height, package_.layers.back().name + "_to_flow_writer",
                                  fifo_depth(package_.layers.back().name)));
  flow_writer_->set_row_action([this](int y) {
    const CodeMap& head = datapath_->codes().back();
    sc_time t;
    for (int c = 0; c < head.channels; ++c) {
      const size_t at = (size_t(c) * head.height + y) * head.width;
      // A TLM payload's data pointer is non-const; a write only reads through it.
      t = dma(tlm::TLM_WRITE_COMMAND, csr.reg(csr::kFlowAddr) + at * 2, const_cast<int16_t*>(head.codes.data() + at),
              head.width * 2u, t);
    }
    return t;
  });
}

// A skip row in DRAM: one byte per code, channel-major, at the skip scratch area.
const TensorShape& Accelerator::map_shape(size_t layer) const {
  return layer == kInputMap ? input_shape_ : shapes_[layer];
}

// A skip row in DRAM: channel-major, one byte per code (two for 1/16-unit upsampled codes).
uint64_t Accelerator::skip_row_bytes(size_t layer) const {
  const TensorShape& s = map_shape(layer);
  return uint64_t(s.channels) * s.width * (s.bits + s.frac > 8 ? 2 : 1);
}

sc_time Accelerator::skip_transfer(tlm::tlm_command command, size_t layer, uint64_t base, int row) {
  const CodeMap& map = layer == kInputMap ? input_ : datapath_->codes()[layer];
  const size_t row_bytes = skip_row_bytes(layer), code_bytes = row_bytes / (size_t(map.channels) * map.width);
  skip_row_.resize(row_bytes);
  if (command == tlm::TLM_WRITE_COMMAND)
    for (int c = 0; c < map.channels; ++c)
      for (int x = 0; x < map.width; ++x) {
        const int16_t code = map.codes[(size_t(c) * map.height + row) * map.width + x];
        std::memcpy(&skip_row_[(size_t(c) * map.width + x) * code_bytes], &code, code_bytes);  // little endian
      }
  return dma(command, csr.reg(csr::kSkipAddr) + base + uint64_t(row) * row_bytes, skip_row_.data(), row_bytes);
}

sc_time Accelerator::dma(tlm::tlm_command command, uint64_t address, void* data, size_t length, sc_time issued) {
  tlm::tlm_generic_payload trans;
  prepare_transfer(trans, command, address, data, length);
  sc_time delay = issued;
  dma_socket->b_transport(trans, delay);
  if (trans.is_response_error() && dma_error_ == csr::ErrorCode::None)
    dma_error_ = command == tlm::TLM_READ_COMMAND ? csr::ErrorCode::DmaRead : csr::ErrorCode::DmaWrite;
  (command == tlm::TLM_READ_COMMAND ? timing_.dma_read_bytes : timing_.dma_written_bytes) += length;
  return delay;
}

// The pair as the datapath computes it ahead: read through the DMA's socket with debug transport
// (no time, no traffic). The timed reads happen row by row as the input streamer feeds the pipeline.
bool Accelerator::fetch_input() {
  const int h = package_.height, w = package_.width;
  cv::Mat images[2];
  for (int i = 0; i < 2; ++i) {
    images[i].create(h, w, CV_8UC3);
    const size_t bytes = size_t(h) * w * 3;
    tlm::tlm_generic_payload trans;
    prepare_transfer(trans, tlm::TLM_READ_COMMAND, csr.reg(i == 0 ? csr::kImg1Addr : csr::kImg2Addr), images[i].data,
                     bytes);
    if (dma_socket->transport_dbg(trans) != bytes) return false;
  }
  input_ = stack_input(images[0], images[1]);
  return true;
}

// Row y of both images over the DMA, then its pixels into the first PE at one per cycle, whichever
// is slower.
sc_time Accelerator::stream_input_row(int y) {
  const size_t row_bytes = size_t(package_.width) * 3;
  input_row_.resize(row_bytes);
  sc_time t;
  for (const uint32_t image : {csr::kImg1Addr, csr::kImg2Addr})
    t = dma(tlm::TLM_READ_COMMAND, csr.reg(image) + uint64_t(y) * row_bytes, input_row_.data(), row_bytes, t);
  return std::max(t, period_ * double(package_.width));
}

void Accelerator::control() {
  for (;;) {
    wait(csr.start_requested());
    const sc_time start = sc_time_stamp();
    timing_ = {};
    dma_error_ = csr::ErrorCode::None;
    rows_done_ = 0;
    if (!fetch_input()) {
      csr.frame_failed(csr::ErrorCode::DmaRead);
      continue;
    }
    const sc_time compute_start = sc_time_stamp();
    try {
      datapath_->compute(input_, [this](double done) { report_progress(done, 0.0); });
    } catch (const std::exception& e) {  // thrown through SystemC it would lose its message
      datapath_error_ = e.what();
      csr.frame_failed(csr::ErrorCode::Datapath);
      continue;
    }
    timing_.cosim = sc_time_stamp() - compute_start;
    timing_.pipeline_start = sc_time_stamp();
    frame_start_.notify(sc_core::SC_ZERO_TIME);
    wait(flow_writer_->finished());
    if (dma_error_ != csr::ErrorCode::None) {
      csr.frame_failed(dma_error_);
      continue;
    }
    timing_.cycles = uint64_t(std::llround((sc_time_stamp() - start - timing_.cosim) / period_));
    std::vector<uint64_t> busy;
    for (const StreamUnit* unit : layer_units_) busy.push_back(uint64_t(unit->stats().busy_cycles));
    csr.frame_done(timing_.cycles, busy);
  }
}

void Accelerator::report_progress(double cosim_done, double rows_done) {
  if (!progress_) return;
  // Co-simulation is where a co-simulated frame's time goes; the pipeline's rows take the rest.
  constexpr double kCosimShare = 0.95;
  progress_(datapath_->cosimulates() ? kCosimShare * cosim_done + (1.0 - kCosimShare) * rows_done : rows_done);
}

bool Accelerator::is_skip(const RowChannel& channel) const {
  return std::find(skips_.begin(), skips_.end(), &channel) != skips_.end();
}

std::string Accelerator::blocked_units() const {
  std::string list;
  for (const auto& unit : units_)
    if (!unit->waiting_on().empty()) list += fmt::format("\n  {} waits for {}", unit->basename(), unit->waiting_on());
  return list;
}

void Accelerator::trace(sc_core::sc_trace_file* file) const {
  csr.trace(file);
  for (const auto& unit : units_) unit->trace(file);
  for (const auto& channel : channels_) channel->trace(file);
  datapath_->trace(file);
}

}  // namespace qflow
