// A campaign's pieces: Wilson intervals, the outcome of a trial, and the draw (repeatable, within
// each site's bounds, its specs read back as drawn).
#include <gtest/gtest.h>

#include "arch/folding_model.hpp"
#include "fault_campaign.hpp"
#include "gen/random_package.hpp"

namespace qflow::sim {
namespace {

TEST(FaultCampaign, WilsonIntervalsMatchTheirFormula) {
  const Interval none = wilson_interval(0, 10), half = wilson_interval(5, 10), all = wilson_interval(20, 20);
  EXPECT_DOUBLE_EQ(none.low, 0);
  EXPECT_NEAR(none.high, 0.2775, 1e-4);
  EXPECT_NEAR(half.low, 0.2366, 1e-4);
  EXPECT_NEAR(half.high, 0.7634, 1e-4);
  EXPECT_NEAR(all.low, 0.8389, 1e-4);
  EXPECT_DOUBLE_EQ(all.high, 1);
}

TEST(FaultCampaign, OutcomesFollowTheFlowAndTheFailure) {
  EXPECT_EQ(classify_flow({1, 2, 3}, {1, 2, 3}, 0, 0.1).outcome, Outcome::Masked);
  EXPECT_EQ(classify_flow({1, 2, 3}, {1, 2, 4}, 0.05, 0.1).outcome, Outcome::Tolerable);
  EXPECT_EQ(classify_flow({1, 2, 3}, {1, 2, 9}, 0.5, 0.1).outcome, Outcome::Silent);
  EXPECT_EQ(classify_failure("frame 3: the accelerator reports an error: a DMA read from DRAM failed"), Outcome::Detected);
  EXPECT_EQ(classify_failure("memory error detected in layer 'conv3''s weight ROM"), Outcome::Detected);
  EXPECT_EQ(classify_failure("frame 2: no interrupt within 5 ms of simulated time"), Outcome::Hang);
}

TEST(FaultCampaign, TheDrawIsRepeatableAndStaysWithinEverySite) {
  const RandomPackage r = make_random_package({0.125, 64, 64, 8, 8}, 7);
  const RunPlan plan(r.package, default_arch_config(r.package, 256));
  const std::vector<FaultSite> sites = parse_sites("rom,line,fifo,acc,csr");
  const std::vector<Fault> a = draw_faults(plan, 50000, sites, 2, 300, 9), b = draw_faults(plan, 50000, sites, 2, 300, 9);
  ASSERT_EQ(a.size(), 300u);
  std::map<FaultSite, int> seen;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(fault_spec(a[i]), fault_spec(b[i]));
    EXPECT_EQ(fault_spec(parse_fault(fault_spec(a[i]))), fault_spec(a[i]));
    EXPECT_LT(a[i].cycle, 50000);
    EXPECT_EQ(a[i].burst, 2);
    ++seen[a[i].site];
  }
  EXPECT_EQ(seen.size(), 5u);  // every site drawn
  EXPECT_NE(fault_spec(draw_faults(plan, 50000, sites, 1, 1, 10)[0]), fault_spec(draw_faults(plan, 50000, sites, 1, 1, 9)[0]));
}

TEST(FaultCampaign, RefusesAnUnknownSite) { EXPECT_THROW(parse_sites("rom,bram"), FaultError); }

}  // namespace
}  // namespace qflow::sim
