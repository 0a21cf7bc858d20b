#include "host_driver.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>

#include <fmt/format.h>

#include "csr_map.hpp"
#include "tlm_transfer.hpp"

namespace qflow {
namespace {

// VmRSS of /proc/self/status, or 0 where there is none.
int64_t resident_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  return 0;
}

uint64_t align_page(uint64_t address) { return (address + 4095) & ~uint64_t(4095); }

const char* status_text(tlm::tlm_response_status status) {
  switch (status) {
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return "address error";
    case tlm::TLM_COMMAND_ERROR_RESPONSE: return "command error";
    case tlm::TLM_BURST_ERROR_RESPONSE: return "burst error";
    case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE: return "byte-enable error";
    default: return "generic error";
  }
}

const char* error_text(uint32_t code) {
  switch (csr::ErrorCode(code)) {
    case csr::ErrorCode::FrameSize: return "the frame size registers do not match the model's input";
    case csr::ErrorCode::DmaRead: return "a DMA read from DRAM failed";
    case csr::ErrorCode::DmaWrite: return "a DMA write to DRAM failed";
    case csr::ErrorCode::Datapath: return "the datapath failed";
    case csr::ErrorCode::Memory: return "a memory's parity or ECC detected an error it cannot correct";
    default: return "unknown error";
  }
}

MemoryMap plan_memory(int height, int width, int flow_bytes, size_t weight_bytes) {
  MemoryMap map;
  const uint64_t image = uint64_t(height) * width * 3;
  map.img2 = align_page(map.img1 + image);
  map.flow = align_page(map.img2 + image);
  map.weights = align_page(map.flow + uint64_t(flow_bytes));
  map.skip = align_page(map.weights + weight_bytes);
  return map;
}

constexpr size_t kBurstBytes = 4096;  // the driver's writes of a large buffer

}  // namespace

HostDriver::HostDriver(sc_core::sc_module_name name, HostJob job)
    : sc_module(name), csr_socket("csr_socket"), mem_socket("mem_socket"), irq("irq"), job_(std::move(job)) {
  map_ = plan_memory(job_.height, job_.width, job_.flow_channels * job_.flow_height * job_.flow_width * 2,
                     job_.weights.size());
  SC_THREAD(run);
}

// A failed access records the first failure; the caller stops at its next check. No exception is
// thrown on this SystemC thread's own stack (see run()).
void HostDriver::transport(tlm_utils::simple_initiator_socket<HostDriver>& socket, tlm::tlm_command command,
                           uint64_t address, void* data, size_t length, const char* what) {
  tlm::tlm_generic_payload trans;
  prepare_transfer(trans, command, address, data, length);
  sc_core::sc_time delay = keeper_.get_local_time();
  socket->b_transport(trans, delay);
  keeper_.set(delay);
  if (keeper_.need_sync()) keeper_.sync();
  if (trans.is_response_error())
    fail(fmt::format("{} {} at 0x{:x} ({} bytes): {}{}", what, command == tlm::TLM_READ_COMMAND ? "read" : "write",
                     address, length, status_text(trans.get_response_status()),
                     &socket == &mem_socket ? " (is the DRAM, dram.size_mib, large enough?)" : ""));
}

void HostDriver::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
}

void HostDriver::csr_write(uint32_t offset, uint32_t value) {
  transport(csr_socket, tlm::TLM_WRITE_COMMAND, offset, &value, 4, "CSR");
}

uint32_t HostDriver::csr_read(uint32_t offset) {
  uint32_t value = 0;
  transport(csr_socket, tlm::TLM_READ_COMMAND, offset, &value, 4, "CSR");
  return value;
}

void HostDriver::memory(tlm::tlm_command command, uint64_t address, void* data, size_t length) {
  transport(mem_socket, command, address, data, length, "DRAM");
}

// The weights the accelerator streams and the pair into DRAM, then the buffer addresses and the frame size.
void HostDriver::load() {
  const int h = job_.height, w = job_.width;
  keeper_.reset();
  for (size_t at = 0; at < job_.weights.size() && error_.empty(); at += kBurstBytes)
    memory(tlm::TLM_WRITE_COMMAND, map_.weights + at, job_.weights.data() + at,
           std::min(kBurstBytes, job_.weights.size() - at));
  const size_t row_bytes = size_t(w) * 3;
  for (int image = 0; image < 2; ++image) {
    std::vector<uint8_t>& rgb = image == 0 ? job_.img1 : job_.img2;
    for (int y = 0; y < h && error_.empty(); ++y)
      memory(tlm::TLM_WRITE_COMMAND, (image == 0 ? map_.img1 : map_.img2) + y * row_bytes, rgb.data() + y * row_bytes,
             row_bytes);
  }
  csr_write(csr::kImg1Addr, uint32_t(map_.img1));
  csr_write(csr::kImg2Addr, uint32_t(map_.img2));
  csr_write(csr::kFlowAddr, uint32_t(map_.flow));
  csr_write(csr::kSkipAddr, uint32_t(map_.skip));
  csr_write(csr::kWeightAddr, uint32_t(map_.weights));
  csr_write(csr::kFrameHeight, uint32_t(h));
  csr_write(csr::kFrameWidth, uint32_t(w));
  if (job_.campaign) {
    std::vector<uint8_t> zeros(size_t(job_.flow_channels) * job_.flow_height * job_.flow_width * 2, 0);
    for (size_t at = 0; at < zeros.size() && error_.empty(); at += kBurstBytes)
      memory(tlm::TLM_WRITE_COMMAND, map_.flow + at, zeros.data() + at, std::min(kBurstBytes, zeros.size() - at));
  }
}

// Start, wait for the interrupt, read the counters and the flow back, clear the interrupt.
void HostDriver::run_frame(int f) {
  const auto wall_start = std::chrono::steady_clock::now();
  csr_write(csr::kCtrl, csr::kCtrlIrqEnable | csr::kCtrlStart);
  keeper_.sync();  // the start reaches the accelerator at the driver's local time
  if (!irq.read()) wait(job_.timeout, irq.posedge_event());
  if (!irq.read()) return fail(fmt::format("frame {}: no interrupt within {} of simulated time", f, job_.timeout.to_string()));
  HostFrame frame;
  if (csr_read(csr::kStatus) & csr::kStatusError) {
    frame.error = fmt::format("frame {}: the accelerator reports an error: {}", f, error_text(csr_read(csr::kErrorCode)));
    if (!job_.campaign) return fail(frame.error);
    csr_write(csr::kStatus, csr::kStatusError);  // clears it and the interrupt
    frame.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    frames_.push_back(std::move(frame));
    return;
  }
  frame.cycles = csr_read(csr::kCyclesLo) | uint64_t(csr_read(csr::kCyclesHi)) << 32;
  const uint32_t layers = csr_read(csr::kLayerCount);
  for (uint32_t i = 0; i < layers && error_.empty(); ++i)
    frame.layer_busy.push_back(csr_read(csr::kLayerBusyBase + 8 * i) |
                               uint64_t(csr_read(csr::kLayerBusyBase + 8 * i + 4)) << 32);
  CodeMap& head = frame.flow_head;
  head = {job_.flow_channels, job_.flow_height, job_.flow_width,
          std::vector<int16_t>(size_t(job_.flow_channels) * job_.flow_height * job_.flow_width)};
  memory(tlm::TLM_READ_COMMAND, map_.flow, head.codes.data(), head.codes.size() * 2);
  csr_write(csr::kStatus, csr::kStatusDone);  // clears the interrupt
  frame.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  frame.resident_kib = resident_kib();
  if (error_.empty()) frames_.push_back(std::move(frame));
}

// Errors are recorded, never thrown: an exception unwinding a SystemC thread's hand-made stack is
// invisible to AddressSanitizer, which then reports false overflows on that stack. simulate()
// raises the recorded error on the main stack once sc_start returns.
void HostDriver::run() {
  load();
  for (int f = 0; f < job_.frames && error_.empty(); ++f) {
    if (f > 0 && job_.campaign) load();
    run_frame(f);
  }
  finished_ = error_.empty();
  sc_core::sc_stop();
}

}  // namespace qflow
