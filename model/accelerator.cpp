#include "accelerator.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "conv_folding.hpp"
#include "cosim/rtl_conv_unit.hpp"
#include "datapath/row_ops.hpp"
#include "faults/fault.hpp"
#include "faults/row_upset.hpp"
#include "model_error.hpp"
#include "ref/integer_ops.hpp"

namespace qflow {

using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::sc_time_stamp;

namespace {

// The last input row output row y reads, and how many input rows its window spans (the line
// buffer's rows).
StreamUnit::RowNeed row_need(const Layer& layer, int in_height) {
  const auto clamp = [in_height](int row) { return std::clamp(row, 0, in_height - 1); };
  switch (layer.op) {
    case LayerOp::Conv:
    case LayerOp::FlowHead: {
      const int s = layer.stride, p = layer.pad, k = layer.kernel;
      return [=](int y) { return clamp(y * s - p + k - 1); };
    }
    case LayerOp::Upsample2x:  // bilinear x2 (align_corners = false) reads rows floor((y-1)/2) and (y+1)/2
      return [=](int y) { return clamp((y + 1) / 2); };
    case LayerOp::Concat: break;
  }
  return [](int y) { return y; };
}

int window_rows(const Layer& layer) {
  switch (layer.op) {
    case LayerOp::Conv:
    case LayerOp::FlowHead: return layer.kernel;
    case LayerOp::Upsample2x: return 2;
    case LayerOp::Concat: break;
  }
  return 1;
}

}  // namespace

Accelerator::Accelerator(sc_core::sc_module_name name, const RunPlan& plan, int host_threads,
                         const std::filesystem::path& rom_images, bool record_layers,
                         const std::filesystem::path& rtl_waves)
    : sc_module(name),
      csr("csr", plan.package.height, plan.package.width, int(plan.package.layers.size()),
          sc_time(plan.config.period_ns(), SC_NS)),
      package_(plan.package),
      config_(plan.config),
      period_(plan.config.period_ns(), SC_NS),
      input_shape_(plan.maps.at("input")),
      plans_(plan.layers),
      jobs_(std::make_unique<RowJobs>(host_threads - 1)),
      dma_("dma"),
      control_("control", csr, period_,
               {[this] { prepare_frame(); }, [this]() -> const sc_core::sc_event& { return flow_writer_->finished(); },
                [this] { return memory_error_ ? csr::ErrorCode::Memory : dma_.error(); },
                [this] {
                  std::vector<uint64_t> busy;
                  for (const StreamUnit* unit : layer_units_) busy.push_back(uint64_t(unit->stats().busy_cycles));
                  return busy;
                }}),
      input_reader_(dma_, csr, plan.package.width, period_) {
  for (size_t i = 0; i < package_.layers.size(); ++i) map_index_[package_.layers[i].name] = i;
  for (const BufferSpec& spec : plan.buffers) buffer_specs_[spec.name] = spec;
  accumulator_upsets_.resize(package_.layers.size());
  row_costs_ = std::vector<RowJobs::Cost>(package_.layers.size());
  if (record_layers)
    for (const LayerPlan& layer : plans_)
      observed_.push_back({layer.out.channels, layer.out.height, layer.out.width, std::vector<int16_t>(size_t(layer.out.size()))});
  build_datapath(rom_images, rtl_waves);
  build_pipeline();
}

// The workers stop first: a job still queued or running uses the rows, engines and costs below.
Accelerator::~Accelerator() { jobs_.reset(); }

FrameTiming Accelerator::frame_timing() const {
  return {dma_.read_bytes(), dma_.written_bytes(), dma_.bytes_by_master(), control_.cycles(), control_.pipeline_start()};
}

// Before each frame: the counters and levels the reports show are the last frame's.
void Accelerator::prepare_frame() {
  jobs_->drop_deferred();  // of a frame stopped early
  flow_out_->start_frame();
  dma_.start_frame();
  memory_error_ = false;
  for (auto& upset : accumulator_upsets_) upset.reset();  // one struck after a PE's last row hit nothing
  rows_done_ = 0;
  rtl_cycles_.assign(package_.layers.size(), {});
  for (auto& channel : channels_) channel->clear_levels();
}

// Every conv PE's ROM (packed for its folding, or loaded from an image) and its row datapath: the
// fast exact kernel, or the Verilated array and requant unit when co-simulated.
void Accelerator::build_datapath(const std::filesystem::path& rom_images, const std::filesystem::path& rtl_waves) {
  const size_t n = package_.layers.size();
  roms_.resize(n);
  engines_.resize(n);
  rtl_.resize(n);
  ddr_images_.resize(n);
  fetched_.resize(n);
  weight_offset_.resize(n);
  weight_master_.resize(n);
  uint64_t offset = 0;
  for (size_t i = 0; i < n; ++i) {
    const Layer& layer = package_.layers[i];
    if (!layer.is_conv()) continue;
    const ConvArch& arch = config_.convs.at(layer.name);
    roms_[i] = std::make_unique<WeightRom>(
        rom_images.empty() ? WeightRom(layer, arch.pe, arch.simd)
                           : WeightRom::from_readmemh(layer, arch.pe, arch.simd, rom_images / (layer.name + ".mem")));
    roms_[i]->set_protection(arch.rom_protection);
    if (plans_[i].weights_in_ddr) {  // the image goes to DRAM; the PE's buffer starts empty
      ddr_images_[i] = roms_[i]->dram_image();
      roms_[i]->load_dram_image(std::vector<uint8_t>(ddr_images_[i].size(), 0));
      weight_offset_[i] = offset;
      weight_master_[i] = dma_.add_master("weights " + layer.name);
      offset += (ddr_images_[i].size() + 63) / 64 * 64;  // each layer's image 64-byte aligned
    }
    const TensorShape& in = map_shape(map_index_.at(layer.inputs.at(0)));
    engines_[i] = std::make_unique<ConvRowEngine>(layer, in, *roms_[i]);
    if (arch.cosim)
      rtl_[i] = std::make_unique<RtlConvUnit>(layer, in, arch.pe, arch.simd, config_.period_ns(), rtl_waves);
  }
}

std::vector<uint8_t> Accelerator::dram_weights() const {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < ddr_images_.size(); ++i)
    if (plans_[i].weights_in_ddr) {
      bytes.resize(weight_offset_[i], 0);
      bytes.insert(bytes.end(), ddr_images_[i].begin(), ddr_images_[i].end());
    }
  return bytes;
}

uint64_t Accelerator::skip_area_bytes() const {
  return spills_.empty() ? 0 : spills_.back()->base() + spills_.back()->bytes();
}

// At the first row of each band the PE fetches its whole ROM image over the DMA and computes with
// what arrived (its engine is rebuilt when the words changed). The band's first channel group
// must arrive before the PE starts; each later group arrives while it computes the group before.
sc_time Accelerator::fetch_weights(size_t i, int y) {
  const LayerPlan& plan = plans_[i];
  if (y % plan.band_rows != 0) return sc_core::SC_ZERO_TIME;
  std::vector<uint8_t>& bytes = fetched_[i];
  bytes.resize(ddr_images_[i].size());
  const sc_time arrived = dma_.transfer(weight_master_[i], tlm::TLM_READ_COMMAND, csr.reg(csr::kWeightAddr) + weight_offset_[i],
                                        bytes.data(), bytes.size());
  if (roms_[i]->load_dram_image(bytes)) rebuild_engine(i);
  const rtl::ConvFolding f{plan.pe, plan.simd};
  const double groups = f.groups(package_.layers[i]);
  const int rows = std::min(plan.band_rows, plan.out.height - y);
  const double group_compute = double(int64_t(rows) * plan.out.width * f.folds(package_.layers[i]));
  // The transfer's latency is paid by every group's request, its bytes shared among them.
  const sc_time latency(config_.dram.latency_ns, sc_core::SC_NS);
  const sc_time group_fetch = arrived > latency ? (arrived - latency) / groups + latency : arrived;
  return period_ * band_weight_wait(groups, group_compute, group_fetch / period_);
}

RtlCycles Accelerator::rtl_cycles(size_t layer) const { return layer < rtl_cycles_.size() ? rtl_cycles_[layer] : RtlCycles{}; }

std::string Accelerator::row_kernel(size_t layer) const {
  if (rtl_[layer]) return rtl_[layer]->hardware();
  return engines_[layer] ? engines_[layer]->kernel_name() : "";
}

StreamUnit* Accelerator::add_unit(const std::string& name, int rows, int64_t row_cycles, StreamUnit::RowNeed need) {
  units_.push_back(
      std::make_unique<StreamUnit>(name.c_str(), rows, row_cycles, period_, std::move(need), control_.frame_start()));
  StreamUnit* unit = units_.back().get();
  rows_total_ += rows;
  unit->set_row_done([this](const RowRef&) {
    if (progress_) progress_(double(++rows_done_) / rows_total_);
  });
  return unit;
}

RowChannel* Accelerator::connect(StreamUnit& producer, const std::string& name) {
  const auto spec = buffer_specs_.find(name);
  if (spec == buffer_specs_.end())
    throw SimulationError(fmt::format("channel '{}' is not among the pipeline's buffers (arch/pipeline_buffers)", name));
  channels_.push_back(std::make_unique<RowChannel>(name.c_str(), producer.basename(), spec->second.depth_rows,
                                                   spec->second.map_rows));
  channel_specs_.push_back(&spec->second);
  producer.add_output(channels_.back().get());
  return channels_.back().get();
}

// A unit's work stops the simulation with its message instead of unwinding through SystemC.
StreamUnit::RowWork Accelerator::guarded(StreamUnit::RowWork work) {
  return [this, work = std::move(work)](int y, const std::vector<LineBuffer>& in, RowRef& out) {
    try {
      return work(y, in, out);
    } catch (const std::exception& e) {
      stop_frame(e);
      return sc_core::SC_ZERO_TIME;
    }
  };
}

void Accelerator::stop_frame(const std::exception& error) {
  if (datapath_error_.empty()) datapath_error_ = error.what();
  csr.frame_failed(csr::ErrorCode::Datapath);
  sc_core::sc_stop();
  wait();  // never resumes: the simulation is over
}

void Accelerator::record(size_t layer, const Row& row) {
  if (observed_.empty()) return;  // not recording
  CodeMap& map = observed_[layer];
  row.write_codes(map.codes.data() + size_t(row.y) * map.width, size_t(map.height) * map.width);
}

// What a layer's unit computes for output row y, from its line buffers only.
StreamUnit::RowWork Accelerator::layer_work(size_t i) {
  const Layer& layer = package_.layers[i];
  switch (layer.op) {
    case LayerOp::Conv:
    case LayerOp::FlowHead:
      if (rtl_[i]) return cosimulated_work(i);
      // The window's rows as the line buffer holds them now; the strip and the kernel when the
      // row's codes are needed (RowJobs).
      return [this, i](int y, const std::vector<LineBuffer>& in, RowRef& out) {
        if (roms_[i]->upset_pending()) read_rom_upsets(i);
        const ConvRowEngine* engine = engines_[i].get();
        const std::vector<RowRef> window = engine->window_rows(y, in[0]);
        const std::optional<AccumulatorUpset> upset = std::exchange(accumulator_upsets_[i], std::nullopt);
        out = defer_row(i, engine->take_row(y), window, [this, i, engine, window, upset](Row& into) {
          engine->compute(window, into);
          if (upset) engine->upset_accumulator(window, into, upset->element, upset->bit, upset->burst);
          record(i, into);
        });
        return sc_core::SC_ZERO_TIME;
      };
    case LayerOp::Upsample2x: {
      const int in_height = map_shape(i).height / 2;
      return [this, i, in_height, pool = std::make_shared<RowPool>()](int y, const std::vector<LineBuffer>& in,
                                                                       RowRef& out) {
        const UpsampleTaps t = upsample_taps(y, in_height);
        std::vector<RowRef> taps{in[0].held(t.near), in[0].held(t.far)};
        out = defer_row(i, pool->take(y), taps, [this, i, taps](Row& into) {
          upsample_row(*taps[0], *taps[1], into);
          record(i, into);
        });
        return sc_core::SC_ZERO_TIME;
      };
    }
    case LayerOp::Concat:
      return [this, i, pool = std::make_shared<RowPool>()](int y, const std::vector<LineBuffer>& in, RowRef& out) {
        std::vector<RowRef> parts;
        for (const LineBuffer& line : in) parts.push_back(line.held(y));
        out = defer_row(i, pool->take(y), parts, [this, i, parts](Row& into) {
          concat_row(parts, into);
          record(i, into);
        });
        return sc_core::SC_ZERO_TIME;
      };
  }
  throw SimulationError(fmt::format("layer '{}': no unit for its op", layer.name));
}

// Layer i's row, computed from `inputs` when its codes are first needed (RowJobs::defer). The job
// holds the row until it has run; the row holds the job, for its readers to wait for.
RowRef Accelerator::defer_row(size_t i, std::shared_ptr<Row> row, const std::vector<RowRef>& inputs,
                              std::function<void(Row&)> compute) {
  std::vector<RowJobs::Ticket> after;
  for (const RowRef& input : inputs)
    if (input) after.push_back(input->computing);
  row->computing = jobs_->defer([row, compute = std::move(compute)] { compute(*row); }, int(i), std::move(after));
  return row;
}

// A co-simulated PE's row: the Verilated RTL computes it on a host thread while the PE waits in
// simulated time for the row's beats (the fewest cycles it can take), so other units, and their
// rows, run meanwhile; then for whatever more the RTL took.
StreamUnit::RowWork Accelerator::cosimulated_work(size_t i) {
  return [this, i](int y, const std::vector<LineBuffer>& in, RowRef& out) {
    if (roms_[i]->upset_pending()) read_rom_upsets(i);
    const ConvRowEngine& engine = *engines_[i];
    auto strip = std::make_shared<CodeMap>(engine.strip_codes(y, in[0]));
    auto row = std::make_shared<RtlRow>();
    const uint64_t start_ps = uint64_t(std::llround(sc_core::sc_time_stamp() / sc_time(1, sc_core::SC_PS)));
    RowJobs::Ticket job = jobs_->submit(
        [this, i, &engine, strip, row, start_ps] { *row = rtl_[i]->run_row(engine.strip_layer(), *strip, *roms_[i], start_ps); },
        &row_costs_[i]);
    const uint64_t least = rtl_[i]->min_row_cycles(plans_[i].out.width);
    wait(period_ * double(least));
    RowJobs::wait_for(job);
    wait(period_ * double(row->cycles - least));
    rtl_cycles_[i].rows += row->cycles;
    rtl_cycles_[i].array += row->array_cycles;
    out = make_row(y, std::move(row->codes), package_.layers[i].op == LayerOp::FlowHead, false);
    record(i, *out);
    return sc_core::SC_ZERO_TIME;
  };
}

size_t Accelerator::conv_layer(const std::string& name) const {
  const auto it = map_index_.find(name);
  if (it == map_index_.end() || it->second == kInputMap || !package_.layers[it->second].is_conv())
    throw FaultError(fmt::format("'{}' is not a conv layer of package '{}'", name, package_.name));
  return it->second;
}

void Accelerator::upset_rom(const std::string& layer, int64_t word, int bit, int burst) {
  const size_t i = conv_layer(layer);
  WeightRom& rom = *roms_[i];
  if (word >= rom.words())
    throw FaultError(fmt::format("layer '{}': ROM word {} is past its {} words", layer, word, rom.words()));
  if (bit + burst > rom.stored_word_bits())
    throw FaultError(fmt::format("layer '{}': ROM bits {}..{} are past its {}-bit words ({} data, {} check)", layer, bit,
                                 bit + burst - 1, rom.stored_word_bits(), rom.word_bits(),
                                 rom.stored_word_bits() - rom.word_bits()));
  rom.upset(int(word), bit, burst);
}

// The PE reads its upset words through their code before its next row; a co-simulated PE's RTL
// reads the ROM's words directly, a fast one's engine is rebuilt from them.
void Accelerator::read_rom_upsets(size_t i) {
  const std::string detected = roms_[i]->read_upsets();
  if (!detected.empty()) flag_memory_error(fmt::format("layer '{}''s weight ROM: {}", package_.layers[i].name, detected));
  rebuild_engine(i);
}

void Accelerator::rebuild_engine(size_t i) {
  jobs_->run_deferred();  // rows still to compute read the old engine
  const Layer& layer = package_.layers[i];
  engines_[i] = std::make_unique<ConvRowEngine>(layer, map_shape(map_index_.at(layer.inputs.at(0))), *roms_[i]);
}

void Accelerator::flag_memory_error(const std::string& what) {
  if (!memory_error_) datapath_error_ = "memory error detected in " + what;
  memory_error_ = true;
}

void Accelerator::restore_roms() {
  for (size_t i = 0; i < roms_.size(); ++i)
    if (roms_[i] && roms_[i]->restore()) rebuild_engine(i);
}

void Accelerator::upset_line_buffer(const std::string& layer, int64_t held, int64_t element, int bit, int burst) {
  const size_t i = conv_layer(layer);
  const int code_bits = map_shape(map_index_.at(package_.layers[i].inputs.at(0))).bits;
  const WordProtection protection = config_.convs.at(layer).line_buffer_protection;
  bool detected = false;
  layer_units_[i]->line_buffer(0).replace_held(int(held), [&](const Row& row) {
    return upset_row(row, element, bit, burst, code_bits, protection, detected);
  });
  if (detected)
    flag_memory_error(fmt::format("layer '{}''s line buffer: code {} of a held row, bits {}..{}: {}", layer, element, bit,
                                  bit + burst - 1, detected_error_name(protection)));
}

void Accelerator::upset_fifo(const std::string& channel, int64_t waiting, int64_t element, int bit, int burst) {
  for (size_t c = 0; c < channels_.size(); ++c) {
    RowChannel& ch = *channels_[c];
    if (ch.basename() != channel) continue;
    const auto producer = map_index_.find(ch.producer());
    const int code_bits = producer == map_index_.end() ? input_shape_.bits : map_shape(producer->second).bits;
    const auto upset = [=](const Row& row) {
      bool unprotected = false;  // FIFOs carry no code
      return upset_row(row, element, bit, burst, code_bits, WordProtection::None, unprotected);
    };
    if (!ch.upset_waiting(int(waiting), upset))
      throw FaultError(fmt::format("FIFO '{}' holds fewer than {} rows now", channel, waiting + 1));
    return;
  }
  std::vector<std::string> names;
  for (const auto& ch : channels_) names.push_back(ch->basename());
  throw FaultError(fmt::format("'{}' is not a FIFO or skip buffer of the pipeline ({})", channel, fmt::join(names, ", ")));
}

void Accelerator::upset_dram_skip(const std::string& edge, int64_t row, int64_t element, int bit, int burst) {
  const auto spill = spill_by_edge_.find(edge);
  if (spill == spill_by_edge_.end()) {
    std::vector<std::string> names;
    for (const auto& [name, s] : spill_by_edge_) names.push_back(name);
    throw FaultError(fmt::format("'{}' is not an edge whose skip rows wait in DRAM ({})", edge,
                                 names.empty() ? "this architecture keeps every skip buffer on chip"
                                               : fmt::format("{}", fmt::join(names, ", "))));
  }
  spill->second->upset(int(row), element, bit, burst);
}

void Accelerator::upset_accumulator(const std::string& layer, int64_t element, int bit, int burst) {
  const size_t i = conv_layer(layer);
  if (rtl_[i])
    throw FaultError(fmt::format("layer '{}' is co-simulated: its accumulators are the RTL's, out of the model's reach", layer));
  if (bit + burst > 32) throw FaultError(fmt::format("layer '{}': bits {}..{} are past its 32-bit accumulators", layer, bit, bit + burst - 1));
  const int64_t outputs = int64_t(plans_[i].out.channels) * plans_[i].out.width;
  if (element >= outputs)
    throw FaultError(fmt::format("layer '{}': element {} is past its {} outputs a row", layer, element, outputs));
  accumulator_upsets_[i] = AccumulatorUpset{element, bit, burst};
}

void Accelerator::build_pipeline() {
  input_unit_ = add_unit("input", package_.height, 0, nullptr);
  input_unit_->set_row_work(guarded([this](int y, const std::vector<LineBuffer>&, RowRef& out) {
    return input_reader_.read_row(y, out);
  }));
  std::map<std::string, StreamUnit*> producer{{"input", input_unit_}};
  std::map<std::string, int> consumers;
  for (size_t i = 0; i < package_.layers.size(); ++i) {
    const Layer& layer = package_.layers[i];
    const size_t first_input = map_index_.at(layer.inputs.at(0));
    StreamUnit* unit = add_unit(layer.name, plans_[i].out.height, rtl_[i] ? 0 : plans_[i].row_cycles,
                                row_need(layer, map_shape(first_input).height));
    const int window = window_rows(layer);
    for (const std::string& from : layer.inputs) {
      const std::string edge = from + "_to_" + layer.name;
      StreamUnit& source = *producer.at(from);
      const size_t map = map_index_.at(from);
      // A producer's first consumer is its neighbour (a FIFO); any later one (a decoder concat)
      // reads a skip buffer holding the map until the decoder gets there, on chip or in DRAM.
      if (consumers[from]++ == 0 || config_.skips == SkipPlacement::OnChip) {
        unit->add_input(connect(source, edge), window);
      } else {
        unit->add_input(connect(*spill_to_dram(source, edge, map), edge + "_from_dram"), window);
      }
    }
    unit->set_row_work(guarded(layer_work(i)));
    if (plans_[i].weights_in_ddr) unit->set_weight_wait([this, i](int y) { return fetch_weights(i, y); });
    producer[layer.name] = unit;
    layer_units_.push_back(unit);
  }
  const size_t head = package_.layers.size() - 1;
  flow_out_ = std::make_unique<FlowWriter>(dma_, csr, plans_[head].out);
  flow_writer_ = add_unit("flow_writer", plans_[head].out.height, 0, [](int y) { return y; });
  flow_writer_->add_input(connect(*layer_units_.back(), package_.layers.back().name + "_to_flow_writer"), 1);
  // The rows still to compute run when the last flow row is written, before its payload goes out.
  flow_writer_->set_row_work(guarded([this, last = plans_[head].out.height - 1](int y, const std::vector<LineBuffer>& in,
                                                                             RowRef&) {
    const sc_time t = flow_rows_at_their_time_ ? flow_out_->write_row(*in[0].row(y)) : flow_out_->write_row_later(in[0].held(y));
    if (y == last) {
      jobs_->run_deferred();
      flow_out_->write_computed();
    }
    return t;
  }));
  if (channels_.size() != buffer_specs_.size())
    throw SimulationError(fmt::format("the pipeline built {} channels where arch/pipeline_buffers lists {}",
                                      channels_.size(), buffer_specs_.size()));
}

const TensorShape& Accelerator::map_shape(size_t layer) const {
  return layer == kInputMap ? input_shape_ : plans_[layer].out;
}

// A map a decoder reads later, through DRAM: a unit writing its rows there as they come, and one
// reading them back for the decoder (which computes with what comes back). Returns the reader.
StreamUnit* Accelerator::spill_to_dram(StreamUnit& source, const std::string& edge, size_t map) {
  const TensorShape& shape = map_shape(map);
  const uint64_t base = spills_.empty() ? 0 : spills_.back()->base() + spills_.back()->bytes();
  SkipSpill& spill = *spills_.emplace_back(std::make_unique<SkipSpill>(dma_, csr, shape, base, "skip " + edge));
  spill_by_edge_[edge] = &spill;
  StreamUnit* writer = add_unit(edge + "_skip_write", shape.height, 0, [](int y) { return y; });
  writer->add_input(connect(source, edge + "_to_dram"), 1);
  writer->set_row_work(guarded([&spill](int y, const std::vector<LineBuffer>& in, RowRef& out) {
    auto token = std::make_shared<Row>();  // "row y is in DRAM": the reader fetches it from there
    token->y = y;
    out = token;
    return spill.write_row(*in[0].row(y));
  }));
  StreamUnit* reader = add_unit(edge + "_skip_read", shape.height, 0, [](int y) { return y; });
  reader->add_input(connect(*writer, edge + "_in_dram"), 1);
  reader->set_row_work(guarded([&spill](int y, const std::vector<LineBuffer>&, RowRef& out) {
    return spill.read_row(y, out);
  }));
  return reader;
}

std::string Accelerator::blocked_units() const {
  std::string list;
  for (const auto& unit : units_)
    if (!unit->waiting_on().empty())
      list += fmt::format("\n  {} waits for {} since cycle {}", unit->basename(), unit->waiting_on(),
                          std::llround((unit->waiting_since() - control_.pipeline_start()) / period_));
  return list;
}

void Accelerator::trace(sc_core::sc_trace_file* file) const {
  csr.trace(file);
  for (const auto& unit : units_) unit->trace(file);
  for (const auto& channel : channels_) channel->trace(file);
  dma_.trace(file);
}

}  // namespace qflow
