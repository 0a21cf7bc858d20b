#include "stream_unit.hpp"

#include <cmath>
#include <limits>

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
  if (weight_wait_) sc_core::sc_trace(file, weights_, prefix + "waits_for_weights");
  sc_core::sc_trace(file, row_, prefix + "row");
}

void StreamUnit::add_input(RowChannel* channel, int window_rows) {
  inputs_.push_back(channel);
  lines_.emplace_back(std::string(basename()) + " line buffer on " + channel->basename(), window_rows,
                      channel->map_rows());
}

void StreamUnit::run() {
  for (;;) {
    wait(frame_start_);
    stats_ = {};
    for (LineBuffer& line : lines_) line.reset();
    for (int y = 0; y < out_rows_; ++y) {
      row_.write(y);
      if (need_) receive_through(need_(y));
      if (y == 0) stats_.first_start = sc_time_stamp();
      if (weight_wait_) wait_for_weights(y);
      busy_.write(true);
      const sc_time start = sc_time_stamp();
      RowRef out;
      const sc_time transfer = work_ ? work_(y, lines_, out) : sc_core::SC_ZERO_TIME;
      const int64_t own_cycles = int64_t(std::llround((sc_time_stamp() - start) / period_));  // a co-simulated RTL's
      wait(period_ * double(row_cycles_) + transfer);
      stats_.busy_cycles += row_cycles_ + own_cycles + int64_t(std::ceil(transfer / period_));
      stats_.spans.push_back({UnitSpan::Busy, start, sc_time_stamp()});
      busy_.write(false);
      emit(out);
      ++stats_.rows;
      if (row_done_) row_done_(out);
    }
    // Rows no output window reaches are read and dropped, as the line buffer would.
    receive_through(std::numeric_limits<int>::max() - 1);
    stats_.last_end = sc_time_stamp();
    finished_.notify(sc_core::SC_ZERO_TIME);
  }
}

void StreamUnit::wait_for_weights(int y) {
  const sc_time need = weight_wait_(y);
  if (need == sc_core::SC_ZERO_TIME) return;
  const sc_time since = sc_time_stamp();
  weights_.write(true);
  waiting_on_ = "weights from DRAM";
  waiting_since_ = since;
  wait(need);
  waiting_on_.clear();
  weights_.write(false);
  stats_.weight_wait += need;
  stats_.spans.push_back({UnitSpan::Weights, since, sc_time_stamp()});
}

void StreamUnit::receive_through(int row) {
  for (size_t i = 0; i < inputs_.size(); ++i)
    while (lines_[i].received() <= row && lines_[i].received() < inputs_[i]->map_rows()) {
      const sc_time since = sc_time_stamp();
      if (inputs_[i]->empty()) {
        starved_.write(true);
        waiting_on_ = "a row from " + std::string(inputs_[i]->basename());
        waiting_since_ = since;
      }
      lines_[i].push(inputs_[i]->read());
      waiting_on_.clear();
      starved_.write(false);
      stats_.starve += sc_time_stamp() - since;
      if (sc_time_stamp() > since) stats_.spans.push_back({UnitSpan::Starve, since, sc_time_stamp()});
    }
}

void StreamUnit::emit(const RowRef& row) {
  for (RowChannel* out : outputs_) {
    const sc_time since = sc_time_stamp();
    if (out->full()) {
      stalled_.write(true);
      waiting_on_ = "room in " + std::string(out->basename());
      waiting_since_ = since;
    }
    out->write(row);
    waiting_on_.clear();
    stalled_.write(false);
    stats_.stall += sc_time_stamp() - since;
    if (sc_time_stamp() > since) stats_.spans.push_back({UnitSpan::Stall, since, sc_time_stamp()});
  }
}

}  // namespace qflow
