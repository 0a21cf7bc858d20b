#include "study_report.hpp"

#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "console/html_page.hpp"
#include "json_file.hpp"
#include "study_charts.hpp"
#include "study_plan.hpp"

namespace qflow::study {
namespace fs = std::filesystem;

const std::vector<std::string> kColumns = {
    "name", "net", "w_bits", "a_bits", "ranges", "steps", "epe_val", "epe_val_float", "epe_val_integer", "epe_real",
    "l1_real", "epe_real_float", "rom_bits", "luts", "array_luts", "requant_luts", "flip_flops", "dsps",
    "multipliers", "latency_ms", "fps", "pareto"};

namespace {

nlohmann::json read_optional(const fs::path& path) { return fs::exists(path) ? read_json(path) : nlohmann::json(); }

std::string last_line(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line)) {
    const size_t cr = line.find_last_of('\r');  // progress bars redraw with \r
    if (cr != std::string::npos) line = line.substr(cr + 1);
    if (!line.empty()) last = line;
  }
  return last;
}

// Why a run has no `done` marker, from what it left behind.
std::string why_missing(const fs::path& dir) {
  for (const char* log : {"cost.log", "sim.log", "export.log", "real.log", "val.log", "train.log", "mixed.log",
                          "sensitivity.log"})  // the job's steps, last first
    if (fs::exists(dir / log)) {
      const std::string line = last_line(dir / log);
      return fmt::format("stopped in {}{}", log, line.empty() ? "" : ": " + line);
    }
  return fs::exists(dir / "checkpoint") ? "not finished" : "not started";
}

nlohmann::json get(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) ? j.at(key) : nlohmann::json();
}

// real: the run's real.json (null when it measured none).
nlohmann::json row_of(const nlohmann::json& config, const fs::path& dir, const nlohmann::json& real) {
  const nlohmann::json state = read_json(dir / "checkpoint" / "state.json"), val = read_json(dir / "val.json"),
                       sim = read_optional(dir / "sim" / "report.json"), cost = read_optional(dir / "cost.json");
  const bool integer = get(val, "path") == "integer";
  const nlohmann::json frame = get(sim, "frame"), memory = get(sim, "memory");
  return {{"name", config.at("name")}, {"net", config.at("net")}, {"w_bits", config.at("w_bits")},
          {"a_bits", config.at("a_bits")},
          {"ranges", config.value("learned_ranges", false) ? "learned" : "fixed"}, {"steps", get(state, "step")}, {"epe_val", get(state, "val_epe")},
          {"epe_val_float", get(val, "float_epe")}, {"epe_val_integer", integer ? get(val, "epe") : nlohmann::json()},
          {"epe_real", get(real, "epe")}, {"l1_real", get(real, "l1")}, {"epe_real_float", get(real, "float_epe")},
          {"rom_bits", get(memory, "rom_bits")}, {"luts", get(cost, "luts")}, {"array_luts", get(cost, "array_luts")},
          {"requant_luts", get(cost, "requant_luts")}, {"flip_flops", get(cost, "flip_flops")},
          {"dsps", get(cost, "dsps")}, {"multipliers", get(frame, "multipliers")},
          {"latency_ms", get(frame, "latency_ms")}, {"fps", get(frame, "fps_pipelined")}, {"pareto", false}};
}

// A row is on the front when no other row is at most as large and at most as wrong, and better in one.
void mark_pareto(std::vector<nlohmann::json>& rows, const std::string& accuracy) {
  const auto usable = [&](const nlohmann::json& r) { return r["luts"].is_number() && r[accuracy].is_number(); };
  for (nlohmann::json& r : rows) {
    if (!usable(r)) continue;
    const double l = r["luts"], e = r[accuracy];
    bool dominated = false;
    for (const nlohmann::json& o : rows)
      if (&o != &r && usable(o)) {
        const double ol = o["luts"], oe = o[accuracy];
        dominated |= ol <= l && oe <= e && (ol < l || oe < e);
      }
    r["pareto"] = !dominated;
  }
}

std::string csv_field(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return fmt::format("{:.6g}", v.get<double>());
}

std::string md_field(const std::string& column, const nlohmann::json& v) {
  if (v.is_null()) return "—";
  if (column == "pareto") return v.get<bool>() ? "yes" : "";
  if (column == "w_bits" || column == "a_bits") return v.get<int>() == 0 ? "float" : std::to_string(v.get<int>());
  if (v.is_number_float()) {
    const double x = v;
    return column.rfind("epe", 0) == 0 || column.rfind("l1", 0) == 0 ? fmt::format("{:.3f}", x)
           : column == "latency_ms" || column == "fps"               ? fmt::format("{:.1f}", x)
                                                                     : fmt::format("{:.0f}", x);
  }
  return csv_field(v);
}

// Rows: a layer's weights or an activation group; columns: the widths tried; cells: the change of
// validation EPE against the W8A8 run with only that unit lowered.
std::string sensitivity_markdown(const StudyTable& t) {
  if (!t.sensitivity.is_object()) return "";
  const std::vector<int> widths = t.sensitivity.at("widths");
  std::string md = fmt::format("\n## Per-layer sensitivity\n\nValidation EPE change from the W8A8 run ({:.3f} on {} "
                               "scenes at the training size) with one layer's weights, or one activation group's codes "
                               "(the inputs of a concat share one scale), lowered and nothing retrained:\n\n| unit | lowered |",
                               t.sensitivity.at("base_epe").get<double>(), t.sensitivity.at("samples").get<int>());
  for (int w : widths) md += fmt::format(" {} bits |", w);
  md += "\n|---|---|";
  for (size_t i = 0; i < widths.size(); ++i) md += "---|";
  std::string current;
  for (const auto& row : t.sensitivity.at("rows")) {
    const std::string key = row.at("unit").get<std::string>() + " | " + row.at("kind").get<std::string>();
    if (key != current) md += "\n| " + key + " |", current = key;
    md += fmt::format(" {:+.3f} |", row.at("delta").get<double>());
  }
  md += "\n";
  for (const auto& [name, c] : t.mixed.items()) {
    md += fmt::format("\n**{}**: greedy on these sensitivities within {:.0f} LUTs ({:.0f} % of W8A8's {:.0f}): "
                      "{:.0f} LUTs, predicted EPE change {:+.3f} (before fine-tuning). Steps taken:\n\n",
                      name, c.at("budget_luts").get<double>(),
                      100 * c.at("budget_luts").get<double>() / c.at("base_luts").get<double>(),
                      c.at("base_luts").get<double>(), c.at("luts").get<double>(), c.at("predicted_delta_epe").get<double>());
    for (const auto& m : c.at("moves")) md += "- " + m.get<std::string>() + "\n";
    md += "\n`--layer-bits " + c.at("layer_bits").get<std::string>() + "`\n";
  }
  return md;
}

}  // namespace

StudyTable collect_study(const fs::path& study) {
  StudyTable t;
  t.study = read_json(study / "study.json");
  if (get(t.study, "format") != "qflow-study")
    throw PlanError(fmt::format("{}: not written by qflow-study plan", (study / "study.json").string()));
  const bool has_real = !get(t.study["options"], "real").get<std::string>().empty();
  t.accuracy_column = has_real ? "epe_real" : "epe_val_integer";
  for (const nlohmann::json& config : t.study.at("runs")) {
    const std::string name = config.at("name");
    const fs::path dir = study / "runs" / name;
    if (!fs::exists(dir / "done")) {
      t.missing.push_back(fmt::format("{}: {}", name, why_missing(dir)));
      continue;
    }
    const std::string kind = config.value("kind", "trained");
    if (kind == "sensitivity") {
      t.sensitivity = read_json(dir / "sensitivity.json");
      continue;
    }
    const nlohmann::json real = read_optional(dir / "real.json");
    t.rows.push_back(row_of(config, dir, real));
    if (kind == "mixed") {
      t.mixed[name] = read_json(dir / "mixed.json");
      t.rows.back()["w_bits"] = t.rows.back()["a_bits"] = nullptr;  // per layer: see layer_bits
      t.rows.back()["layer_bits"] = t.mixed[name]["layer_bits"];
    }
    if (t.baselines.is_null() && real.is_object())
      t.baselines = {{"dis", real.at("dis")}, {"farneback", real.at("farneback")}, {"zero", real.at("zero")},
                     {"samples", real.at("samples")}, {"data", real.at("data")}};
  }
  mark_pareto(t.rows, t.accuracy_column);
  return t;
}

std::string write_study_report(const fs::path& study, const StudyTable& t) {
  std::string csv;
  for (size_t i = 0; i < kColumns.size(); ++i) csv += (i ? "," : "") + kColumns[i];
  csv += "\n";
  for (const nlohmann::json& r : t.rows) {
    for (size_t i = 0; i < kColumns.size(); ++i) csv += (i ? "," : "") + csv_field(r.at(kColumns[i]));
    csv += "\n";
  }
  write_text(study / "report.csv", csv);

  nlohmann::json json = {{"rows", t.rows}, {"missing", t.missing}, {"baselines_real", t.baselines},
                         {"accuracy_column", t.accuracy_column}, {"options", t.study.at("options")},
                         {"sensitivity", t.sensitivity}, {"mixed", t.mixed}};
  write_text(study / "report.json", json.dump(1) + "\n");

  const nlohmann::json& o = t.study.at("options");
  std::string md = "# Bit-width study\n\n";
  md += fmt::format("FlowNetQ at width {} trained on `{}` at {} ({} steps float, quantized runs fine-tuned {} steps from "
                    "it), measured at {}; latency and frames/s at a budget of {} multipliers.\n\n",
                    o.at("width_mult").get<double>(), o.at("data").get<std::string>(), o.at("size").get<std::string>(),
                    o.at("steps").get<int>(), o.at("finetune_steps").get<int>(), o.at("export_size").get<std::string>(),
                    o.at("multipliers").get<int>());
  md += "| " + fmt::format("{}", fmt::join(kColumns, " | ")) + " |\n|";
  for (size_t i = 0; i < kColumns.size(); ++i) md += "---|";
  md += "\n";
  for (const nlohmann::json& r : t.rows) {
    md += "|";
    for (const std::string& c : kColumns) md += " " + md_field(c, r.at(c)) + " |";
    md += "\n";
  }
  if (t.baselines.is_object())
    md += fmt::format("\nOn the same {} real pairs ({}): DIS {:.3f}, Farneback {:.3f}, zero flow {:.3f}.\n",
                      t.baselines.at("samples").get<int>(), t.baselines.at("data").get<std::string>(),
                      t.baselines.at("dis").get<double>(), t.baselines.at("farneback").get<double>(),
                      t.baselines.at("zero").get<double>());
  md += "\nColumns: `epe_val` the checkpoint's validation EPE at the training size; `epe_val_float` / `epe_val_integer` "
        "the fake-quant and integer paths on the validation scenes at the measuring size; `epe_real`, `l1_real` the "
        "integer path (float path for float rows) on the real pairs, `epe_real_float` their fake-quant path; "
        "`luts` = `array_luts` + `requant_luts`, `flip_flops`, `dsps`: the MAC arrays and requant lanes of the "
        "simulated folding priced from yosys (rtl/cost/circuit_cost.csv); `latency_ms`, `fps` from `qflow-sim run`; "
        "`pareto`: no other row has fewer LUTs and a lower `" + t.accuracy_column + "`.\n";
  md += sensitivity_markdown(t);
  if (!t.missing.empty()) {
    md += "\nRuns not in the table:\n\n";
    for (const std::string& m : t.missing) md += "- " + m + "\n";
  }
  const std::string charts = write_charts(study, t);
  md += "\n" + charts + "\n";
  write_text(study / "report.md", md);
  write_html_page(study / "report.html", "qflow bit-width study", md);
  return charts;
}

}  // namespace qflow::study
