#include "study_charts.hpp"

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "console/external_tool.hpp"
#include "json_file.hpp"
#include "study_plan.hpp"

namespace qflow::study {
namespace fs = std::filesystem;

namespace {

double float_row(const StudyTable& t, const std::string& name, const std::string& column) {
  for (const nlohmann::json& r : t.rows)
    if (r.at("name") == name && r.at(column).is_number()) return r.at(column).get<double>();
  return std::nan("");
}

std::string gnuplot_number(double x) { return std::isnan(x) ? "NaN" : fmt::format("{:.6g}", x); }

std::string script(const StudyTable& t) {
  const std::string a = t.accuracy_column;
  const std::string what = a == "epe_real" ? "EPE on the real pairs (px)" : "EPE on the validation scenes (px)";
  const double farneback = t.baselines.is_object() ? t.baselines.at("farneback").get<double>() : std::nan("");
  const double zero = t.baselines.is_object() ? t.baselines.at("zero").get<double>() : std::nan("");
  return fmt::format(R"gp(# Drawn by qflow-study report from report.csv and pareto.csv: gnuplot charts.gp
set terminal svg size 640,420 dynamic font "sans,12" background "white"
set datafile separator comma
set datafile columnheaders
set grid
set key top right
A = "{a}"
float_q = {float_q}
farneback = {farneback}
zero = {zero}
fixed(c) = column("w_bits") > 0 && strcol("ranges") eq "fixed" ? column(c) : NaN
learned(c) = column("w_bits") > 0 && strcol("ranges") eq "learned" ? column(c) : NaN

set output "epe_vs_bits.svg"
set title "Accuracy against bit width (weights = activations)"
set xlabel "bits"
set ylabel "{what}"
set xrange [1.5:8.5]
plot "report.csv" using (fixed("w_bits")):(column(A)) with linespoints pt 7 lw 2 title "fixed ranges (integer path)", \
     "" using (learned("w_bits")):(column(A)) with linespoints pt 5 lw 2 title "learned ranges, LSQ (integer path)", \
     float_q with lines dt 2 lw 2 title "float FlowNetQ", \
     farneback with lines dt 3 lw 2 title "Farneback", \
     zero with lines dt 4 lw 1 lc "gray" title "zero flow"

set output "luts_vs_bits.svg"
set title "MAC arrays + requant at the simulated folding (yosys synth_xilinx, multipliers in LUTs)"
set ylabel "LUTs"
set yrange [0:*]
plot "report.csv" using (fixed("w_bits")):(column("luts")) with linespoints pt 7 lw 2 title "total", \
     "" using (fixed("w_bits")):(column("array_luts")) with linespoints pt 5 title "MAC arrays", \
     "" using (fixed("w_bits")):(column("requant_luts")) with linespoints pt 9 title "requant lanes"

set output "epe_vs_luts.svg"
set title "Accuracy against circuit size"
set xlabel "LUTs"
set ylabel "{what}"
set autoscale
set xrange [0:*]
plot "pareto.csv" using (column("luts")):(column(A)) with lines lw 2 title "Pareto front", \
     "report.csv" using (column("luts")):(column(A)) with points pt 7 title "configurations", \
     "" using (column("luts")):(column(A)):(stringcolumn("name")) with labels offset 0.6,0.6 left notitle
)gp",
                     fmt::arg("a", a), fmt::arg("what", what),
                     fmt::arg("float_q", gnuplot_number(float_row(t, "flownetq-float", a))),
                     fmt::arg("farneback", gnuplot_number(farneback)), fmt::arg("zero", gnuplot_number(zero)));
}

}  // namespace

std::string write_charts(const fs::path& study, const StudyTable& t) {
  std::vector<nlohmann::json> front;
  for (const nlohmann::json& r : t.rows)
    if (r.at("pareto").get<bool>()) front.push_back(r);
  std::sort(front.begin(), front.end(), [](const auto& x, const auto& y) { return x["luts"] < y["luts"]; });
  std::ofstream pareto(study / "pareto.csv");
  pareto << "name,luts," << t.accuracy_column << "\n";
  for (const nlohmann::json& r : front)
    pareto << r["name"].get<std::string>() << "," << r["luts"].get<double>() << "," << r[t.accuracy_column].get<double>() << "\n";
  pareto.close();
  if (!pareto) throw PlanError(fmt::format("{}/pareto.csv: cannot write", study.string()));
  write_text(study / "charts.gp", script(t));
  const int status = run_tool({"gnuplot", "charts.gp"}, study, study / "charts.log");
  if (status == 127)
    return "Charts: gnuplot is not installed (Debian: gnuplot-nox); `gnuplot charts.gp` in this folder draws them.";
  if (status != 0) throw PlanError(fmt::format("gnuplot failed on {}/charts.gp (see charts.log)", study.string()));
  return "Charts: ![EPE vs bits](epe_vs_bits.svg) ![LUTs vs bits](luts_vs_bits.svg) ![EPE vs LUTs](epe_vs_luts.svg)";
}

}  // namespace qflow::study
