// Writes small valid results files with the writer API, as seeds for fuzz_output:
//   make_output_seeds DIR
// run.h5       one finished run of 2 ticks (what `xsector run` writes)
// sweep.h5     a sweep of 3 runs over two swept parameters (a real and a string), run 1
//              not written and no end_time (an interrupted sweep, what --resume reads)
// snapshot.h5  one run with a 3-agent snapshot group
#include <cstdio>
#include <filesystem>
#include <string>

#include "output/results_file.hpp"
#include "scenario/scenario.hpp"

using namespace xsector;

namespace {

FileHeader header_for(const std::string& kind, std::int64_t ticks) {
  const Scenario s = default_scenario();
  FileHeader h;
  h.kind = kind;
  h.program_version = "fuzz-seed";
  h.scenario_name = "seed";
  h.scenario_toml = "[simulation]\nyears = 1\n";
  h.resolved_parameters = resolved_parameters_toml(s);
  h.scenario_digest = "0123456789abcdef";
  h.overrides = {"simulation.seed=7"};
  h.command_line = "xsector " + kind + " seed.toml";
  h.start_time = "2024-01-01T00:00:00Z";
  h.threads = 1;
  h.ticks = ticks;
  h.ticks_per_year = 2;
  return h;
}

RunSeries series_of(std::size_t ticks, double base) {
  RunSeries series(ticks);
  for (auto& values : series.values)
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = base + static_cast<double>(i);
  return series;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_output_seeds DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  for (const char* name : {"run.h5", "sweep.h5", "snapshot.h5"}) std::filesystem::remove(dir / name);

  {
    FileHeader h = header_for("run", 2);
    h.runs.push_back({0, 0, 11, {}});
    ResultsWriter w = ResultsWriter::create((dir / "run.h5").string(), h);
    w.write_run(0, series_of(2, 1.0), 0.5);
    w.finish("2024-01-01T00:00:01Z");
  }
  {
    FileHeader h = header_for("sweep", 2);
    h.swept_paths = {"foundation.public_share", "foundation.public_channel"};
    h.runs.push_back({0, 0, 21, {0.0, std::string("grant")}});
    h.runs.push_back({1, 0, 22, {0.5, std::string("voucher")}});
    h.runs.push_back({1, 1, 23, {0.5, std::string("voucher")}});
    ResultsWriter w = ResultsWriter::create((dir / "sweep.h5").string(), h);
    w.write_run(0, series_of(2, 2.0), 0.25);
    w.write_run(2, series_of(2, 3.0), 0.75);
    // no finish(): end_time stays empty and run 1 is missing, as after an interruption
  }
  {
    FileHeader h = header_for("run", 1);
    h.runs.push_back({0, 0, 31, {}});
    ResultsWriter w = ResultsWriter::create((dir / "snapshot.h5").string(), h);
    w.write_run(0, series_of(1, 4.0), 0.1);
    AgentSnapshot s;
    s.sector = {0, 1, 4};
    s.budget = {1.0, 2.0, 0.0};
    s.capacity = {0.1, 0.2, 0.3};
    s.mindset = {0.5, 0.5, 0.5};
    s.funds = {0.0, 1.0, 2.0};
    s.toolkit = {0, 1, 0};
    s.degree = {1, 2, 1};
    w.write_snapshot(s);
    w.finish("2024-01-01T00:00:02Z");
  }
  std::printf("wrote run.h5, sweep.h5, snapshot.h5 in %s\n", dir.string().c_str());
  return 0;
}
