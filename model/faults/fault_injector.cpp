#include "fault_injector.hpp"

#include <fmt/format.h>

namespace qflow {

FaultInjector::FaultInjector(sc_core::sc_module_name name, Accelerator& accelerator,
                             std::vector<std::optional<Fault>> per_frame, bool drawn)
    : sc_module(name), accelerator_(accelerator), per_frame_(std::move(per_frame)), drawn_(drawn) {
  accelerator_.write_flow_rows_at_their_time();
  SC_THREAD(run);
}

void FaultInjector::run() {
  const sc_core::sc_event &frame_start = accelerator_.frame_start(), &frame_done = accelerator_.frame_done();
  for (size_t frame = 0;; ++frame) {
    wait(frame_start);
    injected_.push_back(false);
    const std::optional<Fault> fault = frame < per_frame_.size() ? per_frame_[frame] : std::nullopt;
    if (fault) {
      const sc_core::sc_time start = sc_core::sc_time_stamp(), at = accelerator_.period() * double(fault->cycle);
      wait(at, frame_done);
      if (sc_core::sc_time_stamp() - start < at) {  // the frame ended first
        undo();
        continue;
      }
      std::string failed;
      try {
        inject(*fault);
        injected_.back() = true;
      } catch (const FaultError& e) {
        if (!drawn_) failed = e.what();  // a drawn fault that found nothing live there is masked
      } catch (const std::exception& e) {
        failed = e.what();
      }
      if (!failed.empty()) {
        error_ = fmt::format("fault {}: {}", fault_spec(*fault), failed);
        sc_core::sc_stop();
        return;
      }
    }
    wait(frame_done);
    undo();  // before the host starts the next frame
  }
}

void FaultInjector::inject(const Fault& f) {
  switch (f.site) {
    case FaultSite::Rom: return accelerator_.upset_rom(f.target, f.word, f.bit, f.burst);
    case FaultSite::LineBuffer: return accelerator_.upset_line_buffer(f.target, f.row, f.element, f.bit, f.burst);
    case FaultSite::Fifo: return accelerator_.upset_fifo(f.target, f.row, f.element, f.bit, f.burst);
    case FaultSite::DramSkip: return accelerator_.upset_dram_skip(f.target, f.row, f.element, f.bit, f.burst);
    case FaultSite::Accumulator: return accelerator_.upset_accumulator(f.target, f.element, f.bit, f.burst);
    case FaultSite::Csr:
      if (f.bit + f.burst > 32) throw FaultError(fmt::format("bits {}..{} are past a 32-bit register", f.bit, f.bit + f.burst - 1));
      csr_offset_ = csr_offset(f.target);
      csr_mask_ = uint32_t(((uint64_t(1) << f.burst) - 1) << f.bit);
      return accelerator_.csr.upset(csr_offset_, csr_mask_);
  }
}

void FaultInjector::undo() {
  accelerator_.restore_roms();
  if (csr_mask_) accelerator_.csr.upset(csr_offset_, csr_mask_);
  csr_mask_ = 0;
}

}  // namespace qflow
