// Weights streamed from DDR in bands of output rows (DESIGN section 4): the config, the analytic
// cycles and traffic, the memories a layer keeps on chip, the DDR ceiling of a part, and the part
// optimizer's placement. Plain C++, no simulation.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "arch/folding_model.hpp"
#include "arch/part_optimizer.hpp"
#include "arch/resource_model.hpp"
#include "arch/run_plan.hpp"
#include "conv_folding.hpp"
#include "model_error.hpp"
#include "package/flownetq_graph.hpp"
#include "test_helpers.hpp"

namespace qflow {
namespace {

using test::error_of;

Package quarter_width() { return flownetq_skeleton({0.25, 128, 128, 8, 8}); }

// conv3's plan with its weights on DDR in bands of `band` rows.
LayerPlan conv3_on_ddr(const Package& package, ArchConfig config, int band) {
  config.convs.at("conv3").weights = WeightPlacement::Ddr;
  config.convs.at("conv3").band_rows = band;
  return plan_layers(package, config)[2];
}

TEST(DdrWeights, TheConfigRoundTripsAndBadPlacementsAreNamed) {
  const Package package = quarter_width();
  ArchConfig config = default_arch_config(package);
  config.convs.at("conv3").weights = WeightPlacement::Ddr;
  config.convs.at("conv3").band_rows = 4;
  const auto dir = test::temp_dir("ddr-arch");
  write_arch_config(dir / "arch.json", config);
  EXPECT_EQ(arch_to_json(read_arch_config(dir / "arch.json")), arch_to_json(config));
  const auto refused = [&](const std::string& layer_json) {
    std::ofstream(dir / "bad.json") << R"({"format": "qflow-arch", "version": 1, "layers": {"conv1": )" << layer_json << "}}";
    return error_of([&] { read_arch_config(dir / "bad.json"); });
  };
  EXPECT_NE(refused(R"({"pe": 1, "simd": 1, "weights": "flash"})").find("layer 'conv1': weights is 'flash'"), std::string::npos);
  EXPECT_NE(refused(R"({"pe": 1, "simd": 1, "band_rows": 4})").find("band_rows applies to weights on \"ddr\""),
            std::string::npos);
  EXPECT_NE(refused(R"({"pe": 1, "simd": 1, "weights": "ddr", "band_rows": 0})").find("band_rows 0 must be at least 1"),
            std::string::npos);
  config.convs.at("conv3").band_rows = 17;  // conv3's map is 16 rows tall at 128x128
  EXPECT_NE(error_of([&] { plan_layers(package, config); }).find("layer 'conv3': band_rows 17 is taller than its 16 output rows"),
            std::string::npos);
}

TEST(DdrWeights, TrafficIsTheRomImageOncePerBand) {
  const Package package = quarter_width();
  const ArchConfig config = default_arch_config(package, 256);
  const ConvArch& a = config.convs.at("conv3");
  // The ROM image as the PE reads it: its packed words, each rounded up to bytes.
  const rtl::ConvFolding f{a.pe, a.simd};
  const int64_t words = int64_t(f.groups(package.layer("conv3"))) * f.folds(package.layer("conv3"));
  const int64_t image = words * ((a.pe * a.simd * 8 + 7) / 8);
  for (int band : {1, 3, 16}) {
    const LayerPlan p = conv3_on_ddr(package, config, band);
    EXPECT_EQ(p.weight_bytes, image);
    EXPECT_EQ(p.ddr_weight_bytes, image * ((16 + band - 1) / band)) << band;
  }
}

TEST(DdrWeights, CyclesAreTheComputeWhereTheDramKeepsUpAndTheTrafficWhereItDoesNot) {
  const Package package = quarter_width();
  ArchConfig config = default_arch_config(package, 256);
  const LayerPlan rom = plan_layers(package, config)[2];
  // A DRAM far faster than the PE: only the first channel group of each band is waited for, one
  // cycle each.
  config.dram.latency_ns = 0.0;
  config.dram.bandwidth_gbps = 1e6;
  const LayerPlan fast = conv3_on_ddr(package, config, 4);
  EXPECT_EQ(fast.cycles, rom.cycles + 4);  // 16 rows in 4 bands
  EXPECT_EQ(fast.weight_wait_cycles, 4);
  // A slow one: the weights cannot arrive faster than the bandwidth, however little the PE computes.
  config.dram.latency_ns = 100.0;
  config.dram.bandwidth_gbps = 0.05;
  const LayerPlan slow = conv3_on_ddr(package, config, 1);
  const double bytes_per_cycle = 0.05 * 1e3 / config.clock_mhz;
  EXPECT_GE(double(slow.cycles), double(slow.ddr_weight_bytes) / bytes_per_cycle);
  EXPECT_GT(slow.cycles, 2 * rom.cycles);
  // At half the peak sustained, twice the bytes' time.
  config.dram.efficiency = 0.5;
  const LayerPlan half = conv3_on_ddr(package, config, 1);
  EXPECT_GE(double(half.cycles), 2 * double(half.ddr_weight_bytes) / bytes_per_cycle);
}

TEST(DdrWeights, ALayerOnDdrKeepsABufferAndItsBandsRowsInsteadOfItsRom) {
  const Package package = quarter_width();
  ArchConfig config = default_arch_config(package, 256);
  config.convs.at("conv3").weights = WeightPlacement::Ddr;
  config.convs.at("conv3").band_rows = 4;
  const RunPlan plan(package, config);
  const ResourceEstimate estimate = estimate_resources(plan);
  const LayerResources& conv3 = estimate.layers[2];
  ASSERT_EQ(conv3.name, "conv3");
  std::map<std::string, MemoryShape> kind;
  for (const MemoryShape& m : conv3.memories) kind[m.kind] = m;
  EXPECT_FALSE(kind.count("weight_rom"));
  const ConvArch& a = config.convs.at("conv3");
  const Layer& layer = package.layer("conv3");
  const int64_t folds = (layer.cin * 25 + a.simd - 1) / a.simd;
  const int64_t per_port = std::max(1, 72 / (a.pe * a.simd * 8));
  EXPECT_EQ(kind.at("weight_buffer").depth, (2 * folds + per_port - 1) / per_port);  // two channel groups
  // (B - 1) x stride + k input rows of conv2's 32 columns.
  EXPECT_EQ(kind.at("line_buffer").depth, (((4 - 1) * 2 + 5) * 32 * layer.cin + a.simd - 1) / a.simd);
  EXPECT_EQ(kind.at("band_outputs").depth, 4 * 16 * ((layer.cout + a.pe - 1) / a.pe));
  EXPECT_DOUBLE_EQ(estimate.dram.weight_bytes.at(0).second, double(plan.layers[2].ddr_weight_bytes));
}

TEST(DdrWeights, APartsDdrIsACeilingLikeItsFabric) {
  const Package package = quarter_width();
  ArchConfig config = default_arch_config(package, 256);
  PartCatalog catalog = bundled_parts();
  FpgaPart part = catalog.find("ZCU102");
  const ResourceEstimate all_rom = estimate_resources(RunPlan(package, config));
  EXPECT_TRUE(fit_to_part(all_rom, part, catalog).fits);
  // The pair in and the flow out alone, at the pipeline's frame rate.
  const double pair_and_flow = (128.0 * 128 * 6 + 2.0 * 32 * 32 * 2) * all_rom.dram.frames_per_second / 1e9;
  EXPECT_NEAR(fit_to_part(all_rom, part, catalog).ddr_gbps_used, pair_and_flow, 1e-9);
  for (auto& [name, a] : config.convs) a.weights = WeightPlacement::Ddr;
  const ResourceEstimate all_ddr = estimate_resources(RunPlan(package, config));
  part.ddr_gbps = fit_to_part(all_ddr, part, catalog).ddr_gbps_used / catalog.ddr_ceiling * 0.9;
  const PartFit starved = fit_to_part(all_ddr, part, catalog);
  EXPECT_FALSE(starved.fits);
  EXPECT_EQ(starved.binding, "ddr");
}

TEST(DdrWeights, TheOptimizerStreamsWeightsWhereBlockRamBinds) {
  const PartCatalog& catalog = bundled_parts();
  const Package package = flownetq_skeleton({0.25, 384, 512, 8, 8});  // the bundled model's shape
  const FpgaPart& ultra96 = catalog.find("Ultra96");
  // Its weight ROMs alone are more block RAM than Ultra96 has: it fits only with weights on DDR.
  ArchConfig rom_only = arch_for_part(package, catalog.find("U250-SLR"), catalog, CircuitCostModel::bundled(), false, 200);
  for (auto& [name, a] : rom_only.convs) a.weights = WeightPlacement::Rom;
  EXPECT_FALSE(fit_to_part(estimate_resources(RunPlan(package, rom_only)), ultra96, catalog).fits);
  const ArchConfig config = arch_for_part(package, ultra96, catalog, CircuitCostModel::bundled(), false, 200);
  const RunPlan plan(package, config);
  const PartFit fit = fit_to_part(estimate_resources(plan), ultra96, catalog);
  EXPECT_TRUE(fit.fits);
  EXPECT_LE(fit.ddr_gbps_used, ultra96.ddr_gbps * catalog.ddr_ceiling);
  int on_ddr = 0;
  for (const LayerPlan& p : plan.layers) on_ddr += p.weights_in_ddr;
  EXPECT_GT(on_ddr, 0);
}

}  // namespace
}  // namespace qflow
