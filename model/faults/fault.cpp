#include "fault.hpp"

#include <map>
#include <regex>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "driver/csr_map.hpp"

namespace qflow {

namespace {

const std::map<std::string, FaultSite> kSites{{"rom", FaultSite::Rom},
                                              {"line", FaultSite::LineBuffer},
                                              {"fifo", FaultSite::Fifo},
                                              {"dram", FaultSite::DramSkip},
                                              {"acc", FaultSite::Accumulator},
                                              {"csr", FaultSite::Csr}};

const std::vector<std::pair<std::string, uint32_t>> kRegisters{
    {"ctrl", csr::kCtrl},           {"img1_addr", csr::kImg1Addr},   {"img2_addr", csr::kImg2Addr},
    {"flow_addr", csr::kFlowAddr},  {"skip_addr", csr::kSkipAddr},   {"frame_height", csr::kFrameHeight},
    {"frame_width", csr::kFrameWidth}, {"weight_addr", csr::kWeightAddr}};

}  // namespace

const char* site_name(FaultSite site) {
  for (const auto& [name, s] : kSites)
    if (s == site) return name.c_str();
  return "?";
}

FaultSite parse_site(const std::string& name) {
  const auto site = kSites.find(name);
  if (site == kSites.end()) throw FaultError(fmt::format("'{}' is not a fault site (rom, line, fifo, dram, acc, csr)", name));
  return site->second;
}

const std::vector<std::string>& csr_registers() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const auto& [name, offset] : kRegisters) list.push_back(name);
    return list;
  }();
  return names;
}

uint32_t csr_offset(const std::string& name) {
  for (const auto& [n, offset] : kRegisters)
    if (n == name) return offset;
  throw FaultError(
      fmt::format("'{}' is not a control register a fault may hit ({})", name, fmt::join(csr_registers(), ", ")));
}

Fault parse_fault(const std::string& spec) {
  std::smatch m;
  if (!std::regex_match(spec, m, std::regex(R"(([a-z]+):([A-Za-z0-9_]+)((?::[a-z]+=-?\d+)*)@(-?\d+))")))
    throw FaultError(fmt::format("fault '{}' is not SITE:TARGET[:key=N]...@CYCLE (e.g. rom:conv3:word=12:bit=5@2000)", spec));
  Fault f;
  try {
    f.site = parse_site(m[1]);
  } catch (const FaultError& e) {
    throw FaultError(fmt::format("fault '{}': {}", spec, e.what()));
  }
  f.target = m[2];
  f.cycle = std::stoll(m[4]);
  if (f.cycle < 0) throw FaultError(fmt::format("fault '{}': the cycle {} is before the frame", spec, f.cycle));
  if (f.site == FaultSite::Csr) csr_offset(f.target);
  // Each site takes its own keys; bit is required.
  const std::map<FaultSite, std::vector<std::string>> keys{{FaultSite::Rom, {"word"}},
                                                          {FaultSite::LineBuffer, {"row", "element"}},
                                                          {FaultSite::Fifo, {"row", "element"}},
                                                          {FaultSite::DramSkip, {"row", "element"}},
                                                          {FaultSite::Accumulator, {"element"}},
                                                          {FaultSite::Csr, {}}};
  bool has_bit = false;
  const std::string pairs = m[3];
  const std::regex pair(R"(:([a-z]+)=(-?\d+))");
  for (auto it = std::sregex_iterator(pairs.begin(), pairs.end(), pair); it != std::sregex_iterator(); ++it) {
    const std::string key = (*it)[1];
    const int64_t value = std::stoll((*it)[2]);
    if (value < 0) throw FaultError(fmt::format("fault '{}': {}={} is negative", spec, key, value));
    const auto& allowed = keys.at(f.site);
    if (key == "bit") {
      f.bit = int(value);
      has_bit = true;
    } else if (key == "burst") {
      if (value < 1 || value > 64) throw FaultError(fmt::format("fault '{}': burst={} is not 1..64 bits", spec, value));
      f.burst = int(value);
    } else if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) {
      (key == "word" ? f.word : key == "row" ? f.row : f.element) = value;
    } else {
      throw FaultError(fmt::format("fault '{}': a {} fault has no '{}'", spec, m[1].str(), key));
    }
  }
  if (!has_bit) throw FaultError(fmt::format("fault '{}': no bit=N", spec));
  return f;
}

std::string fault_spec(const Fault& f) {
  std::string keys;
  if (f.site == FaultSite::Rom) keys += fmt::format(":word={}", f.word);
  const bool row_site = f.site == FaultSite::LineBuffer || f.site == FaultSite::Fifo || f.site == FaultSite::DramSkip;
  if (row_site) keys += fmt::format(":row={}", f.row);
  if (row_site || f.site == FaultSite::Accumulator) keys += fmt::format(":element={}", f.element);
  keys += fmt::format(":bit={}", f.bit);
  if (f.burst != 1) keys += fmt::format(":burst={}", f.burst);
  return fmt::format("{}:{}{}@{}", site_name(f.site), f.target, keys, f.cycle);
}

}  // namespace qflow
