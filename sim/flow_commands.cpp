// The flow tools: epe, color, baseline.
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "commands.hpp"
#include "errors.hpp"
#include "flow/baselines.hpp"
#include "flow/flow_color.hpp"
#include "flow/flow_file.hpp"
#include "flow/flow_metrics.hpp"

namespace qflow::sim {

void add_epe_command(CLI::App& app) {
  struct Args {
    std::string gt, est;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("epe", "End-point error, L1 and Fl of an estimate against ground truth");
  cmd->add_option("GT", args->gt, "ground-truth flow (.flo or KITTI .png)")->required();
  cmd->add_option("EST", args->est, "estimated flow (.flo or KITTI .png)")->required();
  cmd->add_flag("--json", args->json, "print one JSON object instead of a line");
  cmd->callback([args] {
    const KittiFlow gt = read_flow_file(args->gt), est = read_flow_file(args->est);
    const FlowMetrics m = flow_metrics(gt.flow, est.flow, gt.valid);
    if (args->json)
      fmt::print("{}\n", nlohmann::json{{"epe", m.epe}, {"l1", m.l1}, {"fl", m.fl}, {"valid_pixels", m.valid}}.dump());
    else
      fmt::print("EPE {:.4f} L1 {:.4f} Fl {:.2f}% ({} px)\n", m.epe, m.l1, m.fl, m.valid);
  });
}

void add_color_command(CLI::App& app) {
  struct Args {
    std::string flow, out;
    float max_flow = 0;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("color", "Middlebury colour coding of a flow file, as PNG");
  cmd->add_option("FLOW", args->flow, "flow (.flo or KITTI .png)")->required();
  cmd->add_option("OUT", args->out, "output PNG")->required();
  cmd->add_option("--max-flow", args->max_flow, "magnitude of full saturation in pixels (default: the flow's max)")
      ->check(CLI::PositiveNumber);
  cmd->callback([args] {
    const cv::Mat color = colorize_flow(read_flow_file(args->flow).flow, args->max_flow);
    if (!cv::imwrite(args->out, color)) throw FlowIoError(fmt::format("{}: cannot write", args->out));
  });
}

void add_baseline_command(CLI::App& app) {
  struct Args {
    std::string method, img1, img2, out;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("baseline", "Classical flow with OpenCV (DIS or Farneback)");
  cmd->add_option("METHOD", args->method, "dis or farneback")->required()->check(CLI::IsMember({"dis", "farneback"}));
  cmd->add_option("IMG1", args->img1, "first frame")->required();
  cmd->add_option("IMG2", args->img2, "second frame")->required();
  cmd->add_option("OUT", args->out, "output flow (.flo or KITTI .png)")->required();
  cmd->callback([args] {
    const cv::Mat flow = compute_baseline_flow(parse_baseline(args->method), load_image_pair(args->img1, args->img2));
    write_flow_file(args->out, flow);
  });
}

}  // namespace qflow::sim
