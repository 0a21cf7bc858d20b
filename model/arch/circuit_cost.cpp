#include "circuit_cost.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "model_error.hpp"

namespace qflow {
namespace {

struct Sample {
  double macs, pe;
  LogicCost cost;
};

// Least squares of count = a * macs + b * pe + c over the samples, for each count: the normal
// equations, solved by Gaussian elimination. Fewer than three distinct sizes: per MAC only.
std::array<LogicCost, 3> fit_linear(const std::vector<Sample>& samples) {
  const auto count = [](const LogicCost& c, int k) { return k == 0 ? c.luts : k == 1 ? c.flip_flops : c.dsps; };
  std::array<LogicCost, 3> coef{};
  for (int k = 0; k < 3; ++k) {
    double m[3][4] = {};
    for (const Sample& s : samples) {
      const double x[3] = {s.macs, s.pe, 1.0};
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) m[i][j] += x[i] * x[j];
        m[i][3] += x[i] * count(s.cost, k);
      }
    }
    bool solved = true;
    for (int col = 0; col < 3 && solved; ++col) {
      int pivot = col;
      for (int r = col + 1; r < 3; ++r)
        if (std::abs(m[r][col]) > std::abs(m[pivot][col])) pivot = r;
      if (std::abs(m[pivot][col]) < 1e-9 * (1 + std::abs(m[0][0]))) solved = false;
      std::swap(m[col], m[pivot]);
      for (int r = 0; r < 3 && solved; ++r)
        if (r != col) {
          const double f = m[r][col] / m[col][col];
          for (int j = col; j < 4; ++j) m[r][j] -= f * m[col][j];
        }
    }
    double x[3] = {0, 0, 0};
    if (solved) {
      for (int i = 0; i < 3; ++i) x[i] = m[i][3] / m[i][i];
    } else {  // one size: the count spread over its multipliers
      double total = 0, macs = 0;
      for (const Sample& s : samples) total += count(s.cost, k), macs += s.macs;
      x[0] = total / macs;
    }
    for (int i = 0; i < 3; ++i) (k == 0 ? coef[i].luts : k == 1 ? coef[i].flip_flops : coef[i].dsps) = x[i];
  }
  return coef;
}

const char* flow_of(MultiplierImpl impl) { return impl == MultiplierImpl::Dsp ? "xilinx" : "xilinx_nodsp"; }

}  // namespace

CircuitCostModel CircuitCostModel::read(const std::filesystem::path& csv) {
  std::ifstream in(csv);
  if (!in) throw ArchError(fmt::format("{}: missing or unreadable circuit cost table", csv.string()));
  const std::string header = "w_bits,a_bits,flow,unit,pe,simd,luts,flip_flops,dsps";
  std::string line;
  std::getline(in, line);
  if (line.rfind(header, 0) != 0)
    throw ArchError(fmt::format("{}: not scripts/circuit_cost.py's table (header '{}', expected '{}...')",
                                csv.string(), line, header));
  std::map<Key, std::vector<Sample>> arrays;
  CircuitCostModel model;
  for (int row = 2; std::getline(in, line); ++row) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string s; std::getline(fields, s, ',');) f.push_back(s);
    if (f.size() < 9) throw ArchError(fmt::format("{}:{}: expected at least 9 fields", csv.string(), row));
    try {
      const Key key{std::stoi(f[0]), std::stoi(f[1]), f[2]};
      const int pe = std::stoi(f[4]), simd = std::stoi(f[5]);
      const LogicCost cost{std::stod(f[6]), std::stod(f[7]), std::stod(f[8])};
      if (pe < 1 || simd < 1) throw ArchError(fmt::format("{}:{}: PE and SIMD must be positive", csv.string(), row));
      for (double count : {cost.luts, cost.flip_flops, cost.dsps})
        if (!std::isfinite(count) || count < 0)
          throw ArchError(fmt::format("{}:{}: counts must be finite and not negative", csv.string(), row));
      if (f[3] == "mac_array")
        arrays[key].push_back({double(pe) * simd, double(pe), cost});
      else if (f[3] == "requant_lane")
        model.lanes_[key] = cost;
      else if (f[3] == "requant_fixed_lane")
        model.fixed_lanes_[key] = cost;
      else
        throw ArchError(fmt::format("{}:{}: unknown unit '{}'", csv.string(), row, f[3]));
    } catch (const std::logic_error&) {
      throw ArchError(fmt::format("{}:{}: a field is not a number", csv.string(), row));
    }
  }
  for (const auto& [key, samples] : arrays) {
    const std::array<LogicCost, 3> c = fit_linear(samples);
    model.arrays_[key] = {c[0], c[1], c[2]};
  }
  for (int b = 2; b <= 8; ++b)
    for (const char* flow : {"xilinx", "xilinx_nodsp"}) {
      const Key key{b, b, flow};
      if (!model.arrays_.count(key) || !model.lanes_.count(key) || !model.fixed_lanes_.count(key))
        throw ArchError(fmt::format("{}: no {} rows (mac_array, requant_lane, requant_fixed_lane) for {}x{} bits",
                                    csv.string(), flow, b, b));
    }
  return model;
}

const CircuitCostModel& CircuitCostModel::bundled() {
  static const CircuitCostModel model = read(QFLOW_COST_TABLE);
  return model;
}

std::pair<int, int> CircuitCostModel::measured_widths(int w_bits, int a_bits) const {
  const int w = std::clamp(w_bits, 2, 8);
  if (a_bits > 8 && arrays_.count({8, 12, "xilinx"})) return {8, 12};
  return {w, std::clamp(a_bits, 2, 8)};
}

LogicCost CircuitCostModel::mac_array(int w_bits, int a_bits, int pe, int simd, MultiplierImpl impl) const {
  const auto [w, a] = measured_widths(w_bits, a_bits);
  const auto at = [&](int wb, int ab) {
    const Fit& f = arrays_.at({wb, ab, flow_of(impl)});
    const double macs = double(pe) * simd;
    return LogicCost{f.per_mac.luts * macs + f.per_pe.luts * pe + f.fixed.luts,
                     f.per_mac.flip_flops * macs + f.per_pe.flip_flops * pe + f.fixed.flip_flops,
                     f.per_mac.dsps * macs + f.per_pe.dsps * pe + f.fixed.dsps};
  };
  if (arrays_.count({w, a, flow_of(impl)})) return at(w, a);
  // Unequal widths the table lacks: the mean of the two equal-width arrays.
  const LogicCost x = at(w, w), y = at(a, a);
  return {(x.luts + y.luts) / 2, (x.flip_flops + y.flip_flops) / 2, (x.dsps + y.dsps) / 2};
}

LogicCost CircuitCostModel::requant_lanes(int w_bits, int a_bits, int pe, MultiplierImpl impl, bool fixed_shift) const {
  const auto [w, a] = measured_widths(w_bits, a_bits);
  const std::map<Key, LogicCost>& lanes = fixed_shift ? fixed_lanes_ : lanes_;
  // A lane depends on the accumulator width (w + a + depth) and its output width; equal widths
  // bracket it when the pair itself was not measured.
  const auto found = lanes.find({w, a, flow_of(impl)});
  const LogicCost lane = found != lanes.end() ? found->second : lanes.at({std::max(w, a), std::max(w, a), flow_of(impl)});
  return {lane.luts * pe, lane.flip_flops * pe, lane.dsps * pe};
}

LogicCost CircuitCostModel::datapath(int w_bits, int a_bits, int pe, int simd, MultiplierImpl impl) const {
  LogicCost cost = mac_array(w_bits, a_bits, pe, simd, impl);
  cost += requant_lanes(w_bits, a_bits, pe, impl);
  return cost;
}

}  // namespace qflow
