// A fault-injection campaign on the accelerator model (docs/soft-errors.md): N soft errors drawn
// from a seed, each a trial of its own frame, classified against the fault-free frame, and the
// rates per site and layer with their 95 % Wilson intervals.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch/run_plan.hpp"
#include "faults/fault.hpp"

namespace qflow::sim {

// Where faults are drawn: a site is drawn uniformly among the asked ones (equal trials, equal
// intervals), then a target within it in proportion to its bits (an upset strikes a bit at random),
// then the word or code and the bit, and a cycle within the fault-free frame.
std::vector<Fault> draw_faults(const RunPlan& plan, int64_t frame_cycles, const std::vector<FaultSite>& sites,
                               int burst, int trials, uint64_t seed);
std::vector<FaultSite> parse_sites(const std::string& list);  // "rom,line,fifo,acc,csr"

enum class Outcome { Masked, Tolerable, Silent, Detected, Hang };
const char* outcome_name(Outcome outcome);
Outcome outcome_from_name(const std::string& name);

// A trial's outcome from its flow against the fault-free one (int16 codes of the flow head):
// identical codes are masked; else the mean end-point error between the two flows, in pixels of
// the full-resolution flow, decides between tolerable (below `threshold_px`) and silent corruption.
struct Damage {
  Outcome outcome;
  double epe = 0;
};
Damage classify_flow(const std::vector<int16_t>& golden, const std::vector<int16_t>& trial, double epe,
                     double threshold_px);
// A trial whose frame did not complete: the model's error is a detection, a frame that never
// finishes (no interrupt, a deadlock) a hang.
Outcome classify_failure(const std::string& failure);

// A recorded trial's outcome, its flow's damage judged against `threshold_px` (a report may apply
// another threshold than the run did: the EPE is recorded).
Outcome trial_outcome(const nlohmann::json& trial, double threshold_px);

// The 95 % Wilson score interval of k successes in n trials.
struct Interval {
  double low = 0, high = 0;
};
Interval wilson_interval(int64_t k, int64_t n);

// Trials counted by outcome.
struct Tally {
  int64_t n = 0, counts[5] = {0, 0, 0, 0, 0};
  void add(Outcome o) { ++n, ++counts[int(o)]; }
  int64_t operator[](Outcome o) const { return counts[int(o)]; }
};
// Per site ("rom", "csr", ...), the trials' outcomes judged against `threshold_px`.
std::map<std::string, Tally> tally_by_site(const std::vector<nlohmann::json>& trials, double threshold_px);
// "12.3 % [10.1, 14.8]": k of n, with its 95 % Wilson interval.
std::string rate_with_interval(int64_t k, int64_t n);

// The campaign's report in Markdown from its trials (results/*.jsonl lines) and its campaign.json;
// `chart`: the Markdown of the EPE damage chart (or why there is none).
std::string campaign_report(const nlohmann::json& campaign, const std::vector<nlohmann::json>& trials,
                            const std::string& chart, double threshold_px);

}  // namespace qflow::sim
