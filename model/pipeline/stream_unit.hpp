// One unit of the layer pipeline in simulated time (a conv PE, an upsample or concat unit, the
// input streamer, a DMA stage): for every output row it waits until its line buffers hold the
// rows the row's window needs, computes the row from them (its work), takes the modeled cycles of
// that row, then hands the row to every consumer, stalling while a consumer's FIFO is full.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "line_buffer.hpp"
#include "row_channel.hpp"

namespace qflow {

// One stretch of a unit's frame in one state, for the pipeline timeline (Gantt) chart.
struct UnitSpan {
  enum State : char { Busy = 'B', Stall = 'S', Starve = 'W', Weights = 'D' } state;
  sc_core::sc_time start, end;
};

struct UnitStats {
  int64_t busy_cycles = 0;                // computing (or transferring, for a DMA stage)
  sc_core::sc_time starve, stall;         // waiting for an input row; for room in an output FIFO
  sc_core::sc_time weight_wait;           // waiting for weights streamed from DRAM
  sc_core::sc_time first_start, last_end; // first row's start, last row's end
  int rows = 0;
  std::vector<UnitSpan> spans;            // every busy, stalled and starved stretch, in time order
};

class StreamUnit : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(StreamUnit);

  // The last input row output row y needs (clamped to the input's height by the caller).
  using RowNeed = std::function<int(int y)>;
  // Computes row y into `out` from the line buffers (a DMA stage moves it); returns the time it
  // takes beyond the unit's modeled row cycles (a DMA transfer's), and may itself wait in
  // simulated time (a co-simulated PE's RTL).
  using RowWork = std::function<sc_core::sc_time(int y, const std::vector<LineBuffer>& in, RowRef& out)>;

  StreamUnit(sc_core::sc_module_name name, int out_rows, int64_t row_cycles, sc_core::sc_time period,
             RowNeed need, const sc_core::sc_event& frame_start);

  // `window_rows`: the rows of this input the line buffer holds.
  void add_input(RowChannel* channel, int window_rows);
  void add_output(RowChannel* channel) { outputs_.push_back(channel); }
  void set_row_work(RowWork work) { work_ = std::move(work); }
  // A PE whose weights stream from DRAM: how long it waits for them before output row y (its window
  // already complete); the unit spends that in its weights state.
  void set_weight_wait(std::function<sc_core::sc_time(int y)> wait) { weight_wait_ = std::move(wait); }
  // Called with every row the unit emits (the model's probe for layer dumps and progress).
  void set_row_done(std::function<void(const RowRef&)> done) { row_done_ = std::move(done); }
  const std::vector<LineBuffer>& line_buffers() const { return lines_; }
  LineBuffer& line_buffer(size_t input) { return lines_.at(input); }  // for upsets (model/faults)

  const UnitStats& stats() const { return stats_; }
  const sc_core::sc_event& finished() const { return finished_; }
  // What the unit waits for right now ("" when it is not waiting): a deadlock report names it.
  const std::string& waiting_on() const { return waiting_on_; }
  const sc_core::sc_time& waiting_since() const { return waiting_since_; }
  void trace(sc_core::sc_trace_file* file) const;

 private:
  void run();
  void receive_through(int row);
  void wait_for_weights(int y);
  void emit(const RowRef& row);

  int out_rows_;
  int64_t row_cycles_;
  sc_core::sc_time period_;
  RowNeed need_;
  const sc_core::sc_event& frame_start_;
  std::vector<RowChannel*> inputs_, outputs_;
  std::vector<LineBuffer> lines_;  // one per input
  RowWork work_;
  std::function<sc_core::sc_time(int y)> weight_wait_;
  std::function<void(const RowRef&)> row_done_;
  UnitStats stats_;
  std::string waiting_on_;
  sc_core::sc_time waiting_since_;
  sc_core::sc_event finished_;
  sc_core::sc_signal<bool> busy_{"busy"}, stalled_{"stalled"}, starved_{"starved"}, weights_{"weights"};
  sc_core::sc_signal<int> row_{"row"};
};

}  // namespace qflow
