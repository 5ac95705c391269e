#include "cli/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace xsector {

Progress::Progress(std::string label, std::int64_t total, bool quiet, int log_step_percent)
    : label_(std::move(label)),
      total_(total),
      terminal_(isatty(STDERR_FILENO) != 0),
      step_percent_(log_step_percent),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  enabled_ = !quiet && total > 0 && (terminal_ || step_percent_ > 0);
}

void Progress::update(std::int64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
  const int percent = static_cast<int>(100 * done / total_);
  if (terminal_) {
    if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    constexpr int width = 30;
    const int filled = static_cast<int>(width * done / total_);
    std::fprintf(stderr, "\r%s [%.*s%*s] %lld/%lld  %.1f/s  ETA %.0fs ", label_.c_str(), filled,
                 "##############################", width - filled, "", static_cast<long long>(done),
                 static_cast<long long>(total_), rate, eta);
  } else if (percent / step_percent_ > last_percent_ / step_percent_ || last_percent_ < 0) {
    std::fprintf(stderr, "%s %d%% (%lld/%lld, %.1f/s, ETA %.0fs)\n", label_.c_str(), percent,
                 static_cast<long long>(done), static_cast<long long>(total_), rate, eta);
  }
  last_percent_ = percent;
}

void Progress::finish() {
  if (enabled_ && terminal_) std::fputc('\n', stderr);
}

}  // namespace xsector
