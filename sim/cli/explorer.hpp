#pragma once
// The scenario explorer behind `xsector serve`: the library of base scenarios, requests
// from the page turned into paired comparisons (cli/comparison.hpp, exactly `xsector
// compare`), a queue that runs them one at a time, and their results as JSON. No HTTP
// here (serve_command.cpp), so that every answer is a status code and a body.
//
// Safe by construction: a request names a base scenario of the library (never a path) and
// interventions; the arm is the base's TOML text with the interventions appended as
// [[intervention]] tables and parsed by parse_scenario, the scenario files' own validation,
// so a bad value is refused with the message `xsector run` would print. Work per request
// and the number of waiting runs are bounded; files are written only into the output
// folder, under names made from the run's number.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "scenario/scenario.hpp"

namespace xsector {

struct ExplorerLimits {
  // agents × ticks × replicates × 2 arms of one request: 2e8 is about 23 times the
  // baseline region at 20 replicates (8.7e6), some 20 s on 2 cores.
  double max_agent_ticks = 2e8;
  std::int64_t max_replicates = 100000;  // as compare's --replicates
  std::size_t max_waiting = 4;           // runs queued or running; more are refused (429)
  std::size_t kept_runs = 50;            // older runs and their files are forgotten
  std::size_t max_interventions = 12;
};

// A base scenario the page offers: a single-run scenario file of the library folder.
struct LibraryScenario {
  std::string name;  // file stem
  Scenario scenario;
  double agents = 0;
};

// The scenario files of `folder` that load and have no [sweep] table, by name; a file that
// does not load is skipped with a line on `notes`.
std::vector<LibraryScenario> load_library(const std::filesystem::path& folder, std::ostream& notes);

// A reply: HTTP status and JSON body.
struct ExplorerReply {
  int status = 200;
  std::string body;
};

class Explorer {
 public:
  Explorer(std::vector<LibraryScenario> library, std::filesystem::path output_folder, ExplorerLimits limits,
           int threads);
  ~Explorer();  // finishes the run in progress, drops the queue
  Explorer(const Explorer&) = delete;
  Explorer& operator=(const Explorer&) = delete;

  // The base scenarios, the six interventions' keys with their ranges (parameter table),
  // and the limits: what the page builds its controls from.
  std::string library_json() const;
  // The model parameter table (`xsector params`) as JSON.
  static std::string parameters_json();

  // POST /api/runs: 202 {"id"}, 400 bad request (the CLI's message), 413 too much work,
  // 429 too many runs waiting.
  ExplorerReply submit(const std::string& body);
  // GET /api/runs/ID: state, progress, and the results once done; 404 for an unknown ID.
  ExplorerReply run_status(std::int64_t id) const;
  // A file of run `id`: "results.h5", "arm.toml" or "base.toml", with the name a download
  // should take; nothing for an unknown run or file, or a run not done.
  struct Download {
    std::filesystem::path path;
    std::string filename, content_type;
  };
  std::optional<Download> download(std::int64_t id, const std::string& which) const;

  const std::filesystem::path& output_folder() const { return output_; }

 private:
  struct Job;
  void work();
  void run_job(Job& job);
  std::filesystem::path file_of(std::int64_t id, const char* suffix) const;

  std::vector<LibraryScenario> library_;
  std::filesystem::path output_;
  ExplorerLimits limits_;
  int threads_;

  mutable std::mutex mutex_;  // guards everything below and every Job's state
  std::condition_variable wake_;
  std::map<std::int64_t, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::int64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread worker_;  // last: starts once the rest exists
};

}  // namespace xsector
