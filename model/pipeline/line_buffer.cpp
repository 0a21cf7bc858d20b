#include "line_buffer.hpp"

#include <fmt/format.h>

#include "faults/fault.hpp"
#include "model_error.hpp"

namespace qflow {

LineBuffer::LineBuffer(std::string name, int capacity, int map_rows)
    : name_(std::move(name)), slots_(size_t(capacity)), map_rows_(map_rows) {}

void LineBuffer::push(RowRef row) {
  if (row->y != received_)
    throw SimulationError(fmt::format("{}: row {} arrived where row {} was due", name_, row->y, received_));
  slots_[size_t(received_ % capacity())] = std::move(row);
  ++received_;
}

const Row* LineBuffer::row(int y) const {
  const RowRef& row = slot(y);
  if (row && row->computing) RowJobs::wait_for(row->computing);
  return row.get();
}

RowRef LineBuffer::held(int y) const { return slot(y); }

const RowRef& LineBuffer::slot(int y) const {
  static const RowRef padding;
  if (y < 0 || y >= map_rows_) return padding;
  if (y >= received_ || y < received_ - capacity())
    throw SimulationError(fmt::format("{}: a window read row {} while the line buffer held rows {}..{}", name_, y,
                                      std::max(0, received_ - capacity()), received_ - 1));
  return slots_[size_t(y % capacity())];
}

void LineBuffer::replace_held(int held, const std::function<RowRef(const Row&)>& upset) {
  const int oldest = std::max(0, received_ - capacity()), count = received_ - oldest;
  if (held >= count) throw FaultError(fmt::format("{} holds {} rows, no row {}", name_, count, held));
  RowRef& slot = slots_[size_t((oldest + held) % capacity())];
  slot = upset(*slot);
}

}  // namespace qflow
