// The host driver, as firmware would run it on the CPU next to the accelerator: it loads the
// image pair into DRAM, programs the CSRs, starts each frame, waits for the interrupt, reads the
// counters and the flow back. A SystemC thread with TLM-2.0 initiator sockets to the CSRs and DRAM.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "package/npy.hpp"

namespace qflow {

struct HostJob {
  std::vector<uint8_t> img1, img2;  // H x W x 3 bytes each, RGB, as a camera leaves them
  int height = 0, width = 0;
  int flow_channels = 2, flow_height = 0, flow_width = 0;
  int frames = 1;                // the same pair, frame after frame
  sc_core::sc_time timeout;      // per frame: no interrupt by then is a failure
  std::vector<uint8_t> weights;  // the weights of layers placed on DDR, as the accelerator reads them
  // A fault campaign's host: before each frame it writes the pair, the weights and the registers
  // again and clears the flow buffer (a new camera frame: no trial's upset of DRAM or a register
  // outlives it, and a flow written elsewhere does not pass for a correct one); a frame the
  // accelerator ends with its error status is recorded (HostFrame::error) and the next one runs.
  // Otherwise the pair is loaded once and the first such frame fails the run.
  bool campaign = false;
};

struct HostFrame {
  CodeMap flow_head;             // as read back from DRAM
  uint64_t cycles = 0;           // the accelerator's frame counter
  std::vector<uint64_t> layer_busy;
  double wall_seconds = 0;       // host time the simulation of this frame took
  int64_t resident_kib = 0;      // the process's resident memory after the frame (soak runs)
  std::string error;             // the accelerator's error status at the frame's end ("" if none)
};

// Where the driver places the buffers in DRAM (4 KiB aligned, in this order).
struct MemoryMap {
  uint64_t img1 = 0, img2 = 0, flow = 0, weights = 0, skip = 0;
};

class HostDriver : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(HostDriver);

  tlm_utils::simple_initiator_socket<HostDriver> csr_socket;
  tlm_utils::simple_initiator_socket<HostDriver> mem_socket;
  sc_core::sc_in<bool> irq;

  HostDriver(sc_core::sc_module_name name, HostJob job);

  const std::vector<HostFrame>& frames() const { return frames_; }
  // Where it places the pair, the flow, the streamed weights and (from `skip` on) the skip rows.
  const MemoryMap& memory_map() const { return map_; }
  // Empty when every frame completed; else what went wrong. The simulation stops either way.
  const std::string& error() const { return error_; }
  bool finished() const { return finished_; }

 private:
  void run();
  void load();
  void run_frame(int frame);
  void fail(std::string why);  // records the first failure
  void csr_write(uint32_t offset, uint32_t value);
  uint32_t csr_read(uint32_t offset);
  void memory(tlm::tlm_command command, uint64_t address, void* data, size_t length);
  void transport(tlm_utils::simple_initiator_socket<HostDriver>& socket, tlm::tlm_command command, uint64_t address,
                 void* data, size_t length, const char* what);

  HostJob job_;
  MemoryMap map_;
  std::vector<HostFrame> frames_;
  std::string error_;
  bool finished_ = false;
  // The driver runs ahead of simulated time by the accesses' delays, up to the global quantum.
  tlm_utils::tlm_quantumkeeper keeper_;
};

}  // namespace qflow
