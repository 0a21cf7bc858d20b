// The FlowNetQ accelerator (DESIGN section 4), built and wired here: CSRs behind a TLM target
// socket, the control unit (control/frame_control), a DMA initiator socket to DRAM (dma/), and the
// layer pipeline: an input streamer reading the pair row by row, one unit per package layer (conv
// PEs with line buffers and weight ROMs, upsample and concat units), skip buffers on chip or in
// DRAM, and the flow writer. Rows of codes move through FIFOs; every unit computes its rows from the
// rows it received. One frame per start.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "arch/arch_config.hpp"
#include "arch/folding_model.hpp"
#include "arch/pipeline_buffers.hpp"
#include "arch/run_plan.hpp"
#include "control/csr_block.hpp"
#include "control/frame_control.hpp"
#include "datapath/conv_row_engine.hpp"
#include "datapath/weight_rom.hpp"
#include "dma/dma_engine.hpp"
#include "dma/frame_transfers.hpp"
#include "pipeline/row_channel.hpp"
#include "pipeline/row_jobs.hpp"
#include "pipeline/stream_unit.hpp"
#include "ref/reference.hpp"

namespace qflow {

class RtlConvUnit;

// Where a frame's time and traffic went, for the reports.
struct FrameTiming {
  uint64_t dma_read_bytes = 0, dma_written_bytes = 0;  // the accelerator's own DRAM traffic
  std::map<std::string, uint64_t> dma_bytes_by_master;  // the same by what it moved
  uint64_t cycles = 0;             // START to DONE
  sc_core::sc_time pipeline_start; // when the frame started
};

// A co-simulated layer's RTL cycles in the last frame, summed over its rows.
struct RtlCycles {
  uint64_t rows = 0;   // each row's first beat to its last code: the PE's busy time
  uint64_t array = 0;  // each row's first beat to the array's last output
};

class Accelerator : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Accelerator);

  CsrBlock csr;

  // `host_threads`: the simulating host's threads that compute PE rows (the simulation's own and
  // host_threads - 1 workers); each row runs on one, so the caller runs the row kernels with one
  // OpenMP thread each while this accelerator exists (see simulate()).
  // `rom_images`: when not empty, every conv PE's ROM is loaded from <dir>/<layer>.mem ($readmemh
  // images as --rom-images writes them) instead of being packed from the package.
  // `record_layers`: copy every row each unit emits into layer_codes() (a probe on every unit's
  // output: about a tenth of a full-size frame's wall time, so off when only the flow is wanted).
  // `rtl_waves`: where co-simulated layers' Verilated units write their FST waves (empty: none).
  Accelerator(sc_core::sc_module_name name, const RunPlan& plan, int host_threads,
              const std::filesystem::path& rom_images = {}, bool record_layers = true,
              const std::filesystem::path& rtl_waves = {});
  ~Accelerator() override;

  // Per package layer: the codes its unit emitted in the last frame (the model's probe); empty
  // unless recording.
  const LayerCodes& layer_codes() const { return observed_; }
  // Per package layer: its pipeline unit's statistics for the last frame.
  const UnitStats& layer_stats(size_t layer) const { return layer_units_[layer]->stats(); }
  const UnitStats& input_stats() const { return input_unit_->stats(); }
  // Every unit of the pipeline (the input streamer, the layers, skip DMA stages, the flow writer).
  const std::vector<std::unique_ptr<StreamUnit>>& units() const { return units_; }
  FrameTiming frame_timing() const;
  // The DMA: its traffic this frame, by master and transfer.
  const DmaEngine& dma() const { return dma_; }
  // The DMA master's initiator socket, to bind to the DRAM.
  tlm_utils::simple_initiator_socket<DmaEngine>& dma_socket() { return dma_.socket; }
  // Per package layer: its weight ROM (null for layers without weights), its RTL's cycles.
  const WeightRom* rom(size_t layer) const { return roms_[layer].get(); }
  // The weights of the layers placed on DDR, as the host driver writes them at CSR kWeightAddr:
  // each layer's ROM image (packed for its folding, or loaded with --load-roms) at weight_offset.
  std::vector<uint8_t> dram_weights() const;
  // The DRAM the skip rows placed there take, from CSR kSkipAddr on.
  uint64_t skip_area_bytes() const;
  // What computes a conv PE's rows on this host: a fast kernel's name, or the Verilated RTL; "" for other units.
  std::string row_kernel(size_t layer) const;
  RtlCycles rtl_cycles(size_t layer) const;
  // Every channel, and the buffer it was built from (depth, row bits, skip): for the reports.
  const std::vector<std::unique_ptr<RowChannel>>& channels() const { return channels_; }
  const BufferSpec& channel_spec(size_t channel) const { return *channel_specs_[channel]; }
  static constexpr size_t kInputMap = ~size_t(0);  // the pair's "layer" in map_index_
  // Units waiting right now, and on what: what a deadlock report shows.
  std::string blocked_units() const;
  // Why a unit failed to compute a row (a dataflow error, a co-simulation error), when one did.
  const std::string& datapath_error() const { return datapath_error_; }
  void set_progress(std::function<void(double)> progress) { progress_ = std::move(progress); }

  // Soft errors (model/faults/fault_injector): the sites an upset reaches, by layer or channel
  // name; each throws FaultError for a site that does not exist or bits past it. A ROM upset is
  // read (corrected, detected or taken) by its PE at its next row; an accumulator upset hits the
  // PE's next row.
  void upset_rom(const std::string& layer, int64_t word, int bit, int burst);
  void upset_line_buffer(const std::string& layer, int64_t held, int64_t element, int bit, int burst);
  void upset_fifo(const std::string& channel, int64_t waiting, int64_t element, int bit, int burst);
  void upset_dram_skip(const std::string& edge, int64_t row, int64_t element, int bit, int burst);
  void upset_accumulator(const std::string& layer, int64_t element, int bit, int burst);
  void restore_roms();  // every ROM as loaded: a reload
  // Each flow row's codes computed and written to DRAM at its time, not at the frame's end: what
  // an upset that redirects the flow writer (a CSR) needs, for a unit that reads DRAM meanwhile
  // to see them. Slower: the rows are then computed in the order the pipeline interleaves them.
  void write_flow_rows_at_their_time() { flow_rows_at_their_time_ = true; }
  const sc_core::sc_event& frame_start() const { return control_.frame_start(); }
  const sc_core::sc_event& frame_done() const { return flow_writer_->finished(); }  // the flow's last row written
  sc_core::sc_time period() const { return period_; }
  void trace(sc_core::sc_trace_file* file) const;

 private:
  void prepare_frame();
  // The channel of that name as arch/pipeline_buffers specifies it (its depth and rows).
  RowChannel* connect(StreamUnit& producer, const std::string& name);
  void build_pipeline();
  void build_datapath(const std::filesystem::path& rom_images, const std::filesystem::path& rtl_waves);
  StreamUnit::RowWork layer_work(size_t layer);
  StreamUnit::RowWork cosimulated_work(size_t layer);
  StreamUnit::RowWork guarded(StreamUnit::RowWork work);
  void record(size_t layer, const Row& row);  // on any thread: rows write apart
  RowRef defer_row(size_t layer, std::shared_ptr<Row> row, const std::vector<RowRef>& inputs,
                   std::function<void(Row&)> compute);
  void stop_frame(const std::exception& error);
  StreamUnit* add_unit(const std::string& name, int rows, int64_t row_cycles, StreamUnit::RowNeed need);
  const TensorShape& map_shape(size_t layer) const;
  StreamUnit* spill_to_dram(StreamUnit& source, const std::string& edge, size_t map);
  sc_core::sc_time fetch_weights(size_t layer, int y);
  size_t conv_layer(const std::string& name) const;  // throws FaultError unless a conv layer
  void read_rom_upsets(size_t layer);                 // the PE's read; a detected error flags the frame
  void rebuild_engine(size_t layer);                  // from its ROM's words, once its rows to compute are done
  void flag_memory_error(const std::string& what);
  struct AccumulatorUpset {
    int64_t element;
    int bit, burst;
  };

  const Package& package_;
  ArchConfig config_;
  sc_core::sc_time period_;
  TensorShape input_shape_;
  const std::vector<LayerPlan>& plans_;  // per layer: its folding, row cycles and output shape
  std::map<std::string, size_t> map_index_{{"input", kInputMap}};  // a map's name -> its layer
  std::vector<std::unique_ptr<WeightRom>> roms_;          // per layer
  std::vector<std::unique_ptr<ConvRowEngine>> engines_;   // per layer: conv PEs' datapaths
  std::vector<std::unique_ptr<RtlConvUnit>> rtl_;         // per layer: co-simulated PEs' RTL
  std::vector<RtlCycles> rtl_cycles_;                     // per layer: its RTL's cycles this frame
  // Per layer with weights on DDR: the image the host writes (what --load-roms or the package gave),
  // its offset from kWeightAddr, and the PE's fetch buffer. Such a PE's ROM is its weight buffer:
  // empty (zero) until the first fetch, then what it fetched.
  std::vector<std::vector<uint8_t>> ddr_images_, fetched_;
  std::vector<uint64_t> weight_offset_;
  std::vector<DmaEngine::Master> weight_master_;
  std::unique_ptr<RowJobs> jobs_;                         // the PEs' rows off the simulation thread
  std::vector<RowJobs::Cost> row_costs_;                  // per co-simulated layer: how long its rows take on the host
  std::vector<std::optional<AccumulatorUpset>> accumulator_upsets_;  // per layer: for its PE's next row
  LayerCodes observed_;
  bool flow_rows_at_their_time_ = false;
  DmaEngine dma_;
  FrameControl control_;
  InputReader input_reader_;
  std::vector<std::unique_ptr<SkipSpill>> spills_;  // skip maps held in DRAM
  std::map<std::string, SkipSpill*> spill_by_edge_;
  std::unique_ptr<FlowWriter> flow_out_;
  std::vector<std::unique_ptr<StreamUnit>> units_;
  std::vector<StreamUnit*> layer_units_;  // per package layer
  StreamUnit* input_unit_ = nullptr;
  StreamUnit* flow_writer_ = nullptr;
  std::map<std::string, BufferSpec> buffer_specs_;  // every FIFO and skip buffer, by channel name
  std::vector<std::unique_ptr<RowChannel>> channels_;
  std::vector<const BufferSpec*> channel_specs_;     // per channel
  std::string datapath_error_;
  // A memory's code detected an error this frame: the datapath goes on, and the frame ends with
  // the error status (Memory), as a checker's flag would end it.
  bool memory_error_ = false;
  int rows_done_ = 0, rows_total_ = 0;
  std::function<void(double)> progress_;
};

}  // namespace qflow
