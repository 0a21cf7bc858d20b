#include "csr_block.hpp"

#include <cstring>

#include <fmt/format.h>

#include "faults/fault.hpp"

namespace qflow {

using namespace csr;

CsrBlock::CsrBlock(sc_core::sc_module_name name, int height, int width, int layers, sc_core::sc_time access_time)
    : sc_module(name),
      socket("socket"),
      irq("irq"),
      height_(height),
      width_(width),
      access_time_(access_time),
      layer_busy_(size_t(layers), 0) {
  socket.register_b_transport(this, &CsrBlock::b_transport);
  SC_METHOD(drive_outputs);
  sensitive << status_changed_;
}

void CsrBlock::drive_outputs() {
  status_signal_.write(status_);
  irq.write((ctrl_ & kCtrlIrqEnable) && (status_ & (kStatusDone | kStatusError)));
}

void CsrBlock::trace(sc_core::sc_trace_file* file) const { sc_core::sc_trace(file, status_signal_, "csr.status"); }

uint32_t CsrBlock::reg(uint32_t offset) const {
  uint32_t value = 0;
  read(offset, value);
  return value;
}

void CsrBlock::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  delay += access_time_;
  const uint64_t address = trans.get_address();
  if (trans.get_byte_enable_ptr()) return trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  if (trans.get_data_length() != 4 || trans.get_streaming_width() < 4)
    return trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
  if (address % 4 != 0 || address > 0xFFFF) return trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  uint32_t value = 0;
  tlm::tlm_response_status status = tlm::TLM_COMMAND_ERROR_RESPONSE;
  if (trans.is_read()) {
    status = read(uint32_t(address), value);
    if (status == tlm::TLM_OK_RESPONSE) std::memcpy(trans.get_data_ptr(), &value, 4);
  } else if (trans.is_write()) {
    std::memcpy(&value, trans.get_data_ptr(), 4);
    status = write(uint32_t(address), value, delay);
  }
  trans.set_response_status(status);
}

tlm::tlm_response_status CsrBlock::read(uint32_t offset, uint32_t& value) const {
  switch (offset) {
    case kCtrl: value = ctrl_; break;
    case kStatus: value = status_; break;
    case kImg1Addr: value = img1_; break;
    case kImg2Addr: value = img2_; break;
    case kFlowAddr: value = flow_; break;
    case kSkipAddr: value = skip_; break;
    case kWeightAddr: value = weights_; break;
    case kFrameHeight: value = frame_h_; break;
    case kFrameWidth: value = frame_w_; break;
    case kErrorCode: value = uint32_t(error_); break;
    case kCyclesLo: value = uint32_t(cycles_); break;
    case kCyclesHi: value = uint32_t(cycles_ >> 32); break;
    case kLayerCount: value = uint32_t(layer_busy_.size()); break;
    default: {
      const uint32_t index = (offset - kLayerBusyBase) / 8;
      if (offset < kLayerBusyBase || index >= layer_busy_.size()) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
      const uint64_t busy = layer_busy_[index];
      value = (offset - kLayerBusyBase) % 8 == 0 ? uint32_t(busy) : uint32_t(busy >> 32);
    }
  }
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status CsrBlock::write(uint32_t offset, uint32_t value, const sc_core::sc_time& at) {
  switch (offset) {
    case kCtrl:
      if ((value & kCtrlStart) && (status_ & kStatusBusy)) return tlm::TLM_COMMAND_ERROR_RESPONSE;
      ctrl_ = value & kCtrlIrqEnable;  // start is a strobe, not a state
      // The interrupt line follows its enable at once (found by fuzz_csr: disabling it left the
      // line raised until the next status change).
      status_changed_.notify(at);
      if (value & kCtrlStart) {
        if (int(frame_h_) != height_ || int(frame_w_) != width_) {
          error_ = ErrorCode::FrameSize;
          set_status(kStatusError, at);
        } else {
          error_ = ErrorCode::None;
          set_status(kStatusBusy, at);
          start_.notify(at);
        }
      }
      return tlm::TLM_OK_RESPONSE;
    case kStatus:
      set_status(status_ & ~(value & (kStatusDone | kStatusError)), at);
      return tlm::TLM_OK_RESPONSE;
    case kImg1Addr: img1_ = value; return tlm::TLM_OK_RESPONSE;
    case kImg2Addr: img2_ = value; return tlm::TLM_OK_RESPONSE;
    case kFlowAddr: flow_ = value; return tlm::TLM_OK_RESPONSE;
    case kSkipAddr: skip_ = value; return tlm::TLM_OK_RESPONSE;
    case kWeightAddr: weights_ = value; return tlm::TLM_OK_RESPONSE;
    case kFrameHeight: frame_h_ = value; return tlm::TLM_OK_RESPONSE;
    case kFrameWidth: frame_w_ = value; return tlm::TLM_OK_RESPONSE;
    default: {
      uint32_t ignored = 0;  // a read-only register exists; anything else is unmapped
      return read(offset, ignored) == tlm::TLM_OK_RESPONSE ? tlm::TLM_COMMAND_ERROR_RESPONSE
                                                           : tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
  }
}

void CsrBlock::set_status(uint32_t status, const sc_core::sc_time& at) {
  status_ = status;
  status_changed_.notify(at);
}

void CsrBlock::frame_done(uint64_t cycles, const std::vector<uint64_t>& layer_busy) {
  cycles_ = cycles;
  layer_busy_ = layer_busy;
  set_status(kStatusDone);
}

void CsrBlock::upset(uint32_t offset, uint32_t mask) {
  uint32_t* reg = offset == kCtrl          ? &ctrl_
                  : offset == kImg1Addr    ? &img1_
                  : offset == kImg2Addr    ? &img2_
                  : offset == kFlowAddr    ? &flow_
                  : offset == kSkipAddr    ? &skip_
                  : offset == kWeightAddr  ? &weights_
                  : offset == kFrameHeight ? &frame_h_
                  : offset == kFrameWidth  ? &frame_w_
                                           : nullptr;
  if (!reg) throw FaultError(fmt::format("CSR 0x{:02x} holds no setting an upset could change", offset));
  *reg ^= mask;
}

void CsrBlock::frame_failed(ErrorCode code) {
  error_ = code;
  set_status(kStatusError);
}

}  // namespace qflow
