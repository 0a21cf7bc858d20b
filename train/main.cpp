// qflow-train: quantization-aware training of FlowNetQ (and the float FlowNetS baseline) in
// LibTorch, evaluation through the fake-quant and the integer paths, and export of the package.
#include <chrono>
#include <fstream>
#include <optional>
#include <regex>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "data/photo_scenes.hpp"
#include "distributed/local_launch.hpp"
#include "distributed/rank_env.hpp"
#include "export/integer_export.hpp"
#include "flow/flo_io.hpp"
#include "flow/image_pair.hpp"
#include "flow/baselines.hpp"
#include "sensitivity.hpp"
#include "training.hpp"

namespace qflow::train {
namespace {

std::vector<std::string> command_line;  // main's argv: what --nproc starts again for each rank

struct DataArgs {
  std::string spec = "synthetic";  // synthetic | photos[:DIR] | chairs:ROOT | sintel:ROOT[:final] | middlebury:ROOT
  int crop_h = 0, crop_w = 0;
};

// How a real pair of another size meets the network's input: random crops and flips (training),
// the whole frame resized with its flow scaled (evaluation), or the centre window.
enum class Fit { Augment, Resize, CentreCrop };

class FittedDataset final : public FlowDataset {
 public:
  FittedDataset(std::unique_ptr<FlowDataset> inner, int h, int w, uint64_t seed, Fit fit)
      : inner_(std::move(inner)), h_(h), w_(w), seed_(seed), fit_(fit) {}
  size_t size() const override { return inner_->size(); }
  std::string describe() const override {
    static const char* how[] = {"random crops of", "resized to", "centre crops of"};
    return fmt::format("{}, {} {}x{}", inner_->describe(), how[int(fit_)], w_, h_);
  }
  FlowSample get(size_t i) const override {
    if (fit_ == Fit::Resize) return resize_sample(inner_->get(i), h_, w_);
    if (fit_ == Fit::CentreCrop) return center_crop(inner_->get(i), h_, w_);
    std::mt19937_64 rng(seed_ + i);
    return augment(inner_->get(i), h_, w_, rng);
  }

 private:
  std::unique_ptr<FlowDataset> inner_;
  int h_, w_;
  uint64_t seed_;
  Fit fit_;
};

// "photos" -> "" (the default library, found where the data set opens it), "photos:DIR" -> DIR;
// nullopt for any other data source.
std::optional<std::filesystem::path> photo_library(const std::string& spec) {
  std::smatch m;
  if (!std::regex_match(spec, m, std::regex(R"(photos(?::(.+))?)"))) return std::nullopt;
  return m[1].matched ? std::filesystem::path(m[1].str()) : std::filesystem::path();
}

// `fit` applies to real pairs; synthetic and photo data are rendered at the network's size.
std::unique_ptr<FlowDataset> open_data(const std::string& spec, const NetworkConfig& net, uint64_t seed,
                                       bool validation, double max_motion = SyntheticOptions{}.max_motion,
                                       Fit fit = Fit::CentreCrop) {
  if (spec == "synthetic") {
    SyntheticOptions o;
    o.max_motion = max_motion;
    o.height = net.height;
    o.width = net.width;
    o.seed = seed;
    o.validation = validation;
    return make_synthetic_dataset(o);
  }
  if (const auto library = photo_library(spec)) {
    PhotoOptions o;
    o.height = net.height;
    o.width = net.width;
    o.seed = seed;
    o.validation = validation;
    o.library = *library;
    return make_photo_dataset(o);
  }
  std::smatch m;
  if (!std::regex_match(spec, m, std::regex(R"((chairs|sintel|middlebury|pairs):([^:]+)(?::(clean|final))?)")))
    throw std::runtime_error(fmt::format(
        "--data '{}' is not synthetic, photos[:DIR], chairs:ROOT, sintel:ROOT[:clean|final], middlebury:ROOT or pairs:ROOT", spec));
  std::unique_ptr<FlowDataset> data;
  if (m[1] == "chairs") data = make_flying_chairs(m[2].str(), validation);
  else if (m[1] == "sintel") data = make_sintel(m[2].str(), m[3].matched ? m[3].str() : "clean");
  else if (m[1] == "middlebury") data = make_middlebury(m[2].str());
  else data = make_sample_folders(m[2].str());
  return std::make_unique<FittedDataset>(std::move(data), net.height, net.width, seed, validation ? fit : Fit::Augment);
}

void write_json(const std::string& file, const nlohmann::json& j) {
  std::ofstream out(file);
  if (!(out << j.dump(1) << '\n')) throw std::runtime_error(fmt::format("{}: cannot write", file));
}

// "HxW" -> {H, W}; "" -> {0, 0} (keep the size a checkpoint has).
std::pair<int, int> parse_size(const std::string& size) {
  if (size.empty()) return {0, 0};
  std::smatch m;
  if (!std::regex_match(size, m, std::regex(R"((\d{1,5})x(\d{1,5}))")))
    throw std::runtime_error(fmt::format("--size '{}' is not HxW", size));
  return {std::stoi(m[1]), std::stoi(m[2])};
}

void add_train(CLI::App& app) {
  struct Args {
    NetworkConfig net;
    std::string size = "128x128", data = "synthetic";
    TrainOptions train;
    int threads = 0, nproc = 1, dist_timeout = 120;
    double max_motion = SyntheticOptions{}.max_motion;
    std::string layer_bits;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("train", "Train FlowNetQ (quantization-aware) or the FlowNetS baseline");
  cmd->add_option("--net", a->net.net, "flownetq or flownets")->check(CLI::IsMember({"flownetq", "flownets"}))->capture_default_str();
  cmd->add_option("--width-mult", a->net.width_mult, "channel width multiplier")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--size", a->size, "input HxW, multiples of 64")->capture_default_str();
  cmd->add_option("--wbits", a->net.w_bits, "weight bits (0 = float)")->capture_default_str();
  cmd->add_option("--abits", a->net.a_bits, "activation bits (0 = float)")->capture_default_str();
  cmd->add_option("--layer-bits", a->layer_bits, "per-layer exceptions, e.g. conv1=8:8,deconv2=4:6 (WBITS:ABITS)");
  cmd->add_option("--max-motion", a->max_motion, "synthetic data: largest translation per frame, pixels")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--weight-range", a->net.weight_range, "weight clip range r")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_flag("--learned-ranges", a->net.learned_ranges,
                "learn each layer's weight range and each concat group's activation step (LSQ), starting "
                "from --weight-range and 4/2^abits; they fold into the requant multipliers at export");
  cmd->add_option("--data", a->data, "synthetic | photos[:DIR] | chairs:ROOT | sintel:ROOT[:final] | middlebury:ROOT | pairs:ROOT")->capture_default_str();
  cmd->add_option("--steps", a->train.steps, "optimizer steps")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--batch", a->train.batch, "batch size (per rank in a data-parallel run)")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--lr", a->train.lr, "Adam learning rate")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--val-every", a->train.val_every, "validate and checkpoint every N steps")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--val-samples", a->train.val_samples, "validation samples")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--seed", a->train.seed, "random seed")->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads (default: LibTorch's)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--device", a->train.device, "cpu or cuda")->capture_default_str();
  cmd->add_flag("--quiet", a->train.quiet, "no progress on stderr (log.csv has every validation)");
  cmd->add_flag("--bf16", a->train.bf16,
                "train under CPU autocast to bfloat16 (faster with AVX512-BF16 or AMX); validation and export stay float");
  cmd->add_flag("--channels-last", a->train.channels_last,
                "weights and images in channels-last memory while training (faster CPU convolutions, most with --bf16)");
  cmd->add_option("--nproc", a->nproc,
                  "train data-parallel on N ranks on this machine (over 127.0.0.1); under torchrun or Slurm "
                  "leave it out: the ranks join from RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT or SLURM_*")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  cmd->add_option("--dist-timeout", a->dist_timeout,
                  "data-parallel: seconds a rank waits for the others (to join, in a collective) before it stops "
                  "with an error naming the rank that is missing")
      ->check(CLI::Range(1, 86400))->capture_default_str();
  cmd->add_option("--out", a->train.out, "run folder: log.csv, checkpoint/")->required();
  cmd->add_option("--resume", a->train.resume, "continue from this checkpoint folder");
  cmd->add_option("--init", a->train.init,
                  "start from the weights of this checkpoint of the same network at other bit widths "
                  "(quantization-aware fine-tuning of a float run)")
      ->excludes("--resume");
  cmd->callback([a] {
    std::tie(a->net.height, a->net.width) = parse_size(a->size);
    if (!a->layer_bits.empty()) a->net.layer_bits = parse_layer_bits(a->layer_bits);
    const std::optional<RankEnv> rank_env = rank_env_from_process();
    const std::chrono::seconds timeout(a->dist_timeout);
    if (a->nproc > 1) {
      if (rank_env)
        throw std::runtime_error(fmt::format("--nproc starts the ranks itself; this process is already rank {} of {} ({})",
                                             rank_env->rank, rank_env->world, rank_env->source));
      launch_local_ranks(a->nproc, without_option(command_line, "--nproc"), a->threads, timeout);
      return;
    }
    if (a->threads > 0) torch::set_num_threads(a->threads);
    if (a->train.device == "cuda" && !torch::cuda::is_available())
      throw std::runtime_error("--device cuda: no CUDA device is available to this LibTorch");
    torch::manual_seed(a->train.seed);  // before the network draws its initial weights: repeatable runs
    auto net = make_network(a->net);
    const auto train_data = open_data(a->data, a->net, a->train.seed, false, a->max_motion);
    const auto val_data = open_data(a->data, a->net, a->train.seed, true, a->max_motion);
    std::unique_ptr<DataParallel> ranks;
    if (rank_env) {
      // What every rank must agree on: a rank started with other flags stops at the rendezvous.
      const nlohmann::json settings = {{"config", to_json(a->net)}, {"data", train_data->describe()},
                                       {"batch", a->train.batch}, {"steps", a->train.steps}, {"lr", a->train.lr},
                                       {"seed", a->train.seed}, {"bf16", a->train.bf16},
                                       {"channels_last", a->train.channels_last}, {"resume", !a->train.resume.empty()}};
      ranks = std::make_unique<DataParallel>(*rank_env, timeout, settings.dump());
      a->train.ranks = ranks.get();
    }
    const bool lead = !ranks || ranks->rank() == 0;
    if (lead)
      fmt::print("{} on {}{}\n", net->describe(), train_data->describe(),
                 ranks ? fmt::format(", {} ranks ({}) of batch {}", ranks->world(), rank_env->source, a->train.batch) : "");
    const EvalResult r = train(net, a->net, *train_data, *val_data, a->train);
    if (lead)
      fmt::print("validation EPE {:.4f} L1 {:.4f} (zero flow: EPE {:.4f}) on {} samples\n", r.epe, r.l1, r.zero_epe,
                 r.samples);
  });
}

void add_eval(CLI::App& app) {
  struct Args {
    std::string checkpoint, data = "synthetic", size, json;
    int samples = 64;
    uint64_t seed = 1;
    bool centre_crop = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("eval", "EPE and L1 through the float fake-quant path and the integer path");
  cmd->add_option("--checkpoint", a->checkpoint, "checkpoint folder")->required();
  cmd->add_option("--data", a->data, "synthetic or photos (validation split) | chairs:ROOT | sintel:ROOT | middlebury:ROOT | pairs:ROOT")->capture_default_str();
  cmd->add_option("--size", a->size, "evaluate at this input HxW (default: the checkpoint's)");
  cmd->add_flag("--centre-crop", a->centre_crop, "real pairs: the centre window instead of the whole frame resized");
  cmd->add_option("--samples", a->samples, "samples to evaluate")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--seed", a->seed, "seed of the synthetic data")->capture_default_str();
  cmd->add_option("--json", a->json, "also write the figures to this JSON file (read by qflow-study)");
  cmd->callback([a] {
    Checkpoint c = load_checkpoint(a->checkpoint, parse_size(a->size));
    const auto data = open_data(a->data, c.config, a->seed, true, SyntheticOptions{}.max_motion,
                                a->centre_crop ? Fit::CentreCrop : Fit::Resize);
    const EvalResult f = evaluate(*c.net, *data, a->samples, 8, torch::kCPU);
    fmt::print("{} on {}\nfloat path:   EPE {:.4f} L1 {:.4f}\n", c.net->describe(), data->describe(), f.epe, f.l1);
    // Per sample: the integer path (when quantized) next to OpenCV's DIS and Farneback on the same pixels.
    auto* q = dynamic_cast<FlowNetQ*>(c.net.get());
    const bool integer = q && q->quantized();
    const Package p = integer ? fold_package(*q) : Package{};
    fmt::print("{:>4} {:>10} {:>10} {:>10} {:>10}\n", "#", integer ? "integer" : "float", "DIS", "Farneback", "zero");
    double sums[4] = {0, 0, 0, 0}, l1_sum = 0;
    nlohmann::json per_sample = nlohmann::json::array();
    const int64_t n = std::min<int64_t>(a->samples, int64_t(data->size()));
    for (int64_t i = 0; i < n; ++i) {
      const FlowSample s = collate({data->get(size_t(i))});
      torch::NoGradGuard no_grad;
      c.net->eval();
      const torch::Tensor ours = integer ? integer_flow(p, integer_forward(p, s.img1, s.img2).back())
                                         : c.net->predict(s.img1, s.img2);
      const ImagePair pair{to_rgb_mat(s.img1[0]), to_rgb_mat(s.img2[0])};
      const double e[4] = {masked_epe(ours, s.flow, s.valid).item<double>(),
                           masked_epe(from_flow_mat(compute_baseline_flow(Baseline::Dis, pair)), s.flow, s.valid).item<double>(),
                           masked_epe(from_flow_mat(compute_baseline_flow(Baseline::Farneback, pair)), s.flow, s.valid).item<double>(),
                           masked_epe(torch::zeros_like(s.flow), s.flow, s.valid).item<double>()};
      fmt::print("{:>4} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f}\n", i, e[0], e[1], e[2], e[3]);
      const double l1 = masked_l1(ours, s.flow, s.valid).item<double>();
      per_sample.push_back({{"epe", e[0]}, {"l1", l1}, {"dis", e[1]}, {"farneback", e[2]}, {"zero", e[3]}});
      l1_sum += l1;
      for (int k = 0; k < 4; ++k) sums[k] += e[k];
    }
    fmt::print("mean {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f}\n", sums[0] / double(n), sums[1] / double(n),
               sums[2] / double(n), sums[3] / double(n));
    if (!a->json.empty()) {
      // "epe" is the path the hardware would run: the integer one for a quantized network.
      const nlohmann::json out = {{"network", c.net->describe()}, {"data", data->describe()}, {"samples", n},
                                  {"path", integer ? "integer" : "float"}, {"float_epe", f.epe}, {"float_l1", f.l1},
                                  {"epe", sums[0] / double(n)}, {"l1", l1_sum / double(n)}, {"dis", sums[1] / double(n)},
                                  {"farneback", sums[2] / double(n)}, {"zero", sums[3] / double(n)},
                                  {"per_sample", per_sample}};
      write_json(a->json, out);
    }

  });
}

void add_export(CLI::App& app) {
  struct Args {
    std::string checkpoint, out, data = "synthetic", size;
    ExportOptions options;
    uint64_t seed = 1;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("export", "Write the model package with golden cases");
  cmd->add_option("--checkpoint", a->checkpoint, "checkpoint folder of a quantized FlowNetQ")->required();
  cmd->add_option("--out", a->out, "package folder")->required();
  cmd->add_option("--data", a->data, "where golden pairs and the EPE report come from (real pairs: whole frames resized)")->capture_default_str();
  cmd->add_option("--size", a->size, "package input HxW, multiples of 64 (default: the size it trained at)");
  cmd->add_option("--cases", a->options.golden_cases, "golden cases")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--eval-samples", a->options.eval_samples, "samples for the EPE and mismatch report")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--seed", a->seed, "seed of the synthetic data")->capture_default_str();
  cmd->callback([a] {
    Checkpoint c = load_checkpoint(a->checkpoint, parse_size(a->size));
    auto* q = dynamic_cast<FlowNetQ*>(c.net.get());
    if (!q) throw std::runtime_error(fmt::format("{}: only FlowNetQ checkpoints export", a->checkpoint));
    const auto data = open_data(a->data, c.config, a->seed, true, SyntheticOptions{}.max_motion, Fit::Resize);
    nlohmann::json provenance = {{"trainer", "qflow-train"}, {"checkpoint_state", c.state}, {"golden_data", data->describe()}};
    export_package(*q, *data, provenance, a->options, a->out);
    fmt::print("wrote {}\n", a->out);
  });
}

void add_sensitivity(CLI::App& app) {
  struct Args {
    std::string checkpoint, data = "synthetic", widths = "6,4,3,2", json;
    int samples = 64;
    uint64_t seed = 1;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("sensitivity", "validation EPE with one layer's weights or one activation group lowered");
  cmd->add_option("--checkpoint", a->checkpoint, "a quantized FlowNetQ checkpoint")->required();
  cmd->add_option("--data", a->data, "synthetic or photos (validation split)")->capture_default_str();
  cmd->add_option("--widths", a->widths, "widths to try, comma-separated")->capture_default_str();
  cmd->add_option("--samples", a->samples, "validation samples")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--seed", a->seed, "seed of the data")->capture_default_str();
  cmd->add_option("--json", a->json, "write the table to this JSON file")->required();
  cmd->callback([a] {
    std::vector<int> widths;
    for (const auto& item : CLI::detail::split(a->widths, ',')) {
      int b = 0;
      if (!CLI::detail::lexical_cast(item, b) || b < 2 || b > 8)
        throw std::runtime_error(fmt::format("--widths: '{}' is not a width in 2..8", item));
      widths.push_back(b);
    }
    const Checkpoint c = load_checkpoint(a->checkpoint);
    const auto data = open_data(a->data, c.config, a->seed, true);
    write_json(a->json, measure_sensitivity(c, *data, widths, a->samples));
  });
}

void add_render(CLI::App& app) {
  struct Args {
    std::string data = "photos", out, size = "384x512";
    int count = 8, scene_width = PhotoSceneOptions{}.scene_width;
    uint64_t seed = 1;
    bool validation = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("render", "Write training samples of the photos data source as OUT/<i>/{img1.png,img2.png,flow.flo}");
  cmd->add_option("--data", a->data, "photos[:DIR] (default DIR: $QFLOW_PHOTOS or ~/.cache/qflow/photos)")->capture_default_str();
  cmd->add_option("--count", a->count, "samples")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--seed", a->seed, "random seed")->capture_default_str();
  cmd->add_option("--size", a->size, "HxW of each sample")->capture_default_str();
  cmd->add_option("--scene-width", a->scene_width, "motions and object sizes are those of a frame this wide")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_flag("--validation", a->validation, "from the validation split's photographs");
  cmd->add_option("--out", a->out, "output folder")->required();
  cmd->callback([a] {
    const auto library_dir = photo_library(a->data);
    if (!library_dir)
      throw std::runtime_error(fmt::format("--data '{}': render writes the photos source only (photos or photos:DIR)", a->data));
    const PhotoLibrary library(library_dir->empty() ? PhotoLibrary::default_dir() : *library_dir, a->validation,
                               library_dir->empty() ? "(the default library)" : library_dir->string());
    PhotoSceneOptions o;
    std::tie(o.height, o.width) = parse_size(a->size);
    o.scene_width = a->scene_width;
    o.photometric = !a->validation;  // as the data source renders each split
    std::vector<double> ms;
    for (int i = 0; i < a->count; ++i) {
      const auto start = std::chrono::steady_clock::now();
      const PhotoScene s = render_photo_scene(library, o, a->seed * 0x9E3779B97F4A7C15ull + uint64_t(i));
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      const std::filesystem::path dir = std::filesystem::path(a->out) / std::to_string(i);
      std::filesystem::create_directories(dir);
      save_rgb(dir / "img1.png", s.img1);
      save_rgb(dir / "img2.png", s.img2);
      qflow::write_flo(dir / "flow.flo", s.flow);
    }
    std::nth_element(ms.begin(), ms.begin() + ptrdiff_t(ms.size() / 2), ms.end());
    fmt::print("{}: {} samples of {}x{} in {} (median {:.2f} ms to render one)\n", library.describe(), a->count,
               o.width, o.height, a->out, ms[ms.size() / 2]);
  });
}

}  // namespace
}  // namespace qflow::train

int main(int argc, char** argv) {
  qflow::train::command_line.assign(argv, argv + argc);
  CLI::App app{"qflow-train: quantization-aware training of FlowNetQ and export of the model package"};
  app.require_subcommand(1);
  qflow::train::add_train(app);
  qflow::train::add_eval(app);
  qflow::train::add_export(app);
  qflow::train::add_render(app);
  qflow::train::add_sensitivity(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    fmt::print(stderr, "qflow-train: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
