#pragma once
// A progress bar on stderr with rate and ETA when stderr is a terminal. When it is not,
// either nothing (a single run) or one line per `step_percent` percent (a sweep, whose
// batch-job log should show it is alive without growing long).
#include <chrono>
#include <cstdint>
#include <string>

namespace xsector {

class Progress {
 public:
  Progress(std::string label, std::int64_t total, bool quiet, int log_step_percent = 0);
  void update(std::int64_t done);
  void finish();

 private:
  std::string label_;
  std::int64_t total_;
  bool enabled_, terminal_;
  int step_percent_, last_percent_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace xsector
