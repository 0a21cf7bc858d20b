// ref: the bit-exact integer reference on an image pair.
#include <memory>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include "commands.hpp"
#include "errors.hpp"
#include "flow/flo_io.hpp"
#include "flow/flow_color.hpp"
#include "flow/flow_file.hpp"
#include "flow/flow_metrics.hpp"
#include "package/layer_dump.hpp"
#include "ref/host_flow.hpp"
#include "ref/reference.hpp"

namespace qflow::sim {

void add_ref_command(CLI::App& app) {
  struct Args {
    std::string model, img1, img2, out, dump, gt;
    bool naive = false;
    int threads = 0;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("ref", "Run the bit-exact integer reference of a package on an image pair");
  cmd->add_option("--model", args->model, "model package folder")->required();
  cmd->add_option("--img1", args->img1, "first frame")->required();
  cmd->add_option("--img2", args->img2, "second frame")->required();
  cmd->add_option("--out", args->out, "output folder (flow.flo, flow.png)")->required();
  cmd->add_option("--dump-layers", args->dump, "also write every layer's codes as <layer>.npy here");
  cmd->add_option("--gt", args->gt, "ground-truth flow: print EPE, L1 and Fl");
  cmd->add_flag("--naive", args->naive, "use the naive implementation (slow, obviously correct)");
  cmd->add_option("--threads", args->threads, "worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->callback([args] {
    const Package package = read_package(args->model);
    const CodeMap input = input_codes(load_image_pair(args->img1, args->img2), package);
    LayerCodes codes;  // every layer's codes, or only the flow head's when none are dumped
    if (args->naive) {
      codes = run_naive(package, input);
    } else {
      FastReference reference(package, args->threads);
      if (args->dump.empty())
        reference.run_flow(input, codes.emplace_back());
      else
        codes = reference.run(input);
      // The kernels depend on the CPU (and ONEDNN_MAX_CPU_ISA): say once which ones ran.
      for (const auto& [kernel, layers] : reference.layers_by_kernel())
        fmt::print("kernel on this CPU: {} for {}\n", kernel, fmt::join(layers, ", "));
    }
    const cv::Mat flow = flow_from_head(codes.back(), package);
    const std::filesystem::path out = args->out;
    std::filesystem::create_directories(out);
    write_flo(out / "flow.flo", flow);
    if (!cv::imwrite((out / "flow.png").string(), colorize_flow(flow)))
      throw FlowIoError(fmt::format("{}: cannot write", (out / "flow.png").string()));
    if (!args->dump.empty()) write_layer_dump(args->dump, package, codes);
    fmt::print("{}: flow written to {}\n", package.name, (out / "flow.flo").string());
    if (!args->gt.empty()) {
      const KittiFlow gt = read_flow_file(args->gt);
      const FlowMetrics m = flow_metrics(gt.flow, flow, gt.valid);
      fmt::print("EPE {:.4f} L1 {:.4f} Fl {:.2f}% ({} px)\n", m.epe, m.l1, m.fl, m.valid);
    }
  });
}

}  // namespace qflow::sim
