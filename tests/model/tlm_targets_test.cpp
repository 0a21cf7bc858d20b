// The CSR block and the DRAM over TLM-2.0, driven by a scripted initiator: registers, the start
// and interrupt protocol, and an error response for every access the hardware would refuse.
#include <functional>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "control/csr_block.hpp"
#include "driver/tlm_transfer.hpp"
#include "memory/dram.hpp"

namespace qflow {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

struct Initiator : sc_core::sc_module {
  SC_HAS_PROCESS(Initiator);
  tlm_utils::simple_initiator_socket<Initiator> socket{"socket"};
  std::function<void(Initiator&)> script;
  sc_time delay;

  Initiator(sc_core::sc_module_name name, std::function<void(Initiator&)> s) : sc_module(name), script(std::move(s)) {
    SC_THREAD(run);
  }
  void run() {
    script(*this);
    sc_core::sc_stop();
  }
  // `issued`: how far ahead of the current time the access is issued (loosely timed); `delay` then
  // holds when it completes, from the current time.
  tlm::tlm_response_status access(tlm::tlm_command command, uint64_t address, void* data, unsigned length,
                                  unsigned char* byte_enables = nullptr, sc_time issued = sc_core::SC_ZERO_TIME) {
    tlm::tlm_generic_payload trans;
    prepare_transfer(trans, command, address, data, length);
    trans.set_byte_enable_ptr(byte_enables);
    if (byte_enables) trans.set_byte_enable_length(length);
    delay = issued;
    socket->b_transport(trans, delay);
    return trans.get_response_status();
  }
  tlm::tlm_response_status write(uint64_t address, uint32_t value) {
    return access(tlm::TLM_WRITE_COMMAND, address, &value, 4);
  }
  uint32_t read(uint64_t address) {
    uint32_t value = 0xDEADBEEF;
    EXPECT_EQ(access(tlm::TLM_READ_COMMAND, address, &value, 4), tlm::TLM_OK_RESPONSE) << "read 0x" << std::hex << address;
    return value;
  }
};

// Notes when the CSR block asks the accelerator to start.
struct StartWatcher : sc_core::sc_module {
  SC_HAS_PROCESS(StartWatcher);
  const sc_core::sc_event& start;
  bool started = false;
  StartWatcher(sc_core::sc_module_name name, const sc_core::sc_event& e) : sc_module(name), start(e) { SC_THREAD(run); }
  void run() {
    wait(start);
    started = true;
  }
};

struct CsrBench {
  CsrBlock csr{"csr", 64, 128, 3, sc_time(5, SC_NS)};
  sc_core::sc_signal<bool> irq{"irq"};
  StartWatcher watcher{"watcher", csr.start_requested()};
  Initiator host;

  explicit CsrBench(std::function<void(Initiator&)> script) : host("host", std::move(script)) {
    csr.irq(irq);
    host.socket.bind(csr.socket);
  }
};

TEST(CsrBlock, RegistersStartAndInterrupt) {
  std::unique_ptr<CsrBench> bench;
  bench = std::make_unique<CsrBench>([&](Initiator& host) {
    CsrBlock& csr = bench->csr;
    EXPECT_EQ(host.write(csr::kImg1Addr, 0x1000), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(host.read(csr::kImg1Addr), 0x1000u);
    EXPECT_EQ(host.delay, sc_time(5, SC_NS));  // annotated, not waited
    EXPECT_EQ(host.read(csr::kLayerCount), 3u);

    // A start with the wrong frame size fails at once, with its reason and an interrupt.
    host.write(csr::kCtrl, csr::kCtrlIrqEnable | csr::kCtrlStart);
    wait(host.delay + sc_time(1, SC_NS));  // the access takes effect at its annotated time
    EXPECT_EQ(host.read(csr::kStatus), csr::kStatusError);
    EXPECT_EQ(host.read(csr::kErrorCode), uint32_t(csr::ErrorCode::FrameSize));
    EXPECT_TRUE(bench->irq.read());
    host.write(csr::kStatus, csr::kStatusError);  // W1C
    wait(host.delay + sc_time(1, SC_NS));  // the access takes effect at its annotated time
    EXPECT_FALSE(bench->irq.read());

    host.write(csr::kFrameHeight, 64);
    host.write(csr::kFrameWidth, 128);
    host.write(csr::kCtrl, csr::kCtrlIrqEnable | csr::kCtrlStart);
    wait(host.delay + sc_time(1, SC_NS));  // the access takes effect at its annotated time
    EXPECT_TRUE(bench->watcher.started);
    EXPECT_EQ(host.read(csr::kStatus), csr::kStatusBusy);
    // A second start while busy is refused.
    uint32_t start = csr::kCtrlStart;
    EXPECT_EQ(host.access(tlm::TLM_WRITE_COMMAND, csr::kCtrl, &start, 4), tlm::TLM_COMMAND_ERROR_RESPONSE);

    csr.frame_done(0x1'0000'0002ull, {7, 8, 0x2'0000'0009ull});
    wait(sc_time(1, SC_NS));
    EXPECT_TRUE(bench->irq.read());
    EXPECT_EQ(host.read(csr::kStatus), csr::kStatusDone);
    EXPECT_EQ(host.read(csr::kCyclesLo), 2u);
    EXPECT_EQ(host.read(csr::kCyclesHi), 1u);
    EXPECT_EQ(host.read(csr::kLayerBusyBase + 8), 8u);
    EXPECT_EQ(host.read(csr::kLayerBusyBase + 16), 9u);
    EXPECT_EQ(host.read(csr::kLayerBusyBase + 20), 2u);
    host.write(csr::kStatus, csr::kStatusDone);
    wait(host.delay + sc_time(1, SC_NS));  // the access takes effect at its annotated time
    EXPECT_FALSE(bench->irq.read());
    EXPECT_EQ(host.read(csr::kStatus), 0u);
  });
  sc_core::sc_start();
}

// Found by fuzz_csr: the interrupt line must follow its enable bit, not only the status.
TEST(CsrBlock, InterruptLineFollowsItsEnable) {
  std::unique_ptr<CsrBench> bench;
  bench = std::make_unique<CsrBench>([&](Initiator& host) {
    host.write(csr::kCtrl, csr::kCtrlStart);  // wrong frame size: error, interrupt disabled
    wait(host.delay + sc_time(1, SC_NS));
    EXPECT_EQ(host.read(csr::kStatus), csr::kStatusError);
    EXPECT_FALSE(bench->irq.read());
    host.write(csr::kCtrl, csr::kCtrlIrqEnable);  // enabled while the error is pending: raised
    wait(host.delay + sc_time(1, SC_NS));
    EXPECT_TRUE(bench->irq.read());
    host.write(csr::kCtrl, 0);  // disabled again: lowered, the error still pending
    wait(host.delay + sc_time(1, SC_NS));
    EXPECT_FALSE(bench->irq.read());
    EXPECT_EQ(host.read(csr::kStatus), csr::kStatusError);
  });
  sc_core::sc_start();
}

TEST(CsrBlock, BadAccessesGetErrorResponses) {
  CsrBench bench([](Initiator& host) {
    uint32_t value = 0;
    EXPECT_EQ(host.write(0x3000, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);                 // unmapped
    EXPECT_EQ(host.write(csr::kLayerBusyBase + 8 * 3, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // past the layers
    EXPECT_EQ(host.write(csr::kImg1Addr + 2, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);     // unaligned
    EXPECT_EQ(host.write(csr::kCyclesLo, 1), tlm::TLM_COMMAND_ERROR_RESPONSE);         // read-only
    EXPECT_EQ(host.write(csr::kLayerBusyBase, 1), tlm::TLM_COMMAND_ERROR_RESPONSE);    // read-only
    EXPECT_EQ(host.access(tlm::TLM_READ_COMMAND, csr::kStatus, &value, 2), tlm::TLM_BURST_ERROR_RESPONSE);
    uint64_t wide = 0;
    EXPECT_EQ(host.access(tlm::TLM_WRITE_COMMAND, csr::kImg1Addr, &wide, 8), tlm::TLM_BURST_ERROR_RESPONSE);
    unsigned char enables[4] = {0xFF, 0, 0xFF, 0};
    EXPECT_EQ(host.access(tlm::TLM_WRITE_COMMAND, csr::kImg1Addr, &value, 4, enables),
              tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    EXPECT_EQ(host.access(tlm::TLM_IGNORE_COMMAND, csr::kImg1Addr, &value, 4), tlm::TLM_COMMAND_ERROR_RESPONSE);
  });
  sc_core::sc_start();
}

TEST(Dram, StoresTimesAndRefusesOutOfRange) {
  DramConfig config;
  config.latency_ns = 50;
  config.bandwidth_gbps = 2.0;  // 0.5 ns per byte
  config.burst_bytes = 8;       // 1000 bytes: 125 bursts of 4 ns
  config.size_mib = 1;
  Dram dram("dram", config);
  Initiator host("host", [&](Initiator& h) {
    std::vector<uint8_t> data(1000), back(1000);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7);
    EXPECT_EQ(h.access(tlm::TLM_WRITE_COMMAND, 4096, data.data(), 1000), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.delay, sc_time(50 + 500, SC_NS));
    EXPECT_EQ(h.access(tlm::TLM_READ_COMMAND, 4096, back.data(), 1000), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(back, data);
    // Issued at the same time as the write, the read's bytes wait for the write's to move.
    EXPECT_EQ(h.delay, sc_time(500 + 500 + 50, SC_NS));
    wait(sc_time(2000, SC_NS));  // the channel is long free again
    EXPECT_EQ(h.access(tlm::TLM_READ_COMMAND, 0, back.data(), 10), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.delay, sc_time(8 + 50, SC_NS));  // two whole bursts
    EXPECT_EQ(h.access(tlm::TLM_READ_COMMAND, (1 << 20) - 999, back.data(), 1000), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(h.access(tlm::TLM_WRITE_COMMAND, uint64_t(1) << 40, data.data(), 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  });
  host.socket.bind(dram.socket);
  sc_core::sc_start();
}

TEST(Dram, BurstsAtTheSustainedRateTakeTheChannelsIdleSlots) {
  DramConfig config;
  config.latency_ns = 10;
  config.bandwidth_gbps = 1.0;  // peak: 1 ns a byte
  config.efficiency = 0.5;      // sustained: 2 ns a byte
  config.burst_bytes = 16;      // 32 ns a burst
  config.size_mib = 1;
  Dram dram("dram", config);
  Initiator host("host", [&](Initiator& h) {
    std::vector<uint8_t> data(160);
    const auto at = [&](double issued_ns, unsigned bytes) {
      EXPECT_EQ(h.access(tlm::TLM_READ_COMMAND, 0, data.data(), bytes, nullptr, sc_time(issued_ns, SC_NS)),
                tlm::TLM_OK_RESPONSE);
      return h.delay.to_seconds() * 1e9;
    };
    EXPECT_DOUBLE_EQ(at(0, 1), 32 + 10);           // one byte moves a whole burst
    wait(sc_time(1000, SC_NS));
    EXPECT_DOUBLE_EQ(at(0, 160), 320 + 10);        // books [0, 320) from now
    EXPECT_DOUBLE_EQ(at(400, 48), 496 + 10);       // books [400, 496)
    // Issued after those but timed before: two bursts fit the idle [320, 400) ...
    EXPECT_DOUBLE_EQ(at(100, 32), 384 + 10);
    // ... and two more no longer do (16 ns are left there): after [400, 496).
    EXPECT_DOUBLE_EQ(at(100, 32), 560 + 10);
    // An idle channel serves at once.
    EXPECT_DOUBLE_EQ(at(2000, 16), 2032 + 10);
  });
  host.socket.bind(dram.socket);
  sc_core::sc_start();
}

}  // namespace
}  // namespace qflow
