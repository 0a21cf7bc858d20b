#include "rtl_conv_unit.hpp"

#include <deque>

#include <fmt/format.h>

#include "model_error.hpp"
#include "qflow/rtl_config.hpp"
#include "requant_lane.hpp"

namespace qflow {
namespace {

// An accumulator between the array and the requant unit, and where its code goes.
struct Pending {
  int64_t acc = 0;
  int channel = 0, x = 0;
};

}  // namespace

RtlConvUnit::RtlConvUnit(const Layer& layer, const TensorShape& in, int pe, int simd, double period_ns,
                         const std::filesystem::path& waves_dir)
    : folding_{pe, simd},
      choice_(rtl::choose_array(pe, simd)),
      words_per_pixel_(folding_.groups(layer) * folding_.folds(layer)) {
  if (choice_.tiles == 0)
    throw ArchError(fmt::format("layer '{}': folding {}x{} (PE x SIMD) has no co-simulation array: {}; narrow it in "
                                "the architecture config", layer.name, pe, simd,
                                rtl::max_cosim_simd(pe) > 0
                                    ? fmt::format("SIMD up to {} at {} PE", rtl::max_cosim_simd(pe), pe)
                                    : fmt::format("PE up to {} ({} arrays side by side)", rtl_config::kFoldingMaxPE,
                                                  rtl_config::kArrayTiles)));
  if (in.max_code() >= (int64_t(1) << rtl_config::kArrayABits) || layer.w_bits > rtl_config::kArrayWBits)
    throw ArchError(fmt::format("layer '{}': {}-bit weights or inputs up to {} do not fit the co-simulation array "
                                "({}-bit weights, {}-bit activations)", layer.name, layer.w_bits, in.max_code(),
                                rtl_config::kArrayWBits, rtl_config::kArrayABits));
  const int64_t acc_bound = accumulator_bound(layer, in);
  if (acc_bound >= (int64_t(1) << (rtl_config::kAccBits - 1)))
    throw ArchError(fmt::format("layer '{}' cannot be co-simulated: its accumulators reach {} and the array's hold {} bits",
                                layer.name, acc_bound, rtl_config::kAccBits));
  const auto waves = [&](const std::string& unit) {
    return waves_dir.empty() ? std::filesystem::path() : waves_dir / (layer.name + "_" + unit);
  };
  requant_ = make_requant_lane(layer, layer.name + "_requant", period_ns,
                               waves_dir.empty() ? std::filesystem::path() : waves("requant.fst"));
  const std::string misfit = requant_->misfit(layer, acc_bound);
  if (!misfit.empty()) throw ArchError(fmt::format("layer '{}' cannot be co-simulated: {}", layer.name, misfit));
  tiles_ = make_array_tiles(choice_, layer.name + "_mac_array", period_ns, waves("mac_array"));
  // Far beyond any row: every beat and every code stalled a hundred times.
  const int out_w = in.width;  // an upper bound on any row's width
  max_cycles_ = 100 * (min_row_cycles(out_w) + uint64_t(out_w) * layer.cout) + 1000;
}

RtlConvUnit::~RtlConvUnit() = default;

uint64_t RtlConvUnit::min_row_cycles(int out_w) const { return uint64_t(out_w) * words_per_pixel_; }

std::string RtlConvUnit::hardware() const {
  return fmt::format("rtl:mac_array {}x{}{} + requant (Verilated)", choice_.pe, choice_.simd,
                     choice_.tiles > 1 ? fmt::format(" x{}", choice_.tiles) : "");
}

RtlRow RtlConvUnit::run_row(const Layer& layer, const CodeMap& strip, const WeightRom& rom, uint64_t start_ps) {
  const rtl::ConvFolding& f = folding_;
  const int out_w = (strip.width - layer.kernel) / layer.stride + 1;
  const int groups = f.groups(layer), folds = f.folds(layer), words = groups * folds;
  const uint64_t beats = uint64_t(out_w) * words;
  const size_t codes = size_t(out_w) * layer.cout;
  RtlRow row{CodeMap{layer.cout, 1, out_w, std::vector<int16_t>(codes)}};
  for (auto& tile : tiles_) tile->resume_at(start_ps);
  requant_->resume_at(start_ps);

  // The accumulators wait in a register bank of two outputs (PE each) for the requant unit; the
  // array stalls when the next output would not fit.
  const size_t bank = 2 * size_t(f.pe);
  std::deque<Pending> waiting, in_requant;
  std::vector<int32_t> window(size_t(folds) * f.simd + size_t(choice_.simd), 0), act(size_t(choice_.simd), 0);
  uint64_t sent = 0, driven = ~uint64_t(0), outputs = 0;
  size_t received = 0;
  int window_x = -1;
  while (received < codes) {
    const bool offer = sent < beats;
    const int fold = int(sent % uint64_t(folds));
    if (offer && driven != sent) {  // the next beat's operands, once
      const int x = int(sent / uint64_t(words));
      if (x != window_x) rtl::conv_window(layer, strip, 0, x, window), window_x = x;
      std::copy_n(window.begin() + fold * f.simd, f.simd, act.begin());
      const int8_t* word = rom.word(int(sent % uint64_t(words)));
      for (size_t t = 0; t < tiles_.size(); ++t) {
        const int first = int(t) * choice_.pe;
        tiles_[t]->set_operands(act, word, f, first, std::min(choice_.pe, f.pe - first));
      }
      driven = sent;
    }
    const bool array_ready = waiting.size() + size_t(f.pe) <= bank;
    for (auto& tile : tiles_) tile->set_handshake(offer, fold + 1 == folds, array_ready);
    const bool requant_valid = !waiting.empty();
    if (requant_valid) {
      const Pending& p = waiting.front();
      requant_->set_input(true, p.acc, layer.mult[size_t(p.channel)], layer.bias[size_t(p.channel)], layer.shift);
    } else {
      requant_->set_input(false, 0, 0, 0, 0);
    }
    for (auto& tile : tiles_) tile->falling_edge();
    requant_->falling_edge();

    const ArrayTile& lead = *tiles_.front();
    for (const auto& tile : tiles_)
      if (tile->in_ready() != lead.in_ready() || tile->out_valid() != lead.out_valid())
        throw SimulationError(fmt::format("co-simulation of layer '{}': the arrays side by side left lockstep",
                                          layer.name));
    if (requant_->out_valid()) {
      if (in_requant.empty())
        throw SimulationError(fmt::format("co-simulation of layer '{}': the requant unit put out a code it was not given",
                                          layer.name));
      const Pending& done = in_requant.front();
      row.codes.codes[size_t(done.channel) * out_w + done.x] = int16_t(requant_->code());
      in_requant.pop_front();
      ++received;
    }
    if (requant_valid && requant_->in_ready()) {
      in_requant.push_back(waiting.front());
      waiting.pop_front();
    }
    if (lead.out_valid() && array_ready) {  // an output leaves: PE channels of pixel x, group g
      const int x = int(outputs / uint64_t(groups)), g = int(outputs % uint64_t(groups));
      for (int p = 0; p < f.pe && g * f.pe + p < layer.cout; ++p)
        waiting.push_back({tiles_[size_t(p / choice_.pe)]->acc(p % choice_.pe), g * f.pe + p, x});
      ++outputs;
      row.array_cycles = row.cycles + 1;
    }
    if (offer && lead.in_ready()) ++sent;
    for (auto& tile : tiles_) tile->rising_edge();
    requant_->rising_edge();
    if (++row.cycles >= max_cycles_)
      throw SimulationError(fmt::format("co-simulation of layer '{}': a row did not finish in {} cycles", layer.name,
                                        max_cycles_));
  }
  return row;
}

}  // namespace qflow
