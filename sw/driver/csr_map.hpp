// The accelerator's control and status registers as firmware sees them: 32-bit registers behind
// the CSR target socket (model/control/csr_block). The host driver and the model share this file,
// so an offset is written once.
#pragma once

#include <cstdint>

namespace qflow::csr {

inline constexpr uint32_t kCtrl = 0x00;        // W: bit 0 start a frame, bit 1 interrupt enable
inline constexpr uint32_t kStatus = 0x04;      // R: bits below; W1C: writing kDone clears it and the interrupt
inline constexpr uint32_t kImg1Addr = 0x08;    // RW: DRAM address of image 1 (H x W x 3 bytes, RGB)
inline constexpr uint32_t kImg2Addr = 0x0C;    // RW: DRAM address of image 2
inline constexpr uint32_t kFlowAddr = 0x10;    // RW: DRAM address of the flow (2 x H/4 x W/4 int16)
inline constexpr uint32_t kSkipAddr = 0x14;    // RW: DRAM scratch for skip buffers placed in DRAM
inline constexpr uint32_t kFrameHeight = 0x18; // RW: must equal the package's input height
inline constexpr uint32_t kFrameWidth = 0x1C;  // RW: must equal the package's input width
inline constexpr uint32_t kErrorCode = 0x20;   // R: why the last start failed (ErrorCode)
inline constexpr uint32_t kCyclesLo = 0x24;    // R: cycles of the last frame, START to DONE
inline constexpr uint32_t kCyclesHi = 0x28;
inline constexpr uint32_t kLayerCount = 0x2C;  // R: per-layer counters that follow
inline constexpr uint32_t kWeightAddr = 0x30;  // RW: DRAM address of the weights of layers placed on DDR
inline constexpr uint32_t kLayerBusyBase = 0x100;  // R: layer i busy cycles, lo at +8i, hi at +8i+4

inline constexpr uint32_t kCtrlStart = 1u << 0;
inline constexpr uint32_t kCtrlIrqEnable = 1u << 1;
inline constexpr uint32_t kStatusBusy = 1u << 0;
inline constexpr uint32_t kStatusDone = 1u << 1;
inline constexpr uint32_t kStatusError = 1u << 2;

// Memory: a memory's code (parity, SECDED) detected an error it cannot correct.
enum class ErrorCode : uint32_t { None = 0, FrameSize = 1, DmaRead = 2, DmaWrite = 3, Datapath = 4, Memory = 5 };

}  // namespace qflow::csr
