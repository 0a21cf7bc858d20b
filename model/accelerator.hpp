// The FlowNetQ accelerator (DESIGN section 4): CSRs behind a TLM target socket, a DMA initiator
// socket to DRAM, the datapath computing each frame's codes ahead, and the layer pipeline that
// times them: an input streamer, one unit per package layer (conv PEs, upsample and concat
// units), skip buffers on chip or in DRAM, and the flow writer. One frame per start.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "arch/arch_config.hpp"
#include "control/csr_block.hpp"
#include "datapath/functional_datapath.hpp"
#include "pipeline/row_channel.hpp"
#include "pipeline/stream_unit.hpp"

namespace qflow {

// Where a frame's time went, for the reports.
struct FrameTiming {
  uint64_t dma_read_bytes = 0, dma_written_bytes = 0;  // the accelerator's own DRAM traffic
  uint64_t cycles = 0;             // START to DONE, excluding co-simulation
  sc_core::sc_time cosim;          // the RTL's own simulated time (not accelerator time)
  sc_core::sc_time pipeline_start; // when the first row entered the pipeline
};

class Accelerator : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Accelerator);

  tlm_utils::simple_initiator_socket<Accelerator> dma_socket;
  CsrBlock csr;

  Accelerator(sc_core::sc_module_name name, const Package& package, const ArchConfig& config);
  ~Accelerator() override;

  const FunctionalDatapath& datapath() const { return *datapath_; }
  // Per package layer: its pipeline unit's statistics for the last frame.
  const UnitStats& layer_stats(size_t layer) const { return layer_units_[layer]->stats(); }
  const UnitStats& input_stats() const { return input_unit_->stats(); }
  const FrameTiming& frame_timing() const { return timing_; }
  // Every channel with its depth, for the resource report.
  const std::vector<std::unique_ptr<RowChannel>>& channels() const { return channels_; }
  bool is_skip(const RowChannel& channel) const;
  // Units waiting right now, and on what: what a deadlock report shows.
  std::string blocked_units() const;
  // Why the datapath failed (a co-simulation error), when it did.
  const std::string& datapath_error() const { return datapath_error_; }
  void set_progress(std::function<void(double)> progress) { progress_ = std::move(progress); }
  void trace(sc_core::sc_trace_file* file) const;

 private:
  struct Node;  // a producer in the pipeline graph: its unit, height and consumers
  void control();
  bool fetch_input();
  sc_core::sc_time stream_input_row(int y);
  // One DMA transfer issued `issued` after the current time; returns when it completes, relative to
  // the current time (chain them: t = dma(..., t)).
  sc_core::sc_time dma(tlm::tlm_command command, uint64_t address, void* data, size_t length,
                       sc_core::sc_time issued = sc_core::SC_ZERO_TIME);
  RowChannel* connect(StreamUnit& producer, int rows, const std::string& name, int depth);
  void build_pipeline();
  int fifo_depth(const std::string& producer) const;  // of the FIFOs a unit writes
  StreamUnit* add_unit(const std::string& name, int rows, int64_t row_cycles, StreamUnit::RowNeed need);
  void report_progress(double cosim_done, double rows_done);
  // Layer index of a map, or kInputMap for the input pair.
  static constexpr size_t kInputMap = ~size_t(0);
  const TensorShape& map_shape(size_t layer) const;
  uint64_t skip_row_bytes(size_t layer) const;
  sc_core::sc_time skip_transfer(tlm::tlm_command command, size_t layer, uint64_t base, int row);

  const Package& package_;
  ArchConfig config_;
  sc_core::sc_time period_;
  std::vector<TensorShape> shapes_;
  TensorShape input_shape_;
  std::unique_ptr<FunctionalDatapath> datapath_;
  CodeMap input_;
  sc_core::sc_event frame_start_;
  std::vector<std::unique_ptr<StreamUnit>> units_;
  std::vector<StreamUnit*> layer_units_;  // per package layer
  StreamUnit* input_unit_ = nullptr;
  StreamUnit* flow_writer_ = nullptr;
  std::vector<std::unique_ptr<RowChannel>> channels_;
  std::vector<const RowChannel*> skips_;
  FrameTiming timing_;
  csr::ErrorCode dma_error_ = csr::ErrorCode::None;  // the frame's first DMA failure
  std::string datapath_error_;
  int rows_done_ = 0, rows_total_ = 0;
  std::function<void(double)> progress_;
  std::vector<uint8_t> skip_row_, input_row_;
};

}  // namespace qflow
