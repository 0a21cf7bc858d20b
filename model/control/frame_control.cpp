#include "frame_control.hpp"

#include <cmath>

namespace qflow {

FrameControl::FrameControl(sc_core::sc_module_name name, CsrBlock& csr, sc_core::sc_time period, FrameHooks hooks)
    : sc_module(name), csr_(csr), period_(period), hooks_(std::move(hooks)) {
  SC_THREAD(run);
}

void FrameControl::run() {
  for (;;) {
    wait(csr_.start_requested());
    pipeline_start_ = sc_core::sc_time_stamp();
    cycles_ = 0;
    hooks_.prepare();
    frame_start_.notify(sc_core::SC_ZERO_TIME);
    wait(hooks_.done());
    if (const csr::ErrorCode error = hooks_.error(); error != csr::ErrorCode::None) {
      csr_.frame_failed(error);
      continue;
    }
    cycles_ = uint64_t(std::llround((sc_core::sc_time_stamp() - pipeline_start_) / period_));
    csr_.frame_done(cycles_, hooks_.layer_busy());
  }
}

}  // namespace qflow
