// The co-simulation MAC arrays a layer's folding runs on (rtl/cosim/array_choice.hpp chooses them),
// side by side when there are several, each taking the same activations and its own PE lanes'
// weights. Verilated types stay in the .cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "array_choice.hpp"
#include "conv_folding.hpp"

namespace qflow {

using rtl::ArrayChoice;

// One Verilated mac_array clocked by the caller (rtl/cosim/clocked_model.hpp).
class ArrayTile {
 public:
  virtual ~ArrayTile() = default;
  // The next beat's operands: `act` holds the tile's SIMD lanes (zero beyond the folding's); the
  // weights are PE lanes [first_pe, first_pe + count) of a ROM word of folding `f`. Lanes the
  // folding leaves unused stay zero.
  virtual void set_operands(const std::vector<int32_t>& act, const int8_t* word, const rtl::ConvFolding& f,
                            int first_pe, int count) = 0;
  virtual void set_handshake(bool in_valid, bool last, bool out_ready) = 0;
  virtual void falling_edge() = 0;
  virtual void rising_edge() = 0;
  virtual bool in_ready() const = 0;
  virtual bool out_valid() const = 0;
  virtual int64_t acc(int p) const = 0;  // PE lane p's accumulator on the output port
  virtual void resume_at(uint64_t ps) = 0;
};

// `fst_prefix`: "<dir>/<name>" for waves (each tile writes <prefix>.fst, or <prefix>_<t>.fst beyond
// the first), empty for none.
std::vector<std::unique_ptr<ArrayTile>> make_array_tiles(const ArrayChoice& choice, const std::string& name,
                                                         double period_ns, const std::filesystem::path& fst_prefix);

}  // namespace qflow
