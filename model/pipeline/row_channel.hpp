// A FIFO of rows between two pipeline units: the producer writes a row when it is complete, the
// consumer reads it when its window needs the row. Rows are shared, not copied. Depth is in rows.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <systemc>

#include "row.hpp"

namespace qflow {

class RowChannel : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(RowChannel);

  // `producer`: the unit whose map it carries.
  RowChannel(sc_core::sc_module_name name, const std::string& producer, int depth, int map_rows)
      : sc_module(name), producer_(producer), depth_(depth), map_rows_(map_rows), fifo_("fifo", depth) {
    // One process drives the level, whoever moved a row.
    SC_METHOD(update_level);
    sensitive << fifo_.data_written_event() << fifo_.data_read_event();
    dont_initialize();
  }

  // Blocking, in simulated time: a full FIFO stalls the producer, an empty one the consumer.
  void write(const RowRef& row) { fifo_.write(row); }
  RowRef read() {
    RowRef row = fifo_.read();
    if (upsets_.empty()) return row;
    const auto upset = upsets_.find(reads_++);
    if (upset == upsets_.end()) return row;
    RowRef changed = upset->second(*row);
    upsets_.erase(upset);
    return changed;
  }
  // An upset (model/faults): the waiting row `waiting` (0: the next one read) is read as `upset`
  // applied to it. False when fewer rows wait.
  bool upset_waiting(int waiting, std::function<RowRef(const Row&)> upset) {
    if (waiting >= fifo_.num_available()) return false;
    if (upsets_.empty()) reads_ = 0;
    upsets_[reads_ + waiting] = std::move(upset);
    return true;
  }
  bool empty() const { return fifo_.num_available() == 0; }
  bool full() const { return fifo_.num_free() == 0; }

  const std::string& producer() const { return producer_; }
  int depth() const { return depth_; }
  int map_rows() const { return map_rows_; }  // rows of the map it carries
  int peak() const { return peak_; }          // the most rows it ever held: the depth it needs
  // Every change of its level: (when, rows held), for the FIFO fill chart.
  const std::vector<std::pair<sc_core::sc_time, int>>& levels() const { return levels_; }
  void clear_levels() { levels_.clear(); }
  void trace(sc_core::sc_trace_file* file) const { sc_core::sc_trace(file, level_, "fifo." + std::string(basename()) + ".level"); }

 private:
  void update_level() {
    const int level = fifo_.num_available();
    peak_ = std::max(peak_, level);
    level_.write(level);
    levels_.emplace_back(sc_core::sc_time_stamp(), level);
  }

  std::string producer_;
  int depth_, map_rows_;
  sc_core::sc_fifo<RowRef> fifo_;
  sc_core::sc_signal<int> level_{"level"};
  int peak_ = 0;
  std::vector<std::pair<sc_core::sc_time, int>> levels_;
  // Pending upsets by read number, counted from when the first was armed (nothing counted before).
  std::map<int64_t, std::function<RowRef(const Row&)>> upsets_;
  int64_t reads_ = 0;
};

}  // namespace qflow
