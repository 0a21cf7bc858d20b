// run: the accelerator model on an image pair (DESIGN section 5). With no arguments at all,
// qflow-sim runs this on the bundled model and its bundled pair.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include "arch/folding_model.hpp"
#include "commands.hpp"
#include "console/html_page.hpp"
#include "console/progress.hpp"
#include "datapath/weight_rom.hpp"
#include "errors.hpp"
#include "flow/flo_io.hpp"
#include "flow/flow_color.hpp"
#include "flow/flow_file.hpp"
#include "flow/flow_metrics.hpp"
#include "flow/flow_panel.hpp"
#include "console/external_tool.hpp"
#include "fifo_sizing.hpp"
#include "golden_cases.hpp"
#include "model_error.hpp"
#include "package/layer_dump.hpp"
#include "ref/host_flow.hpp"
#include "report/latency_report.hpp"
#include "run_charts.hpp"
#include "system.hpp"
#include "waves_save.hpp"

namespace qflow::sim {
namespace fs = std::filesystem;
namespace {

struct RunArgs {
  std::string model = QFLOW_BUNDLED_MODEL;
  std::string img1, img2, gt;  // default: the package's first golden case
  std::string out = "qflow-out", vcd = "waves/qflow.vcd", arch, cosim, dump, load_roms, fault;
  bool resize = false, quiet = false, rom_images = false, gt_given = false, fst = false, size_fifos = false;
  int frames = 1, multipliers = kDefaultMultiplierBudget;
  double target_fps = 0;
};

void write_image(const fs::path& file, const cv::Mat& bgr) {
  if (!cv::imwrite(file.string(), bgr)) throw FlowIoError(fmt::format("{}: cannot write", file.string()));
}

// The co-simulated layers' RTL waves, one FST per Verilated unit, with the command that opens each;
// "" when no layer was co-simulated.
std::string rtl_waves_section(const fs::path& dir) {
  std::vector<fs::path> files;
  if (fs::is_directory(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().extension() == ".fst") files.push_back(entry.path());
  if (files.empty()) return "";
  std::sort(files.begin(), files.end());
  std::string md = "\n## RTL waves\n\nEach co-simulated layer's Verilated units, on the frame's time axis (Verilator's FST):\n\n```\n";
  for (const fs::path& f : files) md += fmt::format("gtkwave {}\n", fs::absolute(f).string());
  return md + "```\n";
}

// The run's page, qflow-out/index.html: the panel, the report's tables, the waves and files.
std::string run_page(const std::string& report_md, const RunArgs& a, const fs::path& waves, bool cosimulated) {
  const std::string pair = a.img1.empty() ? "its golden pair" : fmt::format("`{}` and `{}`", a.img1, a.img2);
  std::string md = fmt::format("# {}: a frame on the accelerator model\n\nThe SystemC/TLM model on {}{}.\n\n![inputs, the simulated hardware's flow, ground truth "
                               "and error](panel.png)\n\n",
                               fs::path(a.model).filename().string(), pair,
                               a.gt.empty() ? "" : fmt::format(" (ground truth `{}`)", a.gt));
  md += "#" + report_md;  // the latency report's title becomes a section
  md += waves.empty() ? "\n## Waves\n\nNone were written (`--vcd ''`).\n"
                      : fmt::format("\n## Waves\n\nOpen them on the whole frame, grouped by unit in pipeline order:\n\n"
                                    "```\ngtkwave {}\n```\n",
                                    waves.string());
  if (!a.vcd.empty() && cosimulated) md += rtl_waves_section(rtl_waves_dir(a.vcd));
  md += "\n## Files\n\n[flow.flo](flow.flo) (Middlebury .flo), [flow.png](flow.png), [report.json](report.json), "
        "[report.csv](report.csv), [arch.json](arch.json) (rerun with `--arch`)\n";
  return md;
}

// Without a pair, the package's first golden case (with its ground truth when it has one); a
// ground truth is never taken from anywhere but the pair it belongs to.
RunArgs with_default_pair(RunArgs a) {
  if (a.img1.empty() != a.img2.empty()) throw FlowIoError("--img1 and --img2 go together: give both or neither");
  if (!a.img1.empty()) return a;
  const std::vector<fs::path> cases = golden_cases(a.model);
  if (cases.empty())
    throw FlowIoError(fmt::format("{}: the package has no golden case to run; give --img1 and --img2", a.model));
  a.img1 = (cases.front() / "img1.png").string();
  a.img2 = (cases.front() / "img2.png").string();
  if (!a.gt_given && fs::exists(cases.front() / "gt.flo")) a.gt = (cases.front() / "gt.flo").string();
  return a;
}

// --size-fifos: the sized depths into OUT/arch.json. Each candidate is simulated by this program in
// a child process (same pair, the candidate's config), in OUT/fifo-sizing/.
std::string size_fifos_by_simulation(const RunArgs& a, const Package& package, const ArchConfig& given,
                                     const ArchConfig& unbounded, const SimulationResult& result,
                                     const nlohmann::json& report) {
  const fs::path out = a.out, work = out / "fifo-sizing";
  fs::create_directories(work);
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  int candidate = 0;
  const FrameCheck check = [&](const ArchConfig& config) -> std::optional<FrameCycles> {
    const fs::path arch = work / fmt::format("candidate{}.json", ++candidate), run = work / "run";
    write_arch_config(arch, config);
    std::vector<std::string> argv{self, "run", "--model", a.model, "--img1", a.img1, "--img2", a.img2, "--gt", "",
                                  "--arch", arch.string(), "--out", run.string(), "--vcd", "", "--quiet"};
    if (a.resize) argv.push_back("--resize");
    if (run_tool(argv, {}, work / "run.log") != 0) return std::nullopt;  // a deadlock: run.log says where
    std::ifstream in(run / "report.json");
    const nlohmann::json r = nlohmann::json::parse(in);
    return FrameCycles{r["frame"]["initiation_interval_cycles"].get<int64_t>(), r["frame"]["latency_cycles"].get<int64_t>()};
  };
  if (!a.quiet) fmt::print("sizing the FIFOs: simulating candidates in {}\n", work.string());
  const FrameCycles target{report["frame"]["initiation_interval_cycles"].get<int64_t>(),
                           report["frame"]["latency_cycles"].get<int64_t>()};
  const FifoSizing sizing = size_fifos(package, given, unbounded, result, target, check);
  write_arch_config(out / "arch.json", sizing.sized);
  std::ofstream(out / "fifo_sizing.json") << sizing.table.dump(2) << "\n";
  const std::string md = fifo_sizing_markdown(sizing.table);
  std::ofstream(out / "fifo_sizing.md") << md;
  if (!a.quiet)
    fmt::print("FIFO sizing: {} bits as given, {} sized, the same interval and latency ({} frames simulated); wrote {}\n",
               sizing.table["given_bits"].get<int64_t>(), sizing.table["sized_bits"].get<int64_t>(),
               sizing.table["simulations"].get<int>(), (out / "arch.json").string());
  return md;
}

void run(const RunArgs& given) {
  const RunArgs a = with_default_pair(given);
  if (a.fst && a.vcd.empty()) throw FlowIoError("--fst converts the waves: give --vcd FILE.vcd, not ''");
  if (!a.vcd.empty() && fs::path(a.vcd).extension() != ".vcd")
    throw FlowIoError(fmt::format("--vcd {}: a waves file ends in .vcd", a.vcd));
  const Package package = read_package(a.model);
  ArchConfig config = !a.arch.empty()    ? read_arch_config(a.arch)
                      : a.target_fps > 0 ? arch_for_interval(package, int64_t(ArchConfig{}.clock_mhz * 1e6 / a.target_fps))
                                         : default_arch_config(package, a.multipliers);
  select_cosim(config, package, a.cosim);
  // Shapes, folding, cycles and buffers of what is simulated, made once for the whole run.
  const RunPlan plan(package, a.size_fifos ? unbounded_fifos(package, config) : config);

  const ImagePair original = load_image_pair(a.img1, a.img2);
  const bool scaled = original.img1.rows != package.height || original.img1.cols != package.width;
  if (scaled && !a.resize)
    throw FlowIoError(fmt::format("image pair is {}x{} (WxH) but package '{}' takes {}x{}; pass --resize to scale "
                                  "the pair to the model and the flow back",
                                  original.img1.cols, original.img1.rows, package.name, package.width, package.height));
  const ImagePair pair = scaled ? resize_pair(original, package.height, package.width) : original;
  const KittiFlow gt = a.gt.empty() ? KittiFlow{} : read_flow_file(a.gt);
  if (!a.gt.empty() && gt.flow.size() != original.img1.size())
    throw FlowIoError(fmt::format("{}: ground truth is {}x{} but the pair is {}x{}", a.gt, gt.flow.cols, gt.flow.rows,
                                  original.img1.cols, original.img1.rows));

  const fs::path out = a.out;
  fs::create_directories(out);
  write_arch_config(out / "arch.json", config);
  if (a.rom_images) write_rom_images(package, config, out / "rom");

  SimulationOptions options;
  options.frames = a.frames;
  options.vcd = a.vcd;
  if (!a.quiet) options.progress = [bar = std::make_shared<Progress>("  simulating", false)](double f) { bar->update(f); };
  options.rom_images = a.load_roms;
  options.record_layers = !a.dump.empty();
  if (!a.fault.empty()) options.faults.assign(size_t(a.frames), parse_fault(a.fault));  // every frame's
  if (!a.quiet)
    fmt::print("{}: {}x{} on the accelerator model ({} frame{}{})\n", package.name, package.width, package.height,
               a.frames, a.frames == 1 ? "" : "s", a.cosim.empty() ? "" : ", co-simulating " + a.cosim);
  std::string failure;
  const SimulationResult result = simulate(plan, pair, options, failure);
  if (!failure.empty()) return fail_after_simulation(failure);
  if (!a.fault.empty() && !result.faults_injected.back())
    return fail_after_simulation(fmt::format("fault {}: cycle {} is after the frame's end ({} cycles)", a.fault,
                                             parse_fault(a.fault).cycle, result.frame_cycles));

  cv::Mat flow = flow_from_head(result.frames.back().flow_head, package);
  if (scaled) flow = resize_flow(flow, original.img1.rows, original.img1.cols);
  write_flo(out / "flow.flo", flow);
  write_image(out / "flow.png", colorize_flow(flow));
  write_image(out / "panel.png", flow_panel(original, flow, a.gt.empty() ? nullptr : &gt));
  if (!a.dump.empty()) write_layer_dump(a.dump, package, result.layers);

  nlohmann::json report = latency_report(plan, result);
  if (!a.gt.empty()) {
    const FlowMetrics m = flow_metrics(gt.flow, flow, gt.valid);
    report["accuracy"] = {{"epe", m.epe}, {"l1", m.l1}, {"fl_percent", m.fl}, {"pixels", m.valid}};
  }
  if (a.frames > 1) {
    std::vector<double> wall;
    std::vector<int64_t> resident;
    for (const HostFrame& f : result.frames) wall.push_back(f.wall_seconds), resident.push_back(f.resident_kib);
    report["simulation_wall_seconds"] = wall;
    report["simulation_resident_kib"] = resident;
  }
  std::ofstream(out / "report.json") << report.dump(2) << "\n";
  std::string md = latency_report_markdown(report);
  if (report.contains("accuracy"))
    md += fmt::format("\nAgainst {}: EPE {:.4f} px, L1 {:.4f}, Fl {:.2f}%.\n", a.gt, report["accuracy"]["epe"].get<double>(),
                      report["accuracy"]["l1"].get<double>(), report["accuracy"]["fl_percent"].get<double>());
  std::ofstream(out / "report.md") << md;
  const std::string layers_csv = latency_report_csv(report);
  std::ofstream(out / "report.csv") << layers_csv;
  const std::string charts = write_run_charts(out, layers_csv, result, plan.config.dram, plan.config.period_ns());
  const bool cosimulated = cosimulates(plan.config);
  if (a.size_fifos) md += "\n## FIFO sizing\n\n" + size_fifos_by_simulation(a, package, config, plan.config, result, report);
  fs::path waves, dumpfile;  // what GTKWave opens: the save file, and the dump it names
  if (!a.vcd.empty()) {
    std::vector<std::string> units{"input"};
    for (const Layer& l : package.layers) units.push_back(l.name);
    units.push_back("flow_writer");
    waves = fs::absolute(fs::path(a.vcd).replace_extension(".gtkw"));
    dumpfile = fs::path(a.vcd).replace_extension(a.fst ? ".fst" : ".vcd");
    // The save file is written from the VCD's declarations before an FST replaces it.
    write_gtkwave_save(a.vcd, waves, units, dumpfile);
    if (a.fst) convert_to_fst(a.vcd);
  }
  write_html_page(out / "index.html", package.name + ": qflow-sim run",
                  run_page(md + "\n## Charts\n\n" + charts + "\n", a, waves, cosimulated));

  if (a.quiet) return;
  const nlohmann::json& f = report["frame"];
  fmt::print("frame: {} cycles = {:.3f} ms at {} MHz; interval {} cycles ({}), {:.1f} frames/s pipelined\n",
             f["latency_cycles"].get<uint64_t>(), f["latency_ms"].get<double>(), config.clock_mhz,
             f["initiation_interval_cycles"].get<int64_t>(), f["bottleneck"].get<std::string>(),
             f["fps_pipelined"].get<double>());
  if (report.contains("accuracy"))
    fmt::print("EPE {:.4f} px against {}\n", report["accuracy"]["epe"].get<double>(), a.gt);
  fmt::print("wrote {}/ (index.html, flow.flo, flow.png, panel.png, report.md/json/csv, arch.json, charts/{}){}\n", out.string(),
             a.rom_images ? ", rom/" : "",
             a.vcd.empty() ? "" : fmt::format(" and {} (+ .gtkw)", dumpfile.string()));
  if (!a.vcd.empty() && cosimulated)
    fmt::print("the co-simulated layers' RTL waves: {}/*.fst (gtkwave FILE)\n", rtl_waves_dir(a.vcd).string());
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Run the SystemC/TLM accelerator model on an image pair "
                                            "(the default command: bundled model and pair)");
  cmd->add_option("--model", args->model, "model package folder")->capture_default_str();
  cmd->add_option("--img1", args->img1, "first frame (default: the package's first golden case)");
  cmd->add_option("--img2", args->img2, "second frame");
  cmd->add_option("--gt", args->gt, "ground-truth flow (.flo or KITTI .png): EPE and the error map; '' for none "
                                    "(default: the golden case's gt.flo when the pair is the golden case's)");
  cmd->add_option("--out", args->out, "output folder")->capture_default_str();
  cmd->add_option("--vcd", args->vcd, "waves (a GTKWave save file is written next to it); '' for none")
      ->capture_default_str();
  cmd->add_flag("--fst", args->fst, "convert the waves to GTKWave's compressed FST (with vcd2fst) instead of keeping the VCD");
  cmd->add_option("--arch", args->arch, "architecture config (JSON); default: derived from the package");
  CLI::Option* budget =
      cmd->add_option("--multipliers", args->multipliers, "multiplier budget of the derived default architecture")
          ->check(CLI::PositiveNumber)
          ->capture_default_str();
  cmd->add_option("--target-fps", args->target_fps,
                  "derive the architecture from a frame rate instead: the cheapest folding reaching it")
      ->check(CLI::PositiveNumber)
      ->excludes(budget);
  cmd->add_flag("--rom-images", args->rom_images, "also write each conv layer's packed weight ROM as OUT/rom/<layer>.mem ($readmemh)");
  cmd->add_option("--load-roms", args->load_roms,
                  "load every conv PE's weight ROM from DIR/<layer>.mem ($readmemh images as --rom-images writes "
                  "them, for the same architecture) instead of the package")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--cosim", args->cosim, "co-simulate these conv layers on the Verilated RTL: 'all' or a,b,c");
  cmd->add_option("--dump-layers", args->dump, "write every layer's codes as <layer>.npy here");
  cmd->add_option("--fault", args->fault,
                  "inject a soft error into every frame: SITE:TARGET[:key=N]...@CYCLE, e.g. rom:conv3:word=12:bit=5@2000 "
                  "(docs/soft-errors.md)");
  cmd->add_flag("--resize", args->resize, "scale a pair of another size to the model's input, and the flow back");
  cmd->add_option("--frames", args->frames, "simulate this many frames of the pair")->check(CLI::PositiveNumber);
  cmd->add_flag("--quiet", args->quiet, "no progress bar or summary");
  cmd->add_flag("--size-fifos", args->size_fifos,
                "simulate with unbounded FIFOs and skip buffers, then find the fewest rows per buffer that keep that "
                "frame's interval and latency (more simulations) and write them into OUT/arch.json");
  cmd->callback([args, cmd] {
    args->gt_given = cmd->count("--gt") > 0;
    run(*args);
  });
}

}  // namespace qflow::sim
