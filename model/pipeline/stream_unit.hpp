// One unit of the layer pipeline in simulated time (a conv PE, an upsample or concat unit, the
// input streamer, a DMA stage): for every output row it waits until its inputs hold the rows the
// row's window needs (line buffer), computes for the modeled cycles of that row, then hands the
// row to every consumer, stalling while a consumer's FIFO is full. Cycle-approximate: the codes
// were computed ahead by the datapath; this unit decides when each row exists.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "row_channel.hpp"

namespace qflow {

struct UnitStats {
  int64_t busy_cycles = 0;                // computing (or transferring, for a DMA stage)
  sc_core::sc_time starve, stall;         // waiting for an input row; for room in an output FIFO
  sc_core::sc_time first_start, last_end; // first row's start, last row's end
  int rows = 0;
};

class StreamUnit : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(StreamUnit);

  // The last input row output row y needs (clamped to the input's height by the caller).
  using RowNeed = std::function<int(int y)>;
  // Extra work for row y, e.g. a DMA transfer: returns the time it takes.
  using RowAction = std::function<sc_core::sc_time(int y)>;

  StreamUnit(sc_core::sc_module_name name, int out_rows, int64_t row_cycles, sc_core::sc_time period,
             RowNeed need, const sc_core::sc_event& frame_start);

  void add_input(RowChannel* channel) { inputs_.push_back(channel); }
  void add_output(RowChannel* channel) { outputs_.push_back(channel); }
  void set_row_action(RowAction action) { action_ = std::move(action); }
  void set_row_done(std::function<void()> done) { row_done_ = std::move(done); }

  const UnitStats& stats() const { return stats_; }
  const sc_core::sc_event& finished() const { return finished_; }
  // What the unit waits for right now ("" when it is not waiting): a deadlock report names it.
  const std::string& waiting_on() const { return waiting_on_; }
  void trace(sc_core::sc_trace_file* file) const;

 private:
  void run();
  void receive_through(int row, std::vector<int>& received);
  void emit(int row);

  int out_rows_;
  int64_t row_cycles_;
  sc_core::sc_time period_;
  RowNeed need_;
  const sc_core::sc_event& frame_start_;
  std::vector<RowChannel*> inputs_, outputs_;
  RowAction action_;
  std::function<void()> row_done_;
  UnitStats stats_;
  std::string waiting_on_;
  sc_core::sc_event finished_;
  sc_core::sc_signal<bool> busy_{"busy"}, stalled_{"stalled"}, starved_{"starved"};
  sc_core::sc_signal<int> row_{"row"};
};

}  // namespace qflow
