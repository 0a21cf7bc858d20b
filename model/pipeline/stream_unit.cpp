#include "stream_unit.hpp"

#include <cmath>

namespace qflow {

using sc_core::sc_time;
using sc_core::sc_time_stamp;

StreamUnit::StreamUnit(sc_core::sc_module_name name, int out_rows, int64_t row_cycles, sc_time period, RowNeed need,
                       const sc_core::sc_event& frame_start)
    : sc_module(name),
      out_rows_(out_rows),
      row_cycles_(row_cycles),
      period_(period),
      need_(std::move(need)),
      frame_start_(frame_start) {
  SC_THREAD(run);
}

void StreamUnit::trace(sc_core::sc_trace_file* file) const {
  const std::string prefix = std::string(basename()) + ".";
  sc_core::sc_trace(file, busy_, prefix + "busy");
  sc_core::sc_trace(file, stalled_, prefix + "stalled");
  sc_core::sc_trace(file, starved_, prefix + "starved");
  sc_core::sc_trace(file, row_, prefix + "row");
}

void StreamUnit::run() {
  for (;;) {
    wait(frame_start_);
    stats_ = {};
    std::vector<int> received(inputs_.size(), 0);
    for (int y = 0; y < out_rows_; ++y) {
      row_.write(y);
      if (need_) receive_through(need_(y), received);
      if (y == 0) stats_.first_start = sc_time_stamp();
      busy_.write(true);
      if (row_cycles_ > 0) {
        wait(period_ * double(row_cycles_));
        stats_.busy_cycles += row_cycles_;
      }
      if (action_) {
        const sc_time t = action_(y);
        wait(t);
        stats_.busy_cycles += int64_t(std::ceil(t / period_));
      }
      busy_.write(false);
      emit(y);
      ++stats_.rows;
      if (row_done_) row_done_();
    }
    // Rows no output window reaches are read and dropped, as the line buffer would.
    for (size_t i = 0; i < inputs_.size(); ++i)
      while (received[i] < inputs_[i]->map_rows()) {
        inputs_[i]->read();
        ++received[i];
      }
    stats_.last_end = sc_time_stamp();
    finished_.notify(sc_core::SC_ZERO_TIME);
  }
}

void StreamUnit::receive_through(int row, std::vector<int>& received) {
  for (size_t i = 0; i < inputs_.size(); ++i)
    while (received[i] <= row) {
      const sc_time since = sc_time_stamp();
      if (inputs_[i]->empty()) {
        starved_.write(true);
        waiting_on_ = "a row from " + std::string(inputs_[i]->basename());
      }
      inputs_[i]->read();
      ++received[i];
      waiting_on_.clear();
      starved_.write(false);
      stats_.starve += sc_time_stamp() - since;
    }
}

void StreamUnit::emit(int row) {
  for (RowChannel* out : outputs_) {
    const sc_time since = sc_time_stamp();
    if (out->full()) {
      stalled_.write(true);
      waiting_on_ = "room in " + std::string(out->basename());
    }
    out->write(row);
    waiting_on_.clear();
    stalled_.write(false);
    stats_.stall += sc_time_stamp() - since;
  }
}

}  // namespace qflow
