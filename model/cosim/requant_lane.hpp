// A layer's Verilated requant unit (rtl/requant.sv built for its output width, or the flow head's),
// clocked by the caller: one accumulator in, one code out per cycle. Verilated types stay in the .cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "package/package.hpp"

namespace qflow {

class RequantLane {
 public:
  virtual ~RequantLane() = default;
  // Why the layer's requant integers or accumulators (up to +-acc_bound) do not fit the unit's
  // ports; "" when they do.
  virtual std::string misfit(const Layer& layer, int64_t acc_bound) const = 0;
  virtual void set_input(bool valid, int64_t acc, int64_t mult, int64_t bias, int shift) = 0;
  virtual void falling_edge() = 0;
  virtual void rising_edge() = 0;
  virtual bool in_ready() const = 0;
  virtual bool out_valid() const = 0;
  virtual int code() const = 0;
  virtual void resume_at(uint64_t ps) = 0;
};

// The unit for the layer's output (`fst`: its waves, empty for none). Throws SimulationError when
// rtl/ built none for its width.
std::unique_ptr<RequantLane> make_requant_lane(const Layer& layer, const std::string& name, double period_ns,
                                               const std::filesystem::path& fst);

}  // namespace qflow
