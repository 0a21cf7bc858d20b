// A unit's line buffer on one input: the last `capacity` rows received, circular. A window reads
// row y through it: a row above or below the map is padding (null, read as zeros); a row that was
// already overwritten or has not arrived yet is a dataflow error, reported, never guessed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "row.hpp"

namespace qflow {

class LineBuffer {
 public:
  LineBuffer(std::string name, int capacity, int map_rows);

  void push(RowRef row);
  // Row y's codes, once its job has computed them (rethrowing the job's error). Null for padding
  // rows (y < 0 or y >= map_rows). Throws SimulationError for a row not held.
  const Row* row(int y) const;
  // Row y as held, its codes perhaps still to be computed: for a job that reads it later.
  RowRef held(int y) const;
  int capacity() const { return int(slots_.size()); }
  int received() const { return received_; }
  void reset() { received_ = 0; }
  // An upset (model/faults): the held row `held` (0: the oldest still held) replaced by `upset`
  // applied to it (which reads its codes through their job: faults/row_upset); throws FaultError
  // when the line buffer holds fewer rows.
  void replace_held(int held, const std::function<RowRef(const Row&)>& upset);

 private:
  const RowRef& slot(int y) const;  // null for padding; throws for a row not held

  std::string name_;
  std::vector<RowRef> slots_;
  int map_rows_;
  int received_ = 0;
};

}  // namespace qflow
