// qflow-study's pieces: plan arguments, the circuit estimate from the yosys table, report merging.
#include <fstream>

#include <gtest/gtest.h>

#include "circuit_cost.hpp"
#include "json_file.hpp"
#include "mixed_precision.hpp"
#include "study_plan.hpp"
#include "study_report.hpp"

namespace qflow::study {
namespace {
namespace fs = std::filesystem;

TEST(StudyPlan, BitsListIsCheckedItemByItem) {
  EXPECT_EQ(parse_bits_list("8,6,2"), (std::vector<int>{8, 6, 2}));
  EXPECT_THROW(parse_bits_list("9"), PlanError);
  EXPECT_THROW(parse_bits_list("1"), PlanError);
  EXPECT_THROW(parse_bits_list("8,8"), PlanError);
  EXPECT_THROW(parse_bits_list("8,x"), PlanError);
  EXPECT_THROW(parse_bits_list("6b"), PlanError);
  EXPECT_THROW(parse_bits_list(""), PlanError);
}

TEST(StudyPlan, QuantizedRunsAreASecondWaveFineTunedFromTheFloatRun) {
  StudyOptions o;
  o.out = "unused";
  o.bits = {8, 4};
  o.flownets = true;
  const std::vector<RunConfig> runs = plan_runs(o);
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[0].name, "flownetq-float");
  EXPECT_EQ(runs[1].name, "flownets-float");
  EXPECT_EQ(runs[1].wave, 1);
  EXPECT_EQ(runs[3].name, "w4a4");
  EXPECT_EQ(runs[3].init_from, "flownetq-float");
  EXPECT_EQ(runs[3].wave, 2);
  EXPECT_FALSE(runs[3].learned_ranges);
}

TEST(StudyPlan, LearnedRangeRunsFineTuneFromFloatWithTheirFlag) {
  StudyOptions o;
  o.out = std::filesystem::temp_directory_path() / "qflow_study_lsq_plan";
  o.bits = {4};
  o.learned_bits = {4, 3};
  const std::vector<RunConfig> runs = plan_runs(o);
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[2].name, "w4a4-lsq");
  EXPECT_EQ(runs[3].name, "w3a3-lsq");
  EXPECT_TRUE(runs[3].learned_ranges);
  EXPECT_EQ(runs[3].init_from, "flownetq-float");
  EXPECT_EQ(runs[3].wave, 2);
  write_plan(o, runs);
  std::ifstream job(o.out / "runs" / "w3a3-lsq" / "job.sh"), fixed(o.out / "runs" / "w4a4" / "job.sh");
  const std::string lsq_text((std::istreambuf_iterator<char>(job)), {}), fixed_text((std::istreambuf_iterator<char>(fixed)), {});
  EXPECT_NE(lsq_text.find("--wbits 3 --abits 3 --learned-ranges"), std::string::npos);
  EXPECT_EQ(fixed_text.find("--learned-ranges"), std::string::npos);
}

TEST(StudyPlan, TrainingJobsCarryTheCpuLeversAsked) {
  StudyOptions o;
  o.out = std::filesystem::temp_directory_path() / "qflow_study_levers_plan";
  o.bits = {8};
  o.bf16 = true;
  o.channels_last = true;
  write_plan(o, plan_runs(o));
  for (const char* run : {"flownetq-float", "w8a8"}) {
    std::ifstream job(o.out / "runs" / run / "job.sh");
    const std::string text((std::istreambuf_iterator<char>(job)), {});
    EXPECT_NE(text.find("--threads 1 --bf16 --channels-last "), std::string::npos) << run;
  }
  o.bf16 = o.channels_last = false;
  write_plan(o, plan_runs(o));
  std::ifstream job(o.out / "runs" / "w8a8" / "job.sh");
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(job)), {}).find("--bf16"), std::string::npos);
}

TEST(StudyPlan, DataParallelJobsSplitTheBatchOverTheirRanks) {
  StudyOptions o;
  o.out = std::filesystem::temp_directory_path() / "qflow_study_ranks_plan";
  o.bits = {8};
  o.ranks = 4;
  write_plan(o, plan_runs(o));
  std::ifstream job(o.out / "runs" / "w8a8" / "job.sh"), slurm(o.out / "slurm.sh");
  const std::string text((std::istreambuf_iterator<char>(job)), {}), batch((std::istreambuf_iterator<char>(slurm)), {});
  EXPECT_NE(text.find("launch=() ranks=(--nproc 4)"), std::string::npos) << text;
  EXPECT_NE(text.find("\"${launch[@]}\" \"$train\" train "), std::string::npos) << text;
  EXPECT_NE(text.find(" --batch 2 \"${ranks[@]}\""), std::string::npos) << text;
  EXPECT_NE(batch.find("#SBATCH --ntasks=4\n"), std::string::npos) << batch;
  o.ranks = 3;
  EXPECT_THROW(plan_runs(o), PlanError);
}

TEST(StudyPlan, RefusesDataWithoutAValidationSplitAndMissingFolders) {
  StudyOptions o;
  o.out = "unused";
  o.data = "chairs:/data";
  EXPECT_THROW(plan_runs(o), PlanError);
  o.data = "photos";
  o.real = "/nonexistent/pairs";
  EXPECT_THROW(plan_runs(o), PlanError);
}

// conv a (2-bit) -> concat with the input -> flow head b (4-bit weights, reads a's 2-bit codes).
const nlohmann::json kNetwork = {{"layers",
                                  {{{"name", "a"}, {"op", "conv"}, {"inputs", {"input"}}, {"w_bits", 2}, {"in_bits", 8}, {"out_bits", 2}},
                                   {{"name", "cat"}, {"op", "concat"}, {"inputs", {"a", "input"}}},
                                   {{"name", "b"}, {"op", "flow_head"}, {"inputs", {"cat"}}, {"w_bits", 4}, {"in_bits", 2}, {"out_bits", 16}}}}};
const nlohmann::json kSim = {{"layers", {{{"name", "a"}, {"pe", 4}, {"simd", 8}}, {{"name", "b"}, {"pe", 2}, {"simd", 16}}}}};

TEST(CircuitCost, PricesEachLayerAtItsWidthsAndFolding) {
  const CircuitCostModel& model = CircuitCostModel::read(QFLOW_COST_TABLE);
  const std::vector<FoldedLayer> layers = folded_layers(kNetwork, kSim);
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[1].in_bits, 2);
  const nlohmann::json cost = estimate_circuit(layers, model);
  // a: 4 x 8 multipliers of 2-bit weights on 8-bit inputs, 4 lanes; b: 2 x 16 of 4 x 2 bits, 2 lanes.
  const auto lut = MultiplierImpl::Lut;
  const double expected_array = model.mac_array(2, 8, 4, 8, lut).luts + model.mac_array(4, 2, 2, 16, lut).luts;
  const auto dsp = MultiplierImpl::Dsp;  // the requant lanes' wide multipliers stay in DSPs
  const double expected_requant = model.requant_lanes(2, 8, 4, dsp).luts + model.requant_lanes(4, 2, 2, dsp).luts;
  EXPECT_DOUBLE_EQ(cost["array_luts"].get<double>(), expected_array);
  EXPECT_DOUBLE_EQ(cost["luts"].get<double>(), expected_array + expected_requant);
  EXPECT_DOUBLE_EQ(cost["dsps"].get<double>(), model.requant_lanes(2, 8, 4, dsp).dsps + model.requant_lanes(4, 2, 2, dsp).dsps);
  // Fewer bits, fewer LUTs: what the mixed-precision search relies on.
  EXPECT_LT(model.mac_array(4, 4, 8, 8, lut).luts, model.mac_array(5, 5, 8, 8, lut).luts);
  const nlohmann::json unfolded = {{"layers", {{{"name", "a"}, {"pe", 4}, {"simd", 8}}}}};
  EXPECT_THROW(folded_layers(kNetwork, unfolded), PlanError);
}

// Three convs, c1 and c2 meeting at a concat (one activation group); c2's weights are free to
// lower, c1's cost a lot: the greedy takes the free step first and stops within the budget.
TEST(MixedPrecision, TakesTheCheapestStepsUntilTheBudgetFits) {
  const CircuitCostModel table = CircuitCostModel::read(QFLOW_COST_TABLE);
  const auto conv = [](const char* name, const char* op, std::vector<std::string> inputs) {
    return nlohmann::json{{"name", name}, {"op", op}, {"inputs", inputs}, {"w_bits", 8}, {"in_bits", 8},
                          {"out_bits", std::string(op) == "flow_head" ? 16 : 8}};
  };
  const nlohmann::json network = {{"layers", {conv("c1", "conv", {"input"}), conv("c2", "conv", {"c1"}),
                                              {{"name", "cat"}, {"op", "concat"}, {"inputs", {"c1", "c2"}}},
                                              conv("head", "flow_head", {"cat"})}}};
  const nlohmann::json sim = {{"layers", {{{"name", "c1"}, {"pe", 8}, {"simd", 8}}, {{"name", "c2"}, {"pe", 8}, {"simd", 8}},
                                          {{"name", "head"}, {"pe", 2}, {"simd", 8}}}}};
  const auto row = [](const char* unit, const char* kind, std::vector<std::string> layers, int bits, double delta) {
    return nlohmann::json{{"unit", unit}, {"kind", kind}, {"layers", layers}, {"bits", bits}, {"delta", delta}};
  };
  const nlohmann::json sensitivity = {{"rows", {row("c1", "weights", {"c1"}, 4, 1.0), row("c2", "weights", {"c2"}, 4, 0.0),
                                                row("head", "weights", {"head"}, 4, 2.0),
                                                row("c1+c2", "activations", {"c1", "c2"}, 4, 0.5)}}};
  const std::vector<FoldedLayer> base = folded_layers(network, sim);
  const double base_luts = estimate_circuit(base, table)["luts"];
  const MixedChoice c = choose_mixed_precision(network, base, sensitivity, table, 0.9);
  ASSERT_FALSE(c.moves.empty());
  EXPECT_EQ(c.moves[0].substr(0, 18), "c2/weights 8->4 (+");
  EXPECT_LE(c.luts, 0.9 * base_luts);
  EXPECT_NEAR(c.luts, estimate_circuit(c.layers, table)["luts"].get<double>(), 1e-6);
  // An activation step lowers both inputs of the concat, and the head reads the new width.
  if (c.layer_bits().find("c1=8:4") != std::string::npos) {
    EXPECT_NE(c.layer_bits().find("c2=4:4"), std::string::npos);
    EXPECT_EQ(c.layers[2].in_bits, 4);
  }
  EXPECT_THROW(choose_mixed_precision(network, base, sensitivity, table, 0.01), PlanError);  // out of reach
  EXPECT_THROW(choose_mixed_precision(network, base, sensitivity, table, 1.5), PlanError);
}

// A study folder with two finished runs and one that stopped in training, written by hand: the
// report keeps the finished ones, lists the other with its reason, and marks the Pareto front.
TEST(StudyReport, MergesFinishedRunsAndListsTheRest) {
  const fs::path dir = fs::temp_directory_path() / "qflow_study_merge";
  fs::remove_all(dir);
  const auto run = [&](const std::string& name, int bits, double epe, double luts) {
    const fs::path r = dir / "runs" / name;
    fs::create_directories(r / "checkpoint");
    fs::create_directories(r / "sim");
    write_text(r / "checkpoint" / "state.json", nlohmann::json{{"step", 10}, {"val_epe", epe + 1}}.dump());
    write_text(r / "val.json", nlohmann::json{{"path", "integer"}, {"float_epe", epe + 0.5}, {"epe", epe + 0.6}}.dump());
    write_text(r / "real.json", nlohmann::json{{"epe", epe}, {"l1", epe / 2}, {"float_epe", epe}, {"dis", 1.7},
                                               {"farneback", 2.1}, {"zero", 3.3}, {"samples", 7}, {"data", "pairs"}}.dump());
    write_text(r / "sim" / "report.json",
               nlohmann::json{{"frame", {{"multipliers", 1000}, {"latency_ms", 20.0}, {"fps_pipelined", 50.0}}},
                              {"memory", {{"rom_bits", bits * 1000}}}}.dump());
    write_text(r / "cost.json", nlohmann::json{{"luts", luts}, {"array_luts", luts / 2}, {"requant_luts", luts / 2},
                                               {"flip_flops", 1.0}, {"dsps", 0.0}}.dump());
    write_text(r / "done", "");
  };
  run("w8a8", 8, 2.0, 300);
  run("w6a6", 6, 2.5, 350);  // larger and worse than w8a8: off the front
  fs::create_directories(dir / "runs" / "w2a2");
  write_text(dir / "runs" / "w2a2" / "train.log", "step 1\rstep 2\rqflow-train: error: out of memory\n");
  nlohmann::json configs = nlohmann::json::array();
  for (const auto& [name, bits] : std::vector<std::pair<std::string, int>>{{"w8a8", 8}, {"w6a6", 6}, {"w2a2", 2}, {"w4a4", 4}})
    configs.push_back({{"name", name}, {"net", "flownetq"}, {"w_bits", bits}, {"a_bits", bits}});
  write_text(dir / "study.json",
             nlohmann::json{{"format", "qflow-study"}, {"runs", configs},
                            {"options", {{"real", "/pairs"}, {"width_mult", 0.25}, {"data", "photos"}, {"size", "128x128"},
                                         {"steps", 10}, {"finetune_steps", 10}, {"export_size", "128x128"},
                                         {"multipliers", 1024}}}}.dump());
  const StudyTable t = collect_study(dir);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0]["epe_val_integer"].get<double>(), 2.6);
  EXPECT_TRUE(t.rows[0]["pareto"].get<bool>());
  EXPECT_FALSE(t.rows[1]["pareto"].get<bool>());
  ASSERT_EQ(t.missing.size(), 2u);
  EXPECT_EQ(t.missing[0], "w2a2: stopped in train.log: qflow-train: error: out of memory");
  EXPECT_EQ(t.missing[1], "w4a4: not started");
  write_study_report(dir, t);
  std::ifstream csv(dir / "report.csv");
  std::string header, first;
  std::getline(csv, header);
  std::getline(csv, first);
  EXPECT_EQ(header.substr(0, 35), "name,net,w_bits,a_bits,ranges,steps");
  EXPECT_EQ(first.substr(0, 27), "w8a8,flownetq,8,8,fixed,10,");
  EXPECT_EQ(read_json(dir / "report.json")["rows"].size(), 2u);
}

TEST(StudyReport, RefusesAFolderThatIsNotAStudy) {
  const fs::path dir = fs::temp_directory_path() / "qflow_not_a_study";
  fs::create_directories(dir);
  EXPECT_THROW(collect_study(dir), PlanError);
  write_text(dir / "study.json", "{\"format\": \"other\"}");
  EXPECT_THROW(collect_study(dir), PlanError);
}

}  // namespace
}  // namespace qflow::study
