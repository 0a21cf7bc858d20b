// Progress of a long command on stderr: a bar redrawn in place on a terminal; anywhere else (a log
// file, a pipe, CI) one line per tenth of the work, so that logs stay readable; nothing when quiet.
#pragma once

#include <chrono>
#include <string>

namespace qflow {

class Progress {
 public:
  Progress(std::string label, bool quiet);
  // fraction in [0, 1]; detail: what to show after the bar (rate, loss, ...)
  void update(double fraction, const std::string& detail = "");

 private:
  std::string label_;
  bool quiet_, terminal_;
  int shown_ = -1;  // terminal: last percent drawn; log: last tenth written
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace qflow
