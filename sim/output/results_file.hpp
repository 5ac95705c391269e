#pragma once
// The HDF5 results file of docs/OUTPUT.md. One layout for a single run and for a sweep:
// the `run` axis is allocated in full at creation and runs are written by index as they
// finish, each flushed with its `done` flag, so that sweeps, resume, shards and MPI
// writers share one format.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/metrics.hpp"
#include "scenario/scenario.hpp"

namespace xsector {

struct World;

inline constexpr int kFormatVersion = 1;
// Swept parameter `a.b` is stored as dataset "param:a.b" along `run`.
inline constexpr std::string_view kParamPrefix = "param:";

// The coordinates of one run along the `run` axis.
struct RunCoordinates {
  std::int64_t point = 0, replicate = 0;
  std::uint64_t seed = 0;
  std::vector<ScalarValue> swept_values;  // one per FileHeader::swept_paths
};

struct FileHeader {
  std::string kind = "run";  // "run", "sweep" or "comparison"
  std::string program_version, scenario_name, scenario_toml, resolved_parameters, scenario_digest;
  std::vector<std::string> overrides;
  std::string command_line, start_time;
  int threads = 1;
  std::int64_t ticks = 0, ticks_per_year = 1;
  std::vector<std::string> swept_paths;  // dataset "param:<path>" each
  std::vector<RunCoordinates> runs;      // index = run index
  std::string shard;  // "K/N" for the file of `sweep --shard K/N` (root attribute `shard`); empty otherwise
  // Block pairs of the generated network whose tie probability is capped at 1, so that
  // degrees fall short of network.mean_degree (MODEL.md 5), described; empty when none.
  std::vector<std::string> sbm_capped_blocks;
  // A comparison's arms (`xsector compare`), in order: name (the swept value of "arm"), the
  // scenario file's text, and its parameters after overrides. Empty for runs and sweeps.
  std::vector<std::string> arm_names, arm_scenarios, arm_parameters;
};

// Per-agent final state (MODEL.md 8, `output.snapshots`), written to group /snapshot.
struct AgentSnapshot {
  std::vector<std::uint8_t> sector;  // Sector as integer
  std::vector<double> budget, capacity, mindset, funds;
  std::vector<std::uint8_t> toolkit;
  std::vector<std::int64_t> degree;
};

// The snapshot of a run's world as it is now (its final state, when the run is over).
AgentSnapshot snapshot_of(const World& world);

// What `info`, `--resume` and `merge` need from an existing file.
struct FileSummary {
  FileHeader header;
  int format_version = kFormatVersion;
  std::string end_time;       // empty if the writer did not finish
  std::vector<std::uint8_t> done;  // per run
  std::vector<double> wall_time;   // per run
};

// True if another process holds the writer lock on `path` (ResultsWriter takes it for as
// long as it writes): a live sweep is writing the file, so it must not be replaced.
bool being_written_by_another_process(const std::string& path);

// True if a writer was killed with the file open: its "open for writing" mark is set and no
// live process holds the writer lock. Plain HDF5 readers (h5py, xarray without swmr) refuse
// such a file; repair_file() clears the mark.
bool left_by_killed_writer(const std::string& path);
// Clears a killed writer's mark (and repairs the end-of-file address) by opening the file
// as a writer and closing it, as --resume does first; the runs and done flags stay as they
// are. Throws OutputError while another process writes the file.
void repair_file(const std::string& path);

class ResultsWriter {
 public:
  // Creates a new file at `path` (fails if it exists) with every dataset allocated.
  static ResultsWriter create(const std::string& path, const FileHeader& header);
  // Opens an existing file for writing more runs (resume, merge).
  static ResultsWriter open_existing(const std::string& path);
  ResultsWriter(ResultsWriter&&) noexcept;
  ResultsWriter& operator=(ResultsWriter&&) noexcept;
  ~ResultsWriter();

  // Writes every metric of run `run`, then its wall time and done flag, then flushes.
  void write_run(std::size_t run, const RunSeries& series, double wall_seconds);
  void write_snapshot(const AgentSnapshot& snapshot);
  // Writes end_time and closes; the destructor closes without it.
  void finish(const std::string& end_time);

 private:
  struct Impl;
  explicit ResultsWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One dataset of a file as `xsector info` lists it: root datasets, then "snapshot/<name>".
struct VariableInfo {
  std::string name;
  std::vector<std::string> dims;    // dimension scale names, one per axis
  std::vector<std::uint64_t> shape;
  std::string units, long_name;     // empty when the dataset has none
};

// Bytes a results file takes on disk, within a few percent: every metric chunk is
// allocated when the file is created (docs/OUTPUT.md). For `sweep --dry-run` and for
// checking free space before a sweep.
std::uint64_t estimated_file_size(std::size_t runs, std::int64_t ticks, std::size_t swept_parameters = 0);

// Readers. Each opens the file read-only (also while a writer is active, or after a writer
// was killed) and throws OutputError naming the path and what failed.
FileSummary read_summary(const std::string& path);
RunSeries read_run(const std::string& path, std::size_t run);
std::optional<AgentSnapshot> read_snapshot(const std::string& path);  // nullopt: none written
std::vector<VariableInfo> list_variables(const std::string& path);    // in creation order

}  // namespace xsector
