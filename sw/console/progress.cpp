#include "progress.hpp"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>

namespace qflow {

Progress::Progress(std::string label, bool quiet)
    : label_(std::move(label)), quiet_(quiet), terminal_(isatty(fileno(stderr)) != 0) {}

void Progress::update(double fraction, const std::string& detail) {
  if (quiet_) return;
  const int percent = std::min(100, std::max(0, int(fraction * 100.0)));
  if (!terminal_) {
    if (percent / 10 == shown_) return;
    shown_ = percent / 10;
    fmt::print(stderr, "{} {:3d}%{}{}\n", label_, percent, detail.empty() ? "" : " ", detail);
    return;
  }
  // A few redraws a second at most, and every change of the whole percent.
  const auto now = std::chrono::steady_clock::now();
  if (percent == shown_ && percent != 100 && now - last_draw_ < std::chrono::milliseconds(250)) return;
  if (percent == shown_ && percent == 100) return;
  last_draw_ = now;
  shown_ = percent;
  const int filled = percent * 30 / 100;
  fmt::print(stderr, "\r{} [{}{}] {:3d}%{}{}", label_, std::string(size_t(filled), '#'), std::string(size_t(30 - filled), '.'),
             percent, detail.empty() ? "" : " ", detail);
  if (percent == 100) fmt::print(stderr, "\n");
}

}  // namespace qflow
