#include "waves_save.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "console/external_tool.hpp"
#include "errors.hpp"

namespace qflow::sim {
namespace {

struct Signal {
  std::vector<std::string> scopes;  // below the top scope
  std::string leaf;                 // with its range, as GTKWave names vectors: row[31:0]
  std::string full;                 // top.scope.leaf
  std::string id;
  int width = 1;
  bool placed = false;
};

struct Vcd {
  std::vector<Signal> signals;
  long long end = 0, start = -1, irq = -1;  // in timescale units; -1: never
};

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

Vcd read_vcd(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw FlowIoError(fmt::format("{}: cannot read the waves", path.string()));
  Vcd v;
  std::vector<std::string> scopes;
  std::string line;
  while (std::getline(in, line) && line.find("$enddefinitions") == std::string::npos) {
    std::istringstream words(line);
    std::string keyword;
    words >> keyword;
    if (keyword == "$scope") {
      std::string kind, name;
      words >> kind >> name;
      scopes.push_back(name);
    } else if (keyword == "$upscope") {
      if (!scopes.empty()) scopes.pop_back();
    } else if (keyword == "$var") {
      Signal s;
      std::string kind, range;
      words >> kind >> s.width >> s.id >> s.leaf >> range;
      if (range.rfind('[', 0) == 0) s.leaf += range;
      for (const std::string& scope : scopes) s.full += scope + ".";
      s.full += s.leaf;
      if (!scopes.empty()) s.scopes.assign(scopes.begin() + 1, scopes.end());
      v.signals.push_back(s);
    }
  }
  // The frame starts when the CSR status first leaves idle and ends at the interrupt.
  std::string status_id, irq_id;
  for (const Signal& s : v.signals) {
    if (s.scopes == std::vector<std::string>{"csr"} && s.leaf.rfind("status", 0) == 0) status_id = s.id;
    if (s.scopes.empty() && s.leaf == "irq") irq_id = s.id;
  }
  long long now = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      now = std::stoll(line.substr(1));
      v.end = std::max(v.end, now);
    } else if (v.irq < 0 && line.size() > 1 && line[0] == '1' && line.substr(1) == irq_id) {
      v.irq = now;
    } else if (v.start < 0 && line[0] == 'b' && !status_id.empty() && ends_with(line, " " + status_id) &&
               line.find('1') < line.find(' ')) {
      v.start = now;
    }
  }
  return v;
}

class SaveWriter {
 public:
  explicit SaveWriter(std::ostream& out) : out_(out) {}
  void begin_group(const std::string& name, bool closed) { out_ << (closed ? "@c00200\n-" : "@800200\n-") << name << "\n"; }
  void end_group(const std::string& name, bool closed) { out_ << (closed ? "@1401200\n-" : "@1000200\n-") << name << "\n"; }
  // 28: binary, 24: decimal, 8024: analog step (decimal, right-justified), with two blank rows of height.
  void trace(Signal& s, const std::string& label, bool analog = false) {
    out_ << (analog ? "@8024\n" : s.width == 1 ? "@28\n" : "@24\n") << "+{" << label << "} " << s.full << "\n";
    if (analog) out_ << "@20000\n-\n@20000\n-\n";
    s.placed = true;
  }

 private:
  std::ostream& out_;
};

}  // namespace

void write_gtkwave_save(const std::filesystem::path& vcd_path, const std::filesystem::path& save,
                        const std::vector<std::string>& units, const std::filesystem::path& dumpfile) {
  Vcd vcd = read_vcd(vcd_path);
  std::ofstream out(save);
  // Zoom so that the whole dump fits the wave pane (about 1190 pixels of a 1600-pixel window with a
  // 300-pixel signal pane, less a vertical scroll bar when the traces outgrow the window: aim at
  // 1100). GTKWave 3.3 shows 2^-zoom / 200 time units per pixel (measured through its Tcl
  // getUnitTimePixels at several zooms; the GTKWave test checks the result).
  constexpr int kWidth = 1600, kSignalsWidth = 300;
  constexpr double kWavePixels = 1100, kUnitsPerPixelAtZoom0 = 1.0 / 200;
  const double zoom = -std::log2(std::max(1.0, double(vcd.end)) / kWavePixels / kUnitsPerPixelAtZoom0);
  out << "[*] written by qflow-sim: the whole frame; markers A = frame start, B = interrupt\n"
      << "[dumpfile] \"" << std::filesystem::absolute(dumpfile).string() << "\"\n"
      << "[timestart] 0\n[size] " << kWidth << " 900\n[pos] -1 -1\n"
      << fmt::format("*{:.6f} {} {} {}", zoom, std::max(vcd.irq, 0LL), std::max(vcd.start, 0LL), vcd.irq);
  for (int i = 2; i < 26; ++i) out << " -1";
  out << "\n[sst_expanded] 0\n[signals_width] " << kSignalsWidth << "\n";

  SaveWriter w(out);
  w.begin_group("control: CSR status, interrupt", false);
  for (Signal& s : vcd.signals)
    if (s.scopes == std::vector<std::string>{"csr"} || (s.scopes.empty() && s.leaf == "irq"))
      w.trace(s, s.scopes.empty() ? s.leaf : "csr " + s.leaf);
  w.end_group("control: CSR status, interrupt", false);
  w.begin_group("DRAM: bytes each DMA master moved this frame", true);
  for (Signal& s : vcd.signals)
    if (s.scopes == std::vector<std::string>{"dram"}) w.trace(s, "dram " + s.leaf, /*analog=*/true);
  w.end_group("DRAM: bytes each DMA master moved this frame", true);

  for (const std::string& unit : units) {
    std::vector<Signal*> own, fifos;
    for (Signal& s : vcd.signals) {
      if (s.placed || s.scopes.empty()) continue;
      if (s.scopes.size() == 1 && s.scopes[0] == unit) own.push_back(&s);
      else if (s.scopes.size() == 2 && s.scopes[0] == "fifo" && s.scopes[1].rfind(unit + "_to_", 0) == 0) fifos.push_back(&s);
    }
    if (own.empty() && fifos.empty()) continue;
    w.begin_group(unit, false);
    // Labels without dots: GTKWave would cut a dotted label down to its last part.
    for (Signal* s : own) w.trace(*s, unit + " " + s->leaf);
    for (Signal* s : fifos) w.trace(*s, "fifo " + s->scopes[1] + " level", /*analog=*/true);
    w.end_group(unit, false);
  }
  if (std::any_of(vcd.signals.begin(), vcd.signals.end(), [](const Signal& s) { return !s.placed; })) {
    w.begin_group("other", true);
    for (Signal& s : vcd.signals)
      if (!s.placed) {
        std::string label = s.full.substr(s.full.find('.') + 1);
        std::replace(label.begin(), label.end(), '.', ' ');
        w.trace(s, label);
      }
    w.end_group("other", true);
  }
  if (!out) throw FlowIoError(fmt::format("{}: cannot write", save.string()));
}

void convert_to_fst(const std::filesystem::path& vcd) {
  std::filesystem::path fst = vcd;
  fst.replace_extension(".fst");
  const int status = run_tool({"vcd2fst", "-v", vcd.string(), "-f", fst.string()});
  if (status == 127) throw FlowIoError("--fst converts the waves with vcd2fst, which is not installed (Debian: gtkwave)");
  if (status != 0 || !std::filesystem::exists(fst)) throw FlowIoError(fmt::format("vcd2fst could not convert {}", vcd.string()));
  std::filesystem::remove(vcd);
}

}  // namespace qflow::sim
