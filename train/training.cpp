#include "training.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <ATen/autocast_mode.h>
#include <fmt/format.h>

#include "console/progress.hpp"
#include "data/sample_order.hpp"
#include "net/flownet_q.hpp"
#include "net/flownet_s.hpp"
#include "package/flownetq_graph.hpp"

namespace qflow::train {

namespace {

// CPU autocast to bfloat16 while it lives (when asked), and its cast cache dropped after: LibTorch
// keeps autocast state per thread, and a validation or an export must run in float.
class Bf16Autocast {
 public:
  explicit Bf16Autocast(bool on) : on_(on) {
    if (!on_) return;
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  ~Bf16Autocast() {
    if (!on_) return;
    at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
  }
  Bf16Autocast(const Bf16Autocast&) = delete;
  Bf16Autocast& operator=(const Bf16Autocast&) = delete;

 private:
  bool on_;
};

}  // namespace
namespace fs = std::filesystem;

nlohmann::json to_json(const NetworkConfig& c) {
  nlohmann::json layers = nlohmann::json::object();
  for (const auto& [name, bits] : c.layer_bits) layers[name] = {bits.first, bits.second};
  return {{"net", c.net}, {"width_mult", c.width_mult}, {"height", c.height}, {"width", c.width},
          {"w_bits", c.w_bits}, {"a_bits", c.a_bits}, {"weight_range", c.weight_range}, {"layer_bits", layers},
          {"learned_ranges", c.learned_ranges}};
}

std::map<std::string, std::pair<int, int>> parse_layer_bits(const std::string& spec) {
  std::map<std::string, std::pair<int, int>> out;
  std::stringstream items(spec);
  for (std::string item; std::getline(items, item, ',');) {
    int w = 0, a = 0;
    char name[64] = {};
    if (std::sscanf(item.c_str(), "%63[^=]=%d:%d", name, &w, &a) != 3)
      throw std::runtime_error(fmt::format("--layer-bits item '{}' is not LAYER=WBITS:ABITS", item));
    out[name] = {w, a};
  }
  return out;
}

NetworkConfig network_config_from_json(const nlohmann::json& j) {
  NetworkConfig c;
  c.net = j.at("net").get<std::string>();
  c.width_mult = j.at("width_mult").get<double>();
  c.height = j.at("height").get<int>();
  c.width = j.at("width").get<int>();
  c.w_bits = j.at("w_bits").get<int>();
  c.a_bits = j.at("a_bits").get<int>();
  c.weight_range = j.at("weight_range").get<double>();
  if (j.contains("layer_bits"))
    for (const auto& [name, bits] : j.at("layer_bits").items()) c.layer_bits[name] = {bits[0].get<int>(), bits[1].get<int>()};
  c.learned_ranges = j.value("learned_ranges", false);  // absent in checkpoints older than the option
  return c;
}

std::shared_ptr<FlowNetwork> make_network(const NetworkConfig& c) {
  if (c.net == "flownets") return std::make_shared<FlowNetS>(c.width_mult);
  if (c.net != "flownetq") throw std::runtime_error(fmt::format("unknown network '{}' (flownetq, flownets)", c.net));
  for (int bits : {c.w_bits, c.a_bits})
    if (bits != 0 && (bits < 2 || bits > 8))
      throw std::runtime_error(fmt::format("bit width {} is not 0 (float) or 2..8", bits));
  Package graph = flownetq_skeleton({c.width_mult, c.height, c.width, c.w_bits, c.a_bits});
  for (const auto& [name, bits] : c.layer_bits) {
    auto it = std::find_if(graph.layers.begin(), graph.layers.end(), [&](const Layer& l) { return l.name == name; });
    if (it == graph.layers.end()) throw std::runtime_error(fmt::format("--layer-bits: no layer '{}'", name));
    Layer& layer = *it;
    if (!layer.is_conv()) throw std::runtime_error(fmt::format("--layer-bits: '{}' is not a conv layer", name));
    layer.w_bits = bits.first;
    if (layer.op != LayerOp::FlowHead) layer.out_bits = bits.second;
  }
  // Each conv reads the width its producer writes (upsample and concat pass it through).
  std::map<std::string, int> width{{"input", 8}};
  for (Layer& layer : graph.layers) {
    const int in = width.at(layer.inputs[0]);
    if (layer.is_conv()) layer.in_bits = in;
    width[layer.name] = layer.is_conv() ? layer.out_bits : in;
  }
  return std::make_shared<FlowNetQ>(std::move(graph), c.weight_range, c.learned_ranges);
}

void copy_weights(FlowNetwork& from, FlowNetwork& to, const std::string& source) {
  torch::NoGradGuard no_grad;
  const auto source_params = from.named_parameters(), source_buffers = from.named_buffers();
  for (auto& p : to.named_parameters()) {
    const torch::Tensor* src = source_params.find(p.key());
    if (!src && is_learned_quantizer_range(p.key())) continue;
    if (!src || src->sizes() != p.value().sizes())
      throw std::runtime_error(fmt::format("{}: no parameter '{}' of this shape", source, p.key()));
    p.value().copy_(*src);
  }
  for (auto& b : to.named_buffers())
    if (const torch::Tensor* src = source_buffers.find(b.key()); src && src->sizes() == b.value().sizes()) b.value().copy_(*src);
}

EvalResult evaluate(FlowNetwork& net, const FlowDataset& data, int64_t max_samples, int batch, torch::Device device) {
  torch::NoGradGuard no_grad;
  const bool was_training = net.is_training();
  net.eval();
  EvalResult r;
  double epe = 0, l1 = 0, zero = 0;
  const int64_t n = std::min<int64_t>(max_samples, int64_t(data.size()));
  for (int64_t first = 0; first < n; first += batch) {
    std::vector<FlowSample> samples;
    for (int64_t i = first; i < std::min<int64_t>(first + batch, n); ++i) samples.push_back(data.get(size_t(i)));
    const FlowSample b = collate(samples);
    const torch::Tensor flow = b.flow.to(device), valid = b.valid.to(device);
    const torch::Tensor estimate = net.predict(b.img1.to(device), b.img2.to(device));
    const double k = double(samples.size());
    epe += k * masked_epe(estimate, flow, valid).item<double>();
    l1 += k * masked_l1(estimate, flow, valid).item<double>();
    zero += k * masked_epe(torch::zeros_like(flow), flow, valid).item<double>();
    r.samples += int64_t(samples.size());
  }
  net.train(was_training);
  r.epe = epe / double(r.samples);
  r.l1 = l1 / double(r.samples);
  r.zero_epe = zero / double(r.samples);
  return r;
}

namespace {

// Adam's moments saved by parameter order. LibTorch keys an optimizer's state by its parameters'
// addresses (as strings in 1.13, as pointers in 2.x), so torch::save(optimizer) writes different
// bytes from run to run; this way two runs of one seed write identical checkpoints.
template <typename State>
typename State::key_type state_key(const torch::Tensor& p) {
  if constexpr (std::is_same_v<typename State::key_type, std::string>) return c10::guts::to_string(p.unsafeGetTensorImpl());
  else return p.unsafeGetTensorImpl();
}

void save_adam(torch::optim::Adam& adam, const fs::path& file) {
  auto& state = adam.state();
  const std::vector<torch::Tensor>& params = adam.param_groups().at(0).params();
  torch::serialize::OutputArchive archive;
  for (size_t i = 0; i < params.size(); ++i) {
    const auto it = state.find(state_key<std::decay_t<decltype(state)>>(params[i]));
    if (it == state.end()) continue;  // not stepped yet
    const auto& s = static_cast<const torch::optim::AdamParamState&>(*it->second);
    archive.write(fmt::format("{}.step", i), torch::tensor(s.step()));
    archive.write(fmt::format("{}.exp_avg", i), s.exp_avg());
    archive.write(fmt::format("{}.exp_avg_sq", i), s.exp_avg_sq());
  }
  archive.save_to(file.string());
}

void load_adam(torch::optim::Adam& adam, const fs::path& file) {
  torch::serialize::InputArchive archive;
  archive.load_from(file.string());
  auto& state = adam.state();
  const std::vector<torch::Tensor>& params = adam.param_groups().at(0).params();
  for (size_t i = 0; i < params.size(); ++i) {
    torch::Tensor step, exp_avg, exp_avg_sq;
    if (!archive.try_read(fmt::format("{}.step", i), step)) continue;
    archive.read(fmt::format("{}.exp_avg", i), exp_avg);
    archive.read(fmt::format("{}.exp_avg_sq", i), exp_avg_sq);
    auto s = std::make_unique<torch::optim::AdamParamState>();
    s->step(step.item<int64_t>());
    s->exp_avg(exp_avg);
    s->exp_avg_sq(exp_avg_sq);
    state[state_key<std::decay_t<decltype(state)>>(params[i])] = std::move(s);
  }
}

}  // namespace

void save_checkpoint(const fs::path& dir, FlowNetwork& net, torch::optim::Adam* optimizer, const NetworkConfig& config,
                     int step, const nlohmann::json& extra) {
  fs::create_directories(dir);
  torch::serialize::OutputArchive model;
  net.save(model);
  model.save_to((dir / "model.pt").string());
  if (optimizer) save_adam(*optimizer, dir / "optimizer.pt");
  nlohmann::json state = extra;
  state["config"] = to_json(config);
  state["step"] = step;
  std::ofstream(dir / "state.json") << state.dump(1) << '\n';
}

Checkpoint load_checkpoint(const fs::path& dir, std::pair<int, int> size) {
  std::ifstream in(dir / "state.json");
  if (!in) throw std::runtime_error(fmt::format("{}: not a qflow-train checkpoint (no state.json)", dir.string()));
  Checkpoint c;
  c.state = nlohmann::json::parse(in);
  c.config = network_config_from_json(c.state.at("config"));
  c.step = c.state.at("step").get<int>();
  if (size.first > 0) std::tie(c.config.height, c.config.width) = size;
  c.net = make_network(c.config);
  torch::serialize::InputArchive model;
  model.load_from((dir / "model.pt").string());
  c.net->load(model);
  return c;
}

EvalResult train(std::shared_ptr<FlowNetwork> net, const NetworkConfig& config, const FlowDataset& train_data,
                 const FlowDataset& val_data, const TrainOptions& o) {
  torch::manual_seed(o.seed);
  const torch::Device device(o.device);
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(o.lr));
  int first_step = 0;
  uint64_t position = 0;  // in the sample stream
  if (!o.init.empty()) {
    const Checkpoint from = load_checkpoint(o.init);
    if (from.config.net != config.net || from.config.width_mult != config.width_mult)
      throw std::runtime_error(fmt::format("{}: --init needs a checkpoint of the same network ({} x{}), not {}",
                                           o.init.string(), config.net, config.width_mult, to_json(from.config).dump()));
    copy_weights(*from.net, *net, o.init.string());
  }
  if (!o.resume.empty()) {
    std::ifstream in(o.resume / "state.json");
    if (!in) throw std::runtime_error(fmt::format("{}: not a qflow-train checkpoint (no state.json)", o.resume.string()));
    const nlohmann::json state = nlohmann::json::parse(in);
    if (state.at("config") != to_json(config))
      throw std::runtime_error(fmt::format("{}: the checkpoint is of another network: {}", o.resume.string(),
                                           state.at("config").dump()));
    torch::serialize::InputArchive model;
    model.load_from((o.resume / "model.pt").string());
    net->load(model);
    load_adam(optimizer, o.resume / "optimizer.pt");
    first_step = state.at("step").get<int>();
    // Checkpoints from before the sample stream drew `batch` samples a step.
    position = state.value("samples", uint64_t(first_step) * uint64_t(o.batch));
  }
  const int rank = o.ranks ? o.ranks->rank() : 0, world = o.ranks ? o.ranks->world() : 1;
  const bool lead = rank == 0;
  if (o.ranks) {
    o.ranks->broadcast(*net);
    net->synchronize_batch_norm([ranks = o.ranks](const torch::Tensor& x) { return ranks->sum(x); });
  }
  net->to(device);
  if (o.channels_last)
    for (torch::Tensor& p : net->parameters())
      if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
  net->train();
  std::ofstream log;
  if (lead) {
    fs::create_directories(o.out);
    log.open(o.out / "log.csv", first_step ? std::ios::app : std::ios::trunc);
    if (!first_step) log << "step,loss,val_epe,val_l1,zero_epe,seconds\n";
  }
  Progress bar("training", o.quiet || !lead);
  const auto start = std::chrono::steady_clock::now();
  SampleOrder order(train_data.size(), o.seed);
  EvalResult last{};
  double loss_avg = 0;
  for (int step = first_step + 1; step <= o.steps; ++step) {
    // Step decay (FlowNet trains the same way): 1/5 of the rate after 60 % of the steps, 1/25 after 85 %.
    const double lr = o.lr * (step > 0.6 * o.steps ? 0.2 : 1.0) * (step > 0.85 * o.steps ? 0.2 : 1.0);
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    std::vector<FlowSample> samples;
    for (const uint64_t i : order.batch(position, rank, o.batch)) samples.push_back(train_data.get(i));
    position += uint64_t(o.batch) * uint64_t(world);
    const FlowSample b = collate(samples);
    optimizer.zero_grad();
    const torch::Tensor loss = [&] {
      const Bf16Autocast autocast(o.bf16);
      const auto memory = o.channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
      return net->loss(b.img1.to(device).contiguous(memory), b.img2.to(device).contiguous(memory), b.flow.to(device),
                       b.valid.to(device));
    }();
    loss.backward();
    if (o.ranks) o.ranks->average_gradients(net->parameters(), step);
    optimizer.step();
    loss_avg = step == first_step + 1 ? loss.item<double>() : 0.95 * loss_avg + 0.05 * loss.item<double>();
    const bool validate = step % o.val_every == 0 || step == o.steps;
    // The logged loss is the whole batch's: the average is linear in the losses, so the mean of the
    // ranks' averages (equal batches) is it, summed only when logged.
    const double logged_loss =
        validate && o.ranks ? o.ranks->sum(torch::full({1}, loss_avg, torch::kDouble)).item<double>() / world : loss_avg;
    if (lead && validate) {
      last = evaluate(*net, val_data, o.val_samples, o.batch, device);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      log << fmt::format("{},{:.5f},{:.5f},{:.5f},{:.5f},{:.1f}\n", step, logged_loss, last.epe, last.l1, last.zero_epe,
                         seconds)
          << std::flush;
      save_checkpoint(o.out / "checkpoint", *net, &optimizer, config, step,
                      {{"data", train_data.describe()}, {"seed", o.seed}, {"val_epe", last.epe},
                       {"zero_epe", last.zero_epe}, {"samples", position}, {"ranks", world}});
    }
    const int done = step - first_step, total = std::max(1, o.steps - first_step);
    const double rate = done / std::max(1e-9, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    const int eta = int((total - done) / std::max(rate, 1e-9));
    bar.update(double(done) / total, fmt::format("{}/{} {:.2f} it/s loss {:.3f} EPE {:.3f} ETA {:02d}:{:02d}", step, o.steps,
                                                 rate, loss_avg, last.epe, eta / 60, eta % 60));
  }
  // No rank leaves while another may still read from it.
  if (o.ranks) o.ranks->barrier();
  return last;
}

}  // namespace qflow::train
