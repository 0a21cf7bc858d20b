// A row with bits of one code flipped: what a line buffer, FIFO or skip buffer entry holds after
// an upset. Rows are shared between their readers, so the upset one is a copy.
#pragma once

#include <cstdint>

#include "pipeline/row.hpp"

namespace qflow {

// Code `element` (channel * width + x) of `row`, bits [bit, bit + burst) of its `code_bits`.
// Throws FaultError when the element or the bits are past the row's.
RowRef upset_row(const Row& row, int64_t element, int bit, int burst, int code_bits);

}  // namespace qflow
