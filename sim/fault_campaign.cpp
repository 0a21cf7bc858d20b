#include "fault_campaign.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "datapath/weight_rom.hpp"

namespace qflow::sim {

namespace {

// One place faults of a site may strike, and how many bits it holds.
struct Target {
  std::string name;
  double bits = 0;
  int64_t words = 0;  // ROM words, rows held, accumulators or registers
  int64_t codes = 0;  // codes per row (line buffers, FIFOs)
  int word_bits = 0;  // bits a fault may hit in one word or code
};

std::vector<Target> targets(const RunPlan& plan, FaultSite site) {
  std::vector<Target> list;
  const Package& package = plan.package;
  const bool layer_site = site == FaultSite::Rom || site == FaultSite::LineBuffer || site == FaultSite::Accumulator;
  for (size_t i = 0; i < package.layers.size() && layer_site; ++i) {
    const Layer& layer = package.layers[i];
    if (!layer.is_conv()) continue;
    const ConvArch& arch = plan.config.convs.at(layer.name);
    const TensorShape& in = plan.maps.at(layer.inputs.at(0));
    if (site == FaultSite::Rom) {
      WeightRom rom(layer, arch.pe, arch.simd);
      rom.set_protection(arch.rom_protection);
      list.push_back({layer.name, double(rom.words()) * rom.stored_word_bits(), rom.words(), 0, rom.stored_word_bits()});
    } else if (site == FaultSite::LineBuffer) {
      const int64_t codes = int64_t(in.channels) * in.width;
      list.push_back({layer.name, double(layer.kernel) * double(codes) * in.bits, layer.kernel, codes, in.bits});
    } else if (site == FaultSite::Accumulator && !arch.cosim) {
      // The PE's accumulators (one per lane) strike one output of the row it computes next.
      const int64_t outputs = int64_t(plan.layers[i].out.channels) * plan.layers[i].out.width;
      list.push_back({layer.name, double(arch.pe) * 32, outputs, 0, 32});
    }
  }
  if (site == FaultSite::Fifo)
    for (const BufferSpec& b : plan.buffers) {
      if (b.in_dram) continue;
      const TensorShape& map = plan.maps.at(b.name.substr(0, b.name.find("_to_")));
      list.push_back({b.name, double(b.depth_rows) * double(b.row_bits), b.depth_rows, int64_t(map.channels) * map.width,
                      map.bits});
    }
  if (site == FaultSite::DramSkip)  // an edge spilled to DRAM: its map's rows, as the accelerator names the edge
    for (const BufferSpec& b : plan.buffers) {
      if (!b.in_dram) continue;
      const std::string edge = b.name.substr(0, b.name.size() - std::string("_in_dram").size());
      const TensorShape& map = plan.maps.at(edge.substr(0, edge.find("_to_")));
      list.push_back({edge, double(b.map_rows) * double(b.row_bits), b.map_rows, int64_t(map.channels) * map.width,
                      map.bits + map.frac});
    }
  if (site == FaultSite::Csr)
    for (const std::string& reg : csr_registers()) list.push_back({reg, 32, 1, 0, 32});
  return list;
}

int64_t uniform(std::mt19937_64& rng, int64_t n) { return std::uniform_int_distribution<int64_t>(0, n - 1)(rng); }

}  // namespace

std::vector<FaultSite> parse_sites(const std::string& list) {
  std::vector<FaultSite> sites;
  size_t at = 0;
  while (at <= list.size()) {
    const size_t end = std::min(list.find(',', at), list.size());
    sites.push_back(parse_site(list.substr(at, end - at)));
    at = end + 1;
  }
  return sites;
}

std::vector<Fault> draw_faults(const RunPlan& plan, int64_t frame_cycles, const std::vector<FaultSite>& sites,
                               int burst, int trials, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<FaultSite, std::vector<Target>> by_site;
  for (FaultSite s : sites) {
    by_site[s] = targets(plan, s);
    if (by_site[s].empty())
      throw FaultError(fmt::format("site '{}': nothing of this architecture to strike (every layer co-simulated?)", site_name(s)));
  }
  std::vector<Fault> faults;
  for (int t = 0; t < trials; ++t) {
    Fault f;
    f.site = sites[size_t(uniform(rng, int64_t(sites.size())))];
    const std::vector<Target>& list = by_site.at(f.site);
    std::vector<double> weights;
    for (const Target& target : list) weights.push_back(target.bits);
    const Target& target = list[std::discrete_distribution<size_t>(weights.begin(), weights.end())(rng)];
    f.target = target.name;
    f.burst = std::min(burst, target.word_bits);
    f.bit = int(uniform(rng, target.word_bits - f.burst + 1));
    if (f.site == FaultSite::Rom) f.word = uniform(rng, target.words);
    if (f.site == FaultSite::LineBuffer || f.site == FaultSite::Fifo || f.site == FaultSite::DramSkip) {
      f.row = uniform(rng, target.words);
      f.element = uniform(rng, target.codes);
    }
    if (f.site == FaultSite::Accumulator) f.element = uniform(rng, target.words);
    f.cycle = uniform(rng, frame_cycles);
    faults.push_back(f);
  }
  return faults;
}

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::Masked: return "masked";
    case Outcome::Tolerable: return "tolerable";
    case Outcome::Silent: return "silent";
    case Outcome::Detected: return "detected";
    case Outcome::Hang: return "hang";
  }
  return "?";
}

Outcome outcome_from_name(const std::string& name) {
  for (Outcome o : {Outcome::Masked, Outcome::Tolerable, Outcome::Silent, Outcome::Detected, Outcome::Hang})
    if (name == outcome_name(o)) return o;
  throw std::runtime_error(fmt::format("'{}' is not a trial outcome", name));
}

Damage classify_flow(const std::vector<int16_t>& golden, const std::vector<int16_t>& trial, double epe,
                     double threshold_px) {
  if (golden == trial) return {Outcome::Masked, 0};
  return {epe < threshold_px ? Outcome::Tolerable : Outcome::Silent, epe};
}

Outcome trial_outcome(const nlohmann::json& trial, double threshold_px) {
  const Outcome recorded = outcome_from_name(trial.at("outcome"));
  if (recorded != Outcome::Tolerable && recorded != Outcome::Silent) return recorded;
  return trial.at("epe").get<double>() < threshold_px ? Outcome::Tolerable : Outcome::Silent;
}

Outcome classify_failure(const std::string& failure) {
  const bool hang = failure.find("no interrupt within") != std::string::npos ||
                    failure.find("deadlocked") != std::string::npos;
  return hang ? Outcome::Hang : Outcome::Detected;
}

Interval wilson_interval(int64_t k, int64_t n) {
  if (n == 0) return {0, 1};
  const double z = 1.959964, p = double(k) / double(n), z2n = z * z / double(n);
  const double centre = (p + z2n / 2) / (1 + z2n);
  const double half = z * std::sqrt(p * (1 - p) / double(n) + z2n / (4 * double(n))) / (1 + z2n);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

std::string rate_with_interval(int64_t k, int64_t n) {
  const Interval ci = wilson_interval(k, n);
  return fmt::format("{:.1f} % [{:.1f}, {:.1f}]", 100.0 * double(k) / double(std::max<int64_t>(n, 1)), 100 * ci.low,
                     100 * ci.high);
}

std::map<std::string, Tally> tally_by_site(const std::vector<nlohmann::json>& trials, double threshold_px) {
  std::map<std::string, Tally> by_site;
  for (const nlohmann::json& t : trials) by_site[site_name(parse_fault(t.at("fault")).site)].add(trial_outcome(t, threshold_px));
  return by_site;
}

namespace {

std::string tally_table(const std::string& what, const std::vector<std::pair<std::string, Tally>>& rows) {
  std::string md = fmt::format("| {} | trials | masked | tolerable | silent | detected | hang | silent corruption (95 % CI) |\n"
                               "|---|---|---|---|---|---|---|---|\n", what);
  for (const auto& [name, t] : rows)
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", name, t.n, t.counts[0], t.counts[1], t.counts[2],
                      t.counts[3], t.counts[4], rate_with_interval(t[Outcome::Silent], t.n));
  return md;
}

}  // namespace

std::string campaign_report(const nlohmann::json& campaign, const std::vector<nlohmann::json>& trials,
                            const std::string& chart, double threshold_px) {
  const std::map<std::string, Tally> by_site = tally_by_site(trials, threshold_px);
  std::map<std::string, Tally> by_layer, by_bit;
  Tally all;
  double seconds = 0;
  int64_t timed = 0;
  for (const nlohmann::json& t : trials) {
    const Outcome o = trial_outcome(t, threshold_px);
    const Fault f = parse_fault(t.at("fault"));
    all.add(o);
    by_layer[fmt::format("{} {}", site_name(f.site), f.target)].add(o);
    by_bit[fmt::format("{} {}", site_name(f.site), t.value("bit", fmt::format("bit {:02d}", f.bit)))].add(o);
    if (t.contains("seconds")) seconds += t["seconds"].get<double>(), ++timed;
  }
  std::string md = fmt::format(
      "# Fault-injection campaign\n\n{} trials of {} on `{}` (architecture `{}`), seed {}, bursts of {} bit{}; "
      "silent corruption: the flow's EPE against the fault-free flow at or above {} px.\n\n",
      all.n, campaign.at("sites").get<std::string>(), campaign.at("model").get<std::string>(),
      campaign.at("arch").get<std::string>(), campaign.at("seed").get<uint64_t>(), campaign.at("burst").get<int>(),
      campaign.at("burst").get<int>() == 1 ? "" : "s", threshold_px);
  if (timed > 0)
    md += fmt::format("A trial (one frame of the model with its fault) took {:.3f} s of wall time on average.\n\n",
                      seconds / double(timed));
  md += "## By site\n\n" + tally_table("site", {by_site.begin(), by_site.end()}) + "\n";
  // The most vulnerable: the highest silent-corruption rates among targets with enough trials,
  // ties broken by the rate of any change to the flow.
  const auto vulnerability = [](const Tally& t) {
    return double(t.counts[int(Outcome::Silent)]) / double(t.n) +
           1e-6 * double(t.counts[int(Outcome::Tolerable)] + t.counts[int(Outcome::Silent)]) / double(t.n);
  };
  std::vector<std::pair<double, std::string>> worst;
  for (const auto& [name, t] : by_layer)
    if (t.n >= 10) worst.emplace_back(vulnerability(t), name);
  std::sort(worst.rbegin(), worst.rend());
  std::vector<std::pair<std::string, Tally>> top;  // highest rate first
  for (size_t i = 0; i < worst.size() && i < 10; ++i) top.emplace_back(worst[i].second, by_layer.at(worst[i].second));
  md += "## The most vulnerable layers and buffers\n\nThe ten highest silent-corruption rates (then rates of any change to the flow) among targets hit at "
        "least ten times (every trial: `results/*.jsonl`).\n\n" +
        tally_table("site and target", top) + "\n";
  // Per site, its three worst bit roles (a register's bits would otherwise fill the table).
  std::map<std::string, std::vector<std::pair<double, std::string>>> bits;
  for (const auto& [name, t] : by_bit)
    if (t.n >= 10) bits[name.substr(0, name.find(' '))].emplace_back(vulnerability(t), name);
  std::vector<std::pair<std::string, Tally>> top_bits;
  for (auto& [site, list] : bits) {
    std::sort(list.rbegin(), list.rend());
    for (size_t i = 0; i < list.size() && i < 3; ++i) top_bits.emplace_back(list[i].second, by_bit.at(list[i].second));
  }
  md += "## The most vulnerable bits\n\nPer site, the three highest silent-corruption rates (then rates of any change) by the struck bit's role (a "
        "ROM weight's bit or a check bit, a code's, an accumulator's or a register's bit), among those hit at least ten "
        "times.\n\n" +
        tally_table("site and bit", top_bits) + "\n";
  md += "## Damage\n\n" + chart + "\n";
  return md;
}

}  // namespace qflow::sim
