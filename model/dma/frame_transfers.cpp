#include "frame_transfers.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "datapath/row_ops.hpp"
#include "faults/fault.hpp"
#include "model_error.hpp"

namespace qflow {

using sc_core::sc_time;

InputReader::InputReader(DmaEngine& dma, const CsrBlock& csr, int width, sc_time period)
    : dma_(dma), master_(dma.add_master("input")), csr_(csr), width_(width), period_(period) {}

sc_time InputReader::read_row(int y, RowRef& out) {
  const size_t row_bytes = size_t(width_) * 3;
  sc_time t;
  for (int i = 0; i < 2; ++i) {
    rgb_[i].resize(row_bytes);
    t = dma_.transfer(master_, tlm::TLM_READ_COMMAND, csr_.reg(i == 0 ? csr::kImg1Addr : csr::kImg2Addr) + uint64_t(y) * row_bytes,
                      rgb_[i].data(), row_bytes, t);
  }
  out = input_row(y, rgb_[0].data(), rgb_[1].data(), width_, rows_);
  return std::max(t, period_ * double(width_));
}

SkipSpill::SkipSpill(DmaEngine& dma, const CsrBlock& csr, const TensorShape& map, uint64_t base, std::string name)
    : dma_(dma),
      master_(dma.add_master(std::move(name))),
      csr_(csr),
      map_(map),
      base_(base),
      code_bytes_(map.bits + map.frac > 8 ? 2 : 1),
      row_bytes_(size_t(map.channels) * map.width * code_bytes_) {}

uint64_t SkipSpill::address(int y) const { return csr_.reg(csr::kSkipAddr) + base_ + uint64_t(y) * row_bytes_; }

void SkipSpill::upset(int y, int64_t element, int bit, int burst) {
  const int64_t codes = int64_t(map_.channels) * map_.width;
  if (y >= map_.height || element >= codes || bit + burst > map_.bits + map_.frac)
    throw FaultError(fmt::format("row {}, code {}, bits {}..{} are past the map's {} rows of {} {}-bit codes", y, element,
                                 bit, bit + burst - 1, map_.height, codes, map_.bits + map_.frac));
  uint8_t bytes[2] = {0, 0};
  const uint64_t at = address(y) + uint64_t(element) * code_bytes_;
  dma_.debug_transfer(tlm::TLM_READ_COMMAND, at, bytes, code_bytes_);
  uint16_t code = uint16_t(bytes[0] | bytes[1] << 8);
  for (int b = bit; b < bit + burst; ++b) code ^= uint16_t(1u << b);
  bytes[0] = uint8_t(code), bytes[1] = uint8_t(code >> 8);
  dma_.debug_transfer(tlm::TLM_WRITE_COMMAND, at, bytes, code_bytes_);
}

sc_time SkipSpill::write_row(const Row& row) {
  bytes_.resize(row_bytes_);
  codes_.resize(size_t(row.channels()) * row.width());
  row.write_codes(codes_.data(), size_t(row.width()));
  for (size_t i = 0; i < codes_.size(); ++i)
    std::memcpy(&bytes_[i * code_bytes_], &codes_[i], code_bytes_);  // little endian
  return dma_.transfer(master_, tlm::TLM_WRITE_COMMAND, address(row.y), bytes_.data(), row_bytes_);
}

sc_time SkipSpill::read_row(int y, RowRef& out) {
  bytes_.resize(row_bytes_);
  const sc_time t = dma_.transfer(master_, tlm::TLM_READ_COMMAND, address(y), bytes_.data(), row_bytes_);
  CodeMap codes{map_.channels, 1, map_.width, std::vector<int16_t>(size_t(map_.channels) * map_.width, 0)};
  for (size_t i = 0; i < codes.codes.size(); ++i) std::memcpy(&codes.codes[i], &bytes_[i * code_bytes_], code_bytes_);
  out = make_row(y, std::move(codes), /*head=*/false, /*split=*/map_.frac > 0);
  return t;
}

FlowWriter::FlowWriter(DmaEngine& dma, const CsrBlock& csr, const TensorShape& head)
    : dma_(dma), master_(dma.add_master("flow")), csr_(csr), head_(head) {}

sc_time FlowWriter::write_row(const Row& row) {
  if (row.head_codes.codes.size() != codes_per_row())
    throw SimulationError(fmt::format("flow row {}: {} codes where the head has {} channels x {} pixels", row.y,
                                      row.head_codes.codes.size(), head_.channels, head_.width));
  return write(row.y, row.head_codes.codes.data(), nullptr);
}

sc_time FlowWriter::write_row_later(RowRef row) {
  zeros_.resize(codes_per_row());
  Later later{row, {}};
  const sc_time t = write(row->y, zeros_.data(), &later.addresses);
  later_.push_back(std::move(later));
  return t;
}

// `codes`: the head's channels x width codes; `addresses`, if given, receives each channel's.
sc_time FlowWriter::write(int y, const int16_t* codes, std::vector<uint64_t>* addresses) {
  const int w = head_.width;
  sc_time t;
  for (int c = 0; c < head_.channels; ++c) {
    const uint64_t address = csr_.reg(csr::kFlowAddr) + (uint64_t(c) * head_.height + uint64_t(y)) * w * 2;
    if (addresses) addresses->push_back(address);
    // A TLM payload's data pointer is non-const; a write only reads through it.
    t = dma_.transfer(master_, tlm::TLM_WRITE_COMMAND, address, const_cast<int16_t*>(codes + size_t(c) * w), w * 2u, t);
  }
  return t;
}

void FlowWriter::write_computed() {
  std::vector<Later> rows = std::move(later_);
  later_.clear();
  for (const Later& later : rows) {
    const Row& row = *later.row;
    if (row.head_codes.codes.size() != codes_per_row())
      throw SimulationError(fmt::format("flow row {} was not computed by the frame's end", row.y));
    for (int c = 0; c < head_.channels; ++c)  // (a write only reads through the payload's pointer)
      dma_.debug_transfer(tlm::TLM_WRITE_COMMAND, later.addresses[size_t(c)],
                          const_cast<int16_t*>(row.head_codes.codes.data() + size_t(c) * head_.width),
                          size_t(head_.width) * 2);
  }
}

}  // namespace qflow
