#include "run_charts.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "console/external_tool.hpp"
#include "errors.hpp"
#include "output_file.hpp"

namespace qflow::sim {
namespace fs = std::filesystem;
namespace {

// Busy, stalled and starved stretches, neighbours of one state merged (a unit that is never
// blocked is one busy bar, not one per row).
std::string timeline_csv(const std::vector<UnitTimeline>& timeline) {
  std::string csv = "unit_index,unit,state,start,end\n";
  for (size_t u = 0; u < timeline.size(); ++u) {
    const auto& spans = timeline[u].spans;
    for (size_t i = 0; i < spans.size();) {
      size_t j = i;
      while (j + 1 < spans.size() && spans[j + 1].state == spans[i].state && spans[j + 1].start <= spans[j].end) ++j;
      csv += fmt::format("{},{},{},{},{}\n", u, timeline[u].name, spans[i].state, spans[i].start, spans[j].end);
      i = j + 1;
    }
  }
  return csv;
}

// One block per channel (gnuplot's `index`), each level change as a step.
std::string levels_data(const std::vector<ChannelInfo>& channels, std::vector<std::string>& names) {
  std::string data;
  for (const ChannelInfo& c : channels) {
    if (c.levels.empty()) continue;
    names.push_back(c.name);
    data += fmt::format("# {} (depth {} rows)\n", c.name, c.depth);
    for (const auto& [cycle, rows] : c.levels) data += fmt::format("{} {}\n", cycle, rows);
    data += "\n\n";
  }
  return data;
}

// The DMA's bandwidth over the frame, by kind of master (the first word of its name: input, flow,
// skip, weights), in GB/s per bin; each transfer's bytes spread evenly from its issue to its
// completion. Columns: bin start (cycle), then one per kind, in `kinds` order.
std::string dram_use_data(const std::vector<DramUse>& use, int64_t frame_cycles, double period_ns,
                          std::vector<std::string>& kinds) {
  constexpr int kBins = 200;
  const double bin = std::max(1.0, double(frame_cycles) / kBins);
  std::map<std::string, std::vector<double>> bytes;
  for (const DramUse& u : use) {
    const std::string kind = u.master.substr(0, u.master.find(' '));
    std::vector<double>& per_bin = bytes.try_emplace(kind, kBins, 0.0).first->second;
    const double start = double(std::max<int64_t>(0, u.start)), end = std::max(start + 1, double(u.end));
    for (int b = int(start / bin); b < kBins && b * bin < end; ++b) {
      const double overlap = std::min(end, (b + 1) * bin) - std::max(start, b * bin);
      if (overlap > 0) per_bin[size_t(b)] += double(u.bytes) * overlap / (end - start);
    }
  }
  std::string data = "# cycle";
  for (const auto& [kind, per_bin] : bytes) kinds.push_back(kind), data += " " + kind;
  data += "  (GB/s)\n";
  for (int b = 0; b < kBins; ++b) {
    data += fmt::format("{:.0f}", b * bin);
    for (const auto& [kind, per_bin] : bytes) data += fmt::format(" {:.4f}", per_bin[size_t(b)] / (bin * period_ns));
    data += "\n";
  }
  return data;
}

std::string script(const std::vector<UnitTimeline>& timeline, const std::vector<std::string>& channels,
                   const std::vector<std::string>& dram_kinds, double peak_gbps, int64_t frame_cycles) {
  std::string ytics;
  for (size_t u = 0; u < timeline.size(); ++u)
    ytics += fmt::format("{}\"{}\" {}", u ? ", " : "", timeline[u].name, u);
  std::string fifo_plot;
  for (size_t c = 0; c < channels.size(); ++c)
    fifo_plot += fmt::format("{}\"fifo_levels.dat\" index {} using 1:2 with steps lw 1.5 title \"{}\"",
                             c ? ", \\\n     " : "", c, channels[c]);
  // Stacked: each kind drawn as the sum of itself and the kinds after it, widest first.
  std::string dram_plot;
  for (size_t k = 0; k < dram_kinds.size(); ++k) {
    std::string sum;
    for (size_t j = k; j < dram_kinds.size(); ++j) sum += fmt::format("{}${}", j > k ? "+" : "", j + 2);
    dram_plot += fmt::format("{}\"dram_use.dat\" using 1:({}) with boxes title \"{}\"", k ? ", \\\n     " : "", sum,
                             dram_kinds[k]);
  }
  dram_plot += fmt::format("{}{} with lines dt 2 lw 1.5 lc rgb \"#000000\" title \"the DRAM model's {:.1f} GB/s\"",
                           dram_plot.empty() ? "" : ", \\\n     ", peak_gbps, peak_gbps);
  const int height = std::max(320, 18 * int(timeline.size()) + 120);
  return fmt::format(R"gp(# Drawn by qflow-sim run from layers.csv, timeline.csv and fifo_levels.dat: gnuplot charts.gp
set terminal svg size 960,420 dynamic noenhanced font "sans,11" background "white"
set datafile separator comma
set datafile columnheaders
set grid ytics

set output "layers.svg"
set title "Busy cycles per frame and utilization of the initiation interval, per layer"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by -60 scale 0 font ",9"
set ylabel "busy cycles per frame"
set y2label "utilization (%)"
set y2range [0:105]
set y2tics
set yrange [0:*]
set key outside top center horizontal
plot "layers.csv" using (column("busy_cycles")):xtic(1) lc rgb "#2b8a3e" title "busy cycles", \
     "" using 0:(100*column("utilization")) axes x1y2 with points pt 7 ps 1.2 lc rgb "#e8590c" title "utilization"

unset y2tics
unset y2label
set style data lines
set xtics norotate font ",11" auto
set terminal svg size 960,{height} dynamic noenhanced font "sans,11" background "white"
set output "timeline.svg"
set title "Pipeline timeline of the frame (simulated): busy, stalled on a full FIFO, starved for an input row, waiting for weights"
set xlabel "cycle"
set ylabel ""
set xrange [0:{frame_cycles}]
set yrange [-0.7:{top}]
set ytics ({ytics}) font ",9"
set grid xtics noytics
set key outside top center horizontal
busy(s) = strcol("state") eq "B" ? column("unit_index") : NaN
stall(s) = strcol("state") eq "S" ? column("unit_index") : NaN
starve(s) = strcol("state") eq "W" ? column("unit_index") : NaN
weights(s) = strcol("state") eq "D" ? column("unit_index") : NaN
mid = "(column(\"start\") + column(\"end\")) / 2"
half = "(column(\"end\") - column(\"start\")) / 2"
plot "timeline.csv" using (@mid):(busy(0)):(@half):(0.35) with boxxyerror fs solid 0.9 noborder lc rgb "#2b8a3e" title "busy", \
     "" using (@mid):(stall(0)):(@half):(0.35) with boxxyerror fs solid 0.9 noborder lc rgb "#e03131" title "stalled", \
     "" using (@mid):(starve(0)):(@half):(0.2) with boxxyerror fs solid 0.6 noborder lc rgb "#adb5bd" title "starved", \
     "" using (@mid):(weights(0)):(@half):(0.35) with boxxyerror fs solid 0.9 noborder lc rgb "#1971c2" title "waiting for weights"

set terminal svg size 960,480 dynamic noenhanced font "sans,11" background "white"
set datafile separator whitespace
set output "fifo_levels.svg"
set title "FIFO and skip-buffer fill over the frame (rows held)"
set ylabel "rows"
set autoscale y
set yrange [0:*]
set ytics auto font ",11"
set grid xtics ytics
set key outside right font ",8"
plot {fifo_plot}

set output "dram_use.svg"
set title "DRAM bandwidth the accelerator's DMA used over the frame, by master (GB/s)"
set xrange [0:{frame_cycles}]
set xlabel "cycle"
set ylabel "GB/s"
set yrange [0:*]
set style fill solid 0.8 noborder
set boxwidth 1.0 relative
set key outside right font ",9"
plot {dram_plot}
)gp",
                     fmt::arg("height", height), fmt::arg("frame_cycles", std::max<int64_t>(1, frame_cycles)),
                     fmt::arg("top", double(timeline.size()) - 0.3), fmt::arg("ytics", ytics),
                     fmt::arg("fifo_plot", fifo_plot.empty() ? "NaN notitle" : fifo_plot),
                     fmt::arg("dram_plot", dram_plot));
}

}  // namespace

std::string write_run_charts(const fs::path& out, const std::string& layers_csv, const SimulationResult& result,
                             const DramConfig& dram, double period_ns) {
  const fs::path dir = out / "charts";
  fs::create_directories(dir);
  write_output_file(dir / "layers.csv", layers_csv);
  write_output_file(dir / "timeline.csv", timeline_csv(result.timeline));
  std::vector<std::string> channels;
  write_output_file(dir / "fifo_levels.dat", levels_data(result.channels, channels));
  std::vector<std::string> dram_kinds;
  write_output_file(dir / "dram_use.dat",
             dram_use_data(result.dram_use, int64_t(result.frame_cycles), period_ns, dram_kinds));
  write_output_file(dir / "charts.gp",
             script(result.timeline, channels, dram_kinds, dram.bandwidth_gbps, int64_t(result.frame_cycles)));
  const int status = run_tool({"gnuplot", "charts.gp"}, dir, dir / "charts.log");
  if (status == 127)
    return "Charts: gnuplot is not installed (Debian: gnuplot-nox); `gnuplot charts.gp` in charts/ draws them.";
  if (status != 0) throw FlowIoError(fmt::format("gnuplot failed on {} (see charts.log)", (dir / "charts.gp").string()));
  return "![cycles and utilization per layer](charts/layers.svg)\n\n![pipeline timeline](charts/timeline.svg)\n\n"
         "![FIFO fill](charts/fifo_levels.svg)\n\n![DRAM bandwidth over the frame](charts/dram_use.svg)";
}

}  // namespace qflow::sim
