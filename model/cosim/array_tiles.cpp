#include "array_tiles.hpp"

#include <cstring>

#include <fmt/format.h>

#include "clocked_model.hpp"
#include "mac_array_models.hpp"
#include "model_error.hpp"
#include "qflow/rtl_config.hpp"

namespace qflow {
namespace {

template <class Vtop, class Params>
class TileOf : public ArrayTile {
 public:
  static constexpr int kPE = Params::kPE, kSIMD = Params::kSIMD;
  static_assert(Params::kWBits == 8, "weights are placed a byte per lane");
  static_assert(sizeof(Vtop::out_acc_o) == (kPE * rtl_config::kAccBits + 31) / 32 * 4,
                "the array's accumulators are rtl_config's width");

  TileOf(const std::string& name, double period_ns, const std::filesystem::path& fst)
      : model_(name, period_ns, fst) {}
  void set_operands(const std::vector<int32_t>& act, const int8_t* word, const rtl::ConvFolding& f, int first_pe,
                    int count) override {
    Vtop& io = model_.io();
    rtl::write_lanes(io.in_act_i, act, Params::kABits);
    // Little-endian words: lane l's byte is byte l of the port.
    auto* lanes = reinterpret_cast<int8_t*>(io.in_wgt_i.data());
    for (int p = 0; p < count; ++p) std::memcpy(lanes + p * kSIMD, word + (first_pe + p) * f.simd, size_t(f.simd));
  }
  void set_handshake(bool in_valid, bool last, bool out_ready) override {
    Vtop& io = model_.io();
    io.in_valid_i = in_valid;
    io.in_last_i = last;
    io.out_ready_i = out_ready;
  }
  void falling_edge() override { model_.falling_edge(); }
  void rising_edge() override { model_.rising_edge(); }
  bool in_ready() const override { return model_.io().in_ready_o; }
  bool out_valid() const override { return model_.io().out_valid_o; }
  int64_t acc(int p) const override { return rtl::read_lane(model_.io().out_acc_o, p, rtl_config::kAccBits, /*is_signed=*/true); }
  void resume_at(uint64_t ps) override { model_.resume_at(ps); }

 private:
  rtl::ClockedModel<Vtop> model_;
};

}  // namespace

std::vector<std::unique_ptr<ArrayTile>> make_array_tiles(const ArrayChoice& choice, const std::string& name,
                                                         double period_ns, const std::filesystem::path& fst_prefix) {
  std::vector<std::unique_ptr<ArrayTile>> tiles;
  for (int t = 0; t < choice.tiles; ++t) {
    const std::string tile = t == 0 ? name : name + "_" + std::to_string(t);
    std::filesystem::path fst;
    if (!fst_prefix.empty()) fst = fst_prefix.string() + (t == 0 ? "" : "_" + std::to_string(t)) + ".fst";
#define QFLOW_ARRAY_CASE(Vtop, Params)                                 \
  if (choice.pe == Params::kPE && choice.simd == Params::kSIMD) { \
    tiles.push_back(std::make_unique<TileOf<Vtop, Params>>(tile, period_ns, fst)); \
    continue;                                                          \
  }
    QFLOW_FOR_EACH_ARRAY_MODEL(QFLOW_ARRAY_CASE)
#undef QFLOW_ARRAY_CASE
    throw SimulationError(fmt::format("no co-simulation array of {}x{} (PE x SIMD) was Verilated", choice.pe, choice.simd));
  }
  return tiles;
}

}  // namespace qflow
