// What the accelerator moves over its DMA in a frame, one row at a time: the image pair in, skip
// rows out to DRAM and back (when skip buffers live there), and the flow head's rows out. Each
// returns the row's transfer time, relative to the current time; the buffer addresses are the
// CSRs' at the time of the transfer.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "control/csr_block.hpp"
#include "dma/dma_engine.hpp"
#include "package/network_shapes.hpp"
#include "pipeline/row.hpp"

namespace qflow {

// Row y of both images, stacked into the 6-channel input row the first PE reads; its pixels enter
// the PE at one per cycle, so the row takes the DMA's time or the width's cycles, whichever is longer.
class InputReader {
 public:
  InputReader(DmaEngine& dma, const CsrBlock& csr, int width, sc_core::sc_time period);
  sc_core::sc_time read_row(int y, RowRef& out);

 private:
  DmaEngine& dma_;
  DmaEngine::Master master_;
  const CsrBlock& csr_;
  int width_;
  sc_core::sc_time period_;
  std::vector<uint8_t> rgb_[2];
  RowPool rows_;  // reused once every consumer lets a row go
};

// A map's rows in DRAM while its decoder stage is not there yet: channel-major, one byte a code
// (two for the 1/16-unit upsampled codes), at `base` within the skip area.
class SkipSpill {
 public:
  // `name`: how the DMA's traffic counts name it.
  SkipSpill(DmaEngine& dma, const CsrBlock& csr, const TensorShape& map, uint64_t base, std::string name);
  uint64_t base() const { return base_; }
  uint64_t bytes() const { return row_bytes_ * uint64_t(map_.height); }  // the area it takes
  // An upset of the rows waiting in DRAM (model/faults): bits [bit, bit + burst) of code `element`
  // of row y flipped in the DRAM itself, through the socket's debug transport (no time passes).
  // Throws FaultError past the map's rows, codes or code bits.
  void upset(int y, int64_t element, int bit, int burst);
  sc_core::sc_time write_row(const Row& row);
  sc_core::sc_time read_row(int y, RowRef& out);

 private:
  uint64_t address(int y) const;
  DmaEngine& dma_;
  DmaEngine::Master master_;
  const CsrBlock& csr_;
  TensorShape map_;
  uint64_t base_;
  size_t code_bytes_, row_bytes_;
  std::vector<uint8_t> bytes_;
  std::vector<int16_t> codes_;
};

// The flow head's row y to DRAM, channel-major int16, where the host reads the flow.
class FlowWriter {
 public:
  // `head`: the flow head's output map.
  FlowWriter(DmaEngine& dma, const CsrBlock& csr, const TensorShape& head);
  sc_core::sc_time write_row(const Row& row);
  // The same transfers for a row whose codes are still to be computed (RowJobs): zeros now, at
  // the addresses the CSR gives now; its codes by write_computed(), once computed, before the
  // frame ends. The time and traffic are those of write_row.
  sc_core::sc_time write_row_later(RowRef row);
  // The codes of the rows written later, through the debug transport (no time, no traffic).
  void write_computed();
  void start_frame() { later_.clear(); }  // a frame stopped early left some

 private:
  sc_core::sc_time write(int y, const int16_t* codes, std::vector<uint64_t>* addresses);
  size_t codes_per_row() const { return size_t(head_.channels) * size_t(head_.width); }

  DmaEngine& dma_;
  DmaEngine::Master master_;
  const CsrBlock& csr_;
  TensorShape head_;
  std::vector<int16_t> zeros_;
  struct Later {
    RowRef row;
    std::vector<uint64_t> addresses;  // per channel
  };
  std::vector<Later> later_;
};

}  // namespace qflow
