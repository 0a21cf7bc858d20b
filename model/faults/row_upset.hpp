// A row with bits of one code flipped: what a line buffer, FIFO or skip buffer entry holds after
// an upset, as its next read sees it. Rows are shared between their readers, so the upset one is
// a copy.
#pragma once

#include <cstdint>

#include "faults/secded.hpp"
#include "pipeline/row.hpp"

namespace qflow {

// Code `element` (channel * width + x) of `row`, bits [bit, bit + burst) of its `code_bits`.
// Under `protection` the row's codes are read as one bit string in groups of 64 data bits, each
// with its check bits: SECDED corrects a group's single flip, parity lets an even count through.
// `detected` is set when a group's code detects what it cannot correct. Throws FaultError when
// the element or the bits are past the row's.
RowRef upset_row(const Row& row, int64_t element, int bit, int burst, int code_bits,
                 WordProtection protection, bool& detected);

}  // namespace qflow
