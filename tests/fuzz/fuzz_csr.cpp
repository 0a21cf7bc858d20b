// The CSR block over TLM-2.0: each input is a sequence of transactions (command, address, length,
// streaming width, byte enables, data, time to run after it), starts while busy included, against
// a stand-in accelerator that ends each frame after a fixed time (or fails it, by the image
// address). Every access must end with a response; a mapped RW register reads back what was
// written; busy and done are never set together; the interrupt line follows its enable and status.
//
// SystemC owns main() and elaborates once per process, so sc_main builds the bench and hands the
// fuzzing loop to libFuzzer (LLVMFuzzerRunDriver); the simulation advances between accesses.
#include <array>
#include <cstring>
#include <map>
#include <optional>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "control/csr_block.hpp"
#include "fuzz_support.hpp"

using namespace qflow;
using sc_core::SC_NS;
using sc_core::sc_time;

extern "C" int LLVMFuzzerRunDriver(int* argc, char*** argv, int (*one_input)(const uint8_t*, size_t));

namespace {

constexpr int kLayers = 3;
const sc_time kAccessTime(5, SC_NS);
const sc_time kFrameTime(333, SC_NS);  // off the 10 ns grid the inputs run on: no end lands on a step

// Ends every frame it is started for, or fails it when image 1's address is odd.
struct StandInAccelerator : sc_core::sc_module {
  SC_HAS_PROCESS(StandInAccelerator);
  CsrBlock& csr;
  StandInAccelerator(sc_core::sc_module_name name, CsrBlock& block) : sc_module(name), csr(block) { SC_THREAD(run); }
  void run() {
    for (;;) {
      wait(csr.start_requested());
      wait(kFrameTime);
      if (csr.reg(csr::kImg1Addr) & 1)
        csr.frame_failed(csr::ErrorCode::DmaRead);
      else
        csr.frame_done(333 / 5, std::vector<uint64_t>(kLayers, 7));
    }
  }
};

struct Bench : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Bench> socket{"socket"};
  CsrBlock csr{"csr", 64, 64, kLayers, kAccessTime};
  StandInAccelerator accelerator{"accelerator", csr};
  sc_core::sc_signal<bool> irq{"irq"};
  explicit Bench(sc_core::sc_module_name name) : sc_module(name) {
    socket.bind(csr.socket);
    csr.irq(irq);
  }

  tlm::tlm_response_status access(tlm::tlm_command command, uint64_t address, uint8_t* data, unsigned length,
                                  unsigned streaming_width, uint8_t* byte_enables) {
    tlm::tlm_generic_payload trans;
    trans.set_command(command);
    trans.set_address(address);
    trans.set_data_ptr(data);
    trans.set_data_length(length);
    trans.set_streaming_width(streaming_width);
    trans.set_byte_enable_ptr(byte_enables);
    trans.set_byte_enable_length(byte_enables ? length : 0);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(trans, delay);
    fuzz::expect(trans.get_response_status() != tlm::TLM_INCOMPLETE_RESPONSE, "an access left without a response");
    return trans.get_response_status();
  }
  uint32_t read(uint32_t offset) {
    std::array<uint8_t, 4> bytes{};
    fuzz::expect(access(tlm::TLM_READ_COMMAND, offset, bytes.data(), 4, 4, nullptr) == tlm::TLM_OK_RESPONSE,
                 "a mapped register refused a plain read");
    uint32_t value = 0;
    std::memcpy(&value, bytes.data(), 4);
    return value;
  }
  void write(uint32_t offset, uint32_t value) {
    uint8_t bytes[4];
    std::memcpy(bytes, &value, 4);
    access(tlm::TLM_WRITE_COMMAND, offset, bytes, 4, 4, nullptr);
  }
};

Bench* bench = nullptr;

// Back to idle with nothing pending, whatever the previous input left.
void settle() {
  while (bench->csr.reg(csr::kStatus) & csr::kStatusBusy) sc_core::sc_start(100, SC_NS);
  bench->write(csr::kStatus, csr::kStatusDone | csr::kStatusError);
  bench->write(csr::kCtrl, 0);
  sc_core::sc_start(10, SC_NS);
}

void check_invariants() {
  const uint32_t status = bench->read(csr::kStatus);
  fuzz::expect(!((status & csr::kStatusBusy) && (status & (csr::kStatusDone | csr::kStatusError))),
               "busy together with done or error");
  const bool irq_expected = (bench->read(csr::kCtrl) & csr::kCtrlIrqEnable) &&
                            (status & (csr::kStatusDone | csr::kStatusError));
  fuzz::expect(bench->irq.read() == irq_expected, "the interrupt line does not follow its enable and status");
}

// One 10-byte record per access: op, address (3 bytes), length, streaming width, data (4 bytes).
// op bits 0-1: read, write, ignore, write-then-start; bit 2: byte enables; bits 3-7: 10 ns steps to run.
int one_input(const uint8_t* data, size_t size) {
  settle();
  std::map<uint32_t, uint32_t> written;  // RW registers and what an accepted write put there
  for (size_t at = 0; at + 10 <= size; at += 10) {
    const uint8_t* r = data + at;
    const uint64_t address = r[1] | (uint32_t(r[2]) << 8) | (uint32_t(r[3]) << 16);
    const unsigned length = r[4] % 9, streaming_width = r[5] % 9;
    std::array<uint8_t, 8> bytes{};
    std::memcpy(bytes.data(), r + 6, 4);
    std::array<uint8_t, 8> enables;
    enables.fill(0xFF);
    const tlm::tlm_command commands[] = {tlm::TLM_READ_COMMAND, tlm::TLM_WRITE_COMMAND, tlm::TLM_IGNORE_COMMAND,
                                         tlm::TLM_WRITE_COMMAND};
    const tlm::tlm_command command = commands[r[0] & 3];
    const auto status = bench->access(command, address, bytes.data(), length, streaming_width,
                                      (r[0] & 4) ? enables.data() : nullptr);
    const bool rw_register = address >= csr::kImg1Addr && address <= csr::kFrameWidth && address % 4 == 0;
    if (command == tlm::TLM_WRITE_COMMAND && status == tlm::TLM_OK_RESPONSE && rw_register) {
      uint32_t value = 0;
      std::memcpy(&value, bytes.data(), 4);
      written[uint32_t(address)] = value;
    }
    if ((r[0] & 3) == 3) bench->write(csr::kCtrl, csr::kCtrlStart | (r[9] & csr::kCtrlIrqEnable));
    sc_core::sc_start(sc_time(10.0 * (1 + (r[0] >> 3)), SC_NS));
    check_invariants();
  }
  for (const auto& [offset, value] : written)
    fuzz::expect(bench->read(offset) == value, "a register does not read back what was written");
  return 0;
}

}  // namespace

int sc_main(int argc, char** argv) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  Bench top("bench");
  bench = &top;
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  return LLVMFuzzerRunDriver(&argc, &argv, one_input);
}
