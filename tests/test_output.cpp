// The HDF5 results file (docs/OUTPUT.md): round trips, atomic output, bad files, and a
// writer killed with SIGKILL at random moments.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "core/errors.hpp"
#include "output/atomic_output.hpp"
#include "output/crash_guard.hpp"
#include "output/info.hpp"
#include "output/results_file.hpp"

// libhdf5 writes through pwrite. This definition takes the place of libc's for the whole
// test binary; it only counts down when a test arms it (in a child process), and ends the
// process just before the write that would take the count below zero: a kill between two
// of HDF5's writes, at a point chosen exactly (FinishKilledBeforeEachOfItsWrites...).
namespace {
std::atomic<long> g_writes_until_exit{-1};  // -1: not armed
}
extern "C" ssize_t pwrite(int fd, const void* buffer, size_t count, off_t offset) {
  if (g_writes_until_exit.load() >= 0 && g_writes_until_exit.fetch_sub(1) == 0) ::_exit(99);
  return ::syscall(SYS_pwrite64, fd, buffer, count, offset);
}

namespace xsector {
namespace {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A fresh folder per test, removed afterwards.
class OutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("xsector-output-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

// `runs` runs (points of 2 replicates) with one numeric and one string swept parameter.
FileHeader sample_header(std::size_t runs = 3, std::int64_t ticks = 24) {
  FileHeader h;
  h.kind = "sweep";
  h.program_version = "0.1.0+test";
  h.scenario_name = "baseline";
  h.scenario_toml = "[simulation]\nyears = 2\n";
  h.resolved_parameters = "[simulation]\nyears = 2\nticks_per_year = 12\n";
  h.scenario_digest = "abc123";
  h.overrides = {"simulation.years=2", "foundation.public_share=0.25"};
  h.command_line = "xsector sweep baseline.toml -o out.h5";
  h.start_time = "2024-05-01T12:00:00Z";
  h.threads = 2;
  h.ticks = ticks;
  h.ticks_per_year = 12;
  h.swept_paths = {"foundation.public_share", "market.channel"};
  for (std::size_t r = 0; r < runs; ++r) {
    RunCoordinates c;
    c.point = static_cast<std::int64_t>(r / 2);
    c.replicate = static_cast<std::int64_t>(r % 2);
    c.seed = 0xfedcba9876543210ULL + r;  // above 2^63: checks the unsigned type
    c.swept_values = {0.1 * static_cast<double>(r), std::string(r % 2 ? "vouchers" : "grants")};
    h.runs.push_back(c);
  }
  return h;
}

// Known values that use every mantissa bit, plus the awkward ones (-0, subnormal, huge,
// NaN), so that "bit-identical" means something.
RunSeries sample_series(std::size_t run, std::size_t ticks) {
  RunSeries s(ticks);
  std::mt19937_64 bits(1000 + run);
  for (auto& values : s.values)
    for (double& v : values) v = (static_cast<double>(bits() >> 11) * 0x1.0p-53 - 0.5) * 1e6;
  s.at(support_spending, 0, 0) = -0.0;
  s.at(support_spending, 0, 1) = 1e-310;
  s.at(support_spending, 0, 2) = std::numeric_limits<double>::max();
  s.at(public_support_share, 1) = kNaN;  // the metric's "nothing was spent"
  return s;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Every value of every metric, bit for bit; names the first difference.
::testing::AssertionResult series_equal(const RunSeries& expected, const RunSeries& actual) {
  if (expected.ticks != actual.ticks) return ::testing::AssertionFailure() << "tick counts differ";
  for (int m = 0; m < kMetricCount; ++m) {
    if (expected.values[m].size() != actual.values[m].size())
      return ::testing::AssertionFailure() << kMetrics[m].name << ": sizes differ";
    for (std::size_t i = 0; i < expected.values[m].size(); ++i)
      if (!same_bits(expected.values[m][i], actual.values[m][i]))
        return ::testing::AssertionFailure() << kMetrics[m].name << "[" << i << "]: wrote " << expected.values[m][i]
                                             << ", read " << actual.values[m][i];
  }
  return ::testing::AssertionSuccess();
}

bool all_nan(const RunSeries& s) {
  for (const auto& values : s.values)
    for (double v : values)
      if (!std::isnan(v)) return false;
  return true;
}

AgentSnapshot sample_snapshot() {
  AgentSnapshot s;
  s.sector = {0, 1, 2, 3, 4, 2};
  s.budget = {1e5, 2e4, 0.0, 3.5e6, 1e7, 12.5};
  s.capacity = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
  s.mindset = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4};
  s.funds = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
  s.toolkit = {1, 0, 1, 0, 0, 1};
  s.degree = {3, 1, 4, 1, 5, 9};
  return s;
}

// Writes runs 2 and 0 of the sample header (run 1 stays unwritten) and finishes.
void write_sample_file(const std::string& path, bool with_snapshot) {
  const FileHeader header = sample_header();
  auto writer = ResultsWriter::create(path, header);
  writer.write_run(2, sample_series(2, header.ticks), 1.5);
  writer.write_run(0, sample_series(0, header.ticks), 0.25);
  if (with_snapshot) writer.write_snapshot(sample_snapshot());
  writer.finish("2024-05-01T12:00:03Z");
}

void expect_header_equal(const FileHeader& a, const FileHeader& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.program_version, b.program_version);
  EXPECT_EQ(a.scenario_name, b.scenario_name);
  EXPECT_EQ(a.scenario_toml, b.scenario_toml);
  EXPECT_EQ(a.resolved_parameters, b.resolved_parameters);
  EXPECT_EQ(a.scenario_digest, b.scenario_digest);
  EXPECT_EQ(a.overrides, b.overrides);
  EXPECT_EQ(a.command_line, b.command_line);
  EXPECT_EQ(a.start_time, b.start_time);
  EXPECT_EQ(a.threads, b.threads);
  EXPECT_EQ(a.ticks, b.ticks);
  EXPECT_EQ(a.ticks_per_year, b.ticks_per_year);
  EXPECT_EQ(a.swept_paths, b.swept_paths);
  ASSERT_EQ(a.runs.size(), b.runs.size());
  for (std::size_t r = 0; r < a.runs.size(); ++r) {
    EXPECT_EQ(a.runs[r].point, b.runs[r].point) << "run " << r;
    EXPECT_EQ(a.runs[r].replicate, b.runs[r].replicate) << "run " << r;
    EXPECT_EQ(a.runs[r].seed, b.runs[r].seed) << "run " << r;
    EXPECT_EQ(a.runs[r].swept_values, b.runs[r].swept_values) << "run " << r;
  }
}

// Expects `f` to throw OutputError whose message contains every one of `parts`.
template <class F>
void expect_output_error(F&& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no OutputError";
  } catch (const OutputError& e) {
    for (const auto& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

// ------------------------------------------------------------------------------------

TEST_F(OutputTest, RoundTripsHeaderAndRunsBitForBit) {
  const std::string path = file("out.h5");
  write_sample_file(path, false);
  const FileHeader header = sample_header();

  const FileSummary summary = read_summary(path);
  expect_header_equal(header, summary.header);
  EXPECT_EQ(summary.format_version, kFormatVersion);
  EXPECT_EQ(summary.end_time, "2024-05-01T12:00:03Z");
  EXPECT_EQ(summary.done, (std::vector<std::uint8_t>{1, 0, 1}));
  ASSERT_EQ(summary.wall_time.size(), 3u);
  EXPECT_EQ(summary.wall_time[0], 0.25);
  EXPECT_TRUE(std::isnan(summary.wall_time[1]));
  EXPECT_EQ(summary.wall_time[2], 1.5);

  EXPECT_TRUE(series_equal(sample_series(0, header.ticks), read_run(path, 0)));
  EXPECT_TRUE(series_equal(sample_series(2, header.ticks), read_run(path, 2)));
  EXPECT_TRUE(all_nan(read_run(path, 1))) << "an unwritten run reads as NaN";
  expect_output_error([&] { read_run(path, 3); }, {path, "run 3"});
  EXPECT_FALSE(read_snapshot(path).has_value());
}

TEST_F(OutputTest, SingleRunWithoutSweepOrOverrides) {
  const std::string path = file("run.h5");
  FileHeader header = sample_header(1);
  header.kind = "run";
  header.overrides.clear();
  header.swept_paths.clear();
  header.runs[0].swept_values.clear();
  auto writer = ResultsWriter::create(path, header);
  writer.write_run(0, sample_series(0, header.ticks), 0.5);
  writer.finish("end");
  const FileSummary summary = read_summary(path);
  expect_header_equal(header, summary.header);
  EXPECT_EQ(summary.done, std::vector<std::uint8_t>{1});
  EXPECT_TRUE(series_equal(sample_series(0, header.ticks), read_run(path, 0)));
}

TEST_F(OutputTest, SweptIntegersAndBooleansKeepTheirType) {
  const std::string path = file("types.h5");
  FileHeader header = sample_header(2);
  header.swept_paths = {"population.size", "toolkit.enabled", "mixed.value"};
  header.runs[0].swept_values = {std::int64_t{1000}, true, std::int64_t{1}};
  header.runs[1].swept_values = {std::int64_t{2000}, false, 2.5};
  ResultsWriter::create(path, header).finish("end");
  const auto runs = read_summary(path).header.runs;
  EXPECT_EQ(runs[0].swept_values, (std::vector<ScalarValue>{std::int64_t{1000}, true, 1.0}));
  EXPECT_EQ(runs[1].swept_values, (std::vector<ScalarValue>{std::int64_t{2000}, false, 2.5}));
}

TEST_F(OutputTest, RefusesBadHeadersAndRuns) {
  const std::string path = file("bad.h5");
  FileHeader no_runs = sample_header(0);
  expect_output_error([&] { ResultsWriter::create(path, no_runs); }, {path, "at least one run"});
  FileHeader mixed = sample_header(2);
  mixed.runs[1].swept_values[1] = 3.0;
  expect_output_error([&] { ResultsWriter::create(path, mixed); }, {"market.channel", "mixes strings and numbers"});
  EXPECT_FALSE(fs::exists(path)) << "a failed create leaves no file";

  auto writer = ResultsWriter::create(path, sample_header());
  expect_output_error([&] { writer.write_run(3, sample_series(3, 24), 1.0); }, {"run 3"});
  expect_output_error([&] { writer.write_run(0, sample_series(0, 12), 1.0); }, {"12 ticks"});
  expect_output_error([&] { ResultsWriter::create(path, sample_header()); }, {path, "already exists"});
  const std::string nowhere = file("no/such/folder/out.h5");
  expect_output_error([&] { ResultsWriter::create(nowhere, sample_header()); },
                      {nowhere + ": cannot create it for writing", "No such file"});
}

TEST_F(OutputTest, ReadersSeeFinishedRunsWhileTheWriterIsOpen) {
  const std::string path = file("live.h5");
  auto writer = ResultsWriter::create(path, sample_header());
  writer.write_run(1, sample_series(1, 24), 2.0);
  const FileSummary summary = read_summary(path);
  EXPECT_EQ(summary.done, (std::vector<std::uint8_t>{0, 1, 0}));
  EXPECT_EQ(summary.end_time, "");
  EXPECT_TRUE(series_equal(sample_series(1, 24), read_run(path, 1)));
}

TEST_F(OutputTest, SecondWriterIsRefused) {
  const std::string path = file("locked.h5");
  auto writer = ResultsWriter::create(path, sample_header());
  expect_output_error([&] { ResultsWriter::open_existing(path); }, {path, "another xsector process"});
  writer.finish("end");
  EXPECT_NO_THROW(ResultsWriter::open_existing(path).finish("end again"));
}

TEST_F(OutputTest, OpenExistingWritesTheRemainingRun) {
  const std::string path = file("resume.h5");
  write_sample_file(path, false);
  {
    auto writer = ResultsWriter::open_existing(path);
    writer.write_run(1, sample_series(1, 24), 3.0);
    writer.finish("2024-05-01T13:00:00Z");
  }
  const FileSummary summary = read_summary(path);
  EXPECT_EQ(summary.done, (std::vector<std::uint8_t>{1, 1, 1}));
  EXPECT_EQ(summary.end_time, "2024-05-01T13:00:00Z");
  expect_header_equal(sample_header(), summary.header);
  for (std::size_t r = 0; r < 3; ++r) EXPECT_TRUE(series_equal(sample_series(r, 24), read_run(path, r))) << r;
}

TEST_F(OutputTest, SnapshotRoundTrips) {
  const std::string path = file("snapshot.h5");
  write_sample_file(path, true);
  const auto snapshot = read_snapshot(path);
  ASSERT_TRUE(snapshot.has_value());
  const AgentSnapshot expected = sample_snapshot();
  EXPECT_EQ(snapshot->sector, expected.sector);
  EXPECT_EQ(snapshot->budget, expected.budget);
  EXPECT_EQ(snapshot->capacity, expected.capacity);
  EXPECT_EQ(snapshot->mindset, expected.mindset);
  EXPECT_EQ(snapshot->funds, expected.funds);
  EXPECT_EQ(snapshot->toolkit, expected.toolkit);
  EXPECT_EQ(snapshot->degree, expected.degree);
  // Runs written before the snapshot are intact and the file is still resumable.
  EXPECT_TRUE(series_equal(sample_series(2, 24), read_run(path, 2)));
}

// The dimension scales are written as attributes directly (ScaleAttachments); HDF5's own
// dimension-scale library must read them as attached, from both sides: H5DSget_num_scales
// and H5DSiterate_scales read a dataset's DIMENSION_LIST, H5DSis_attached also the scale's
// REFERENCE_LIST.
namespace {
struct ScaleCheck {
  int datasets = 0, axes = 0;
  std::vector<std::string> problems;
};

herr_t check_scales_of(hid_t group, const char* name, const H5L_info_t*, void* data) {
  auto& check = *static_cast<ScaleCheck*>(data);
  H5O_info_t info;
  if (H5Oget_info_by_name2(group, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0 || info.type != H5O_TYPE_DATASET)
    return 0;
  const hid_t dataset = H5Dopen2(group, name, H5P_DEFAULT);
  if (H5DSis_scale(dataset) <= 0) {
    ++check.datasets;
    const hid_t space = H5Dget_space(dataset);
    const int rank = H5Sget_simple_extent_ndims(space);
    H5Sclose(space);
    for (int axis = 0; axis < rank; ++axis) {
      ++check.axes;
      if (H5DSget_num_scales(dataset, static_cast<unsigned>(axis)) != 1) {
        check.problems.push_back(std::string(name) + " axis " + std::to_string(axis) + ": not one scale");
        continue;
      }
      std::string scale_name;
      const auto visit = [](hid_t, unsigned, hid_t scale, void* out) -> herr_t {
        char buffer[64] = {};
        H5DSget_scale_name(scale, buffer, sizeof buffer);
        *static_cast<std::string*>(out) = buffer;
        return 1;
      };
      int index = 0;
      H5DSiterate_scales(dataset, static_cast<unsigned>(axis), &index, visit, &scale_name);
      const hid_t scale = H5Dopen2(group, scale_name.c_str(), H5P_DEFAULT);
      if (scale < 0 || H5DSis_attached(dataset, scale, static_cast<unsigned>(axis)) <= 0)
        check.problems.push_back(std::string(name) + " axis " + std::to_string(axis) + ": scale '" + scale_name +
                                 "' not attached from both sides");
      const bool metric = std::any_of(kMetrics.begin(), kMetrics.end(), [&](const MetricSpec& m) { return m.name == name; });
      if (metric && axis < 2 && scale_name != (axis == 0 ? "run" : "tick"))
        check.problems.push_back(std::string(name) + " axis " + std::to_string(axis) + " has scale " + scale_name);
      if (scale >= 0) H5Dclose(scale);
    }
  }
  H5Dclose(dataset);
  return 0;
}
}  // namespace

TEST_F(OutputTest, DimensionScalesReadAsAttachedByTheHdf5Library) {
  const std::string path = file("scales.h5");
  write_sample_file(path, true);
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  ScaleCheck check;
  H5Literate(f, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, check_scales_of, &check);
  const hid_t snapshot = H5Gopen2(f, "snapshot", H5P_DEFAULT);
  ASSERT_GE(snapshot, 0);
  H5Literate(snapshot, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, check_scales_of, &check);
  H5Gclose(snapshot);
  H5Fclose(f);
  EXPECT_GT(check.datasets, kMetricCount + 6);  // the metrics, six run/tick coordinates, the snapshot
  EXPECT_GT(check.axes, 2 * kMetricCount);
  EXPECT_TRUE(check.problems.empty()) << check.problems.front() << " (and " << check.problems.size() - 1 << " more)";
}

TEST_F(OutputTest, InfoSummarisesTheFile) {
  const std::string path = file("info.h5");
  write_sample_file(path, true);
  std::ostringstream out;
  print_info(path, out);
  const std::string text = out.str();
  for (const char* part : {"kind:              sweep", "format version:    1", "program version:   0.1.0+test",
                           "scenario:          baseline", "2024-05-01T12:00:03Z", "runs done:         2 / 3",
                           "run 3", "tick 24", "sector 3", "stage 4", "foundation.public_share",
                           "\"vouchers\"", "support_spending", "[run, tick, sector] 3x24x3", "(USD per tick)",
                           "failed_by_stage", "[run, tick, stage]", "snapshot/budget", "  ticks_per_year = 12"})
    EXPECT_NE(text.find(part), std::string::npos) << "missing '" << part << "' in\n" << text;
}

// ------------------------------------------------------------------------------------
// Atomic output

TEST_F(OutputTest, AtomicOutputRefusesToOverwriteWithoutForce) {
  const std::string target = file("OUT.h5");
  std::ofstream(target) << "old";
  expect_output_error([&] { AtomicOutput(target, false); }, {"refusing to overwrite " + target, "--force"});
  EXPECT_TRUE(fs::exists(target));
}

TEST_F(OutputTest, AtomicOutputCommitReplacesWithForce) {
  const std::string target = file("OUT.h5");
  std::ofstream(target) << "old";
  {
    AtomicOutput out(target, true);
    EXPECT_EQ(out.temp_path(), target + ".tmp-" + std::to_string(::getpid()));
    ResultsWriter::create(out.temp_path(), sample_header()).finish("end");
    EXPECT_EQ(read_summary(target + ".tmp-" + std::to_string(::getpid())).end_time, "end");
    out.commit();
    EXPECT_FALSE(fs::exists(out.temp_path()));
  }
  EXPECT_EQ(read_summary(target).end_time, "end");
}

TEST_F(OutputTest, AtomicOutputRemovesTheTemporaryUnlessCommitted) {
  const std::string target = file("OUT.h5");
  std::string temp;
  {
    AtomicOutput out(target, false);
    temp = out.temp_path();
    ResultsWriter::create(temp, sample_header()).finish("end");
    EXPECT_TRUE(fs::exists(temp));
  }
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_FALSE(fs::exists(target));
}

TEST_F(OutputTest, AtomicOutputRefusesAMissingFolder) {
  expect_output_error([&] { AtomicOutput(file("no/such/folder/OUT.h5"), false); }, {"does not exist"});
}

// ------------------------------------------------------------------------------------
// Files that are not (complete) results files

TEST_F(OutputTest, MissingAndNonHdf5FilesGiveClearErrors) {
  expect_output_error([&] { read_summary(file("missing.h5")); }, {"missing.h5", "no such file"});
  std::ofstream(file("text.h5")) << "not hdf5 at all\n";
  expect_output_error([&] { read_summary(file("text.h5")); }, {"text.h5", "not an HDF5 file"});
  std::ofstream{file("empty.h5")};
  expect_output_error([&] { read_summary(file("empty.h5")); }, {"empty.h5", "not an HDF5 file"});
  expect_output_error([&] { ResultsWriter::open_existing(file("text.h5")); }, {"not an HDF5 file"});
  expect_output_error([&] { read_summary(dir_.string()); }, {"folder"});
}

TEST_F(OutputTest, ForeignHdf5FileIsRefused) {
  const std::string path = file("foreign.h5");
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t n = 4;
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t ds = H5Dcreate2(f, "data", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dclose(ds);
  H5Sclose(space);
  H5Fclose(f);
  expect_output_error([&] { read_summary(path); }, {path, "not an xsector results file"});
  expect_output_error([&] { read_run(path, 0); }, {"not an xsector results file"});
  expect_output_error([&] { ResultsWriter::open_existing(path); }, {"not an xsector results file"});
}

TEST_F(OutputTest, NewerFormatVersionIsRefused) {
  const std::string path = file("newer.h5");
  write_sample_file(path, false);
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t attr = H5Aopen(f, "format_version", H5P_DEFAULT);
  const int newer = kFormatVersion + 1;
  H5Awrite(attr, H5T_NATIVE_INT, &newer);
  H5Aclose(attr);
  H5Fclose(f);
  expect_output_error([&] { read_summary(path); }, {path, "version 2", "newer xsector"});
  expect_output_error([&] { ResultsWriter::open_existing(path); }, {"newer xsector"});
}

TEST_F(OutputTest, TruncatedFilesGiveOutputErrorNeverACrash) {
  const std::string path = file("full.h5");
  write_sample_file(path, true);
  const auto size = fs::file_size(path);
  for (std::uintmax_t length : {std::uintmax_t{8}, std::uintmax_t{100}, size / 4, size / 2, size - 100, size - 1}) {
    const std::string cut = file("cut-" + std::to_string(length) + ".h5");
    fs::copy_file(path, cut);
    fs::resize_file(cut, length);
    SCOPED_TRACE("truncated to " + std::to_string(length) + " of " + std::to_string(size) + " bytes");
    expect_output_error([&] { read_summary(cut); }, {cut});
    expect_output_error([&] { read_run(cut, 0); }, {cut});
    expect_output_error([&] { ResultsWriter::open_existing(cut); }, {cut});
  }
}

// ------------------------------------------------------------------------------------
// Killed writers (issue 4: "a sweep killed with SIGKILL at any moment leaves a file that
// opens and holds every run that had finished")

constexpr std::size_t kKillRuns = 40;
constexpr std::int64_t kKillTicks = 240;
constexpr std::uint32_t kCreatedMark = 0xffffffff;

// Knobs for stress runs by hand, e.g. XSECTOR_KILL_ITERATIONS=1000 XSECTOR_KILL_RUNS=300.
std::size_t env_or(const char* name, std::size_t fallback) {
  const char* value = std::getenv(name);
  return value && std::atol(value) > 0 ? static_cast<std::size_t>(std::atol(value)) : fallback;
}
std::size_t kill_runs() { return env_or("XSECTOR_KILL_RUNS", kKillRuns); }
std::int64_t kill_ticks() { return static_cast<std::int64_t>(env_or("XSECTOR_KILL_TICKS", kKillTicks)); }
int kill_iterations() { return static_cast<int>(env_or("XSECTOR_KILL_ITERATIONS", 20)); }

// The child: creates the file, then writes every run in a shuffled order, reporting on
// `report` kCreatedMark once created and each run index once write_run has returned.
[[noreturn]] void kill_child(const std::string& path, int report, unsigned order_seed) {
  try {
    const std::size_t runs = kill_runs();
    auto writer = ResultsWriter::create(path, sample_header(runs, kill_ticks()));
    if (::write(report, &kCreatedMark, sizeof kCreatedMark) != sizeof kCreatedMark) ::_exit(3);
    std::vector<std::uint32_t> order(runs);
    for (std::size_t r = 0; r < runs; ++r) order[r] = static_cast<std::uint32_t>(r);
    std::shuffle(order.begin(), order.end(), std::mt19937(order_seed));
    for (std::uint32_t r : order) {
      writer.write_run(r, sample_series(r, kill_ticks()), 0.5 + r);
      if (::write(report, &r, sizeof r) != sizeof r) ::_exit(3);
    }
    writer.finish("end");
    ::_exit(0);
  } catch (...) {
    ::_exit(2);
  }
}

struct KillReport {
  bool created = false;
  std::set<std::size_t> finished;  // write_run had returned
  bool exited = false;              // the child ran to the end before the kill
  long created_after_us = 0;        // when the parent heard create() had returned
};

// Reads what the child reported so far (the pipe is non-blocking).
void read_reports(int fd, KillReport& report, std::chrono::steady_clock::time_point start) {
  std::uint32_t value;
  while (::read(fd, &value, sizeof value) == sizeof value) {
    if (value != kCreatedMark) {
      report.finished.insert(value);
    } else if (!report.created) {
      report.created = true;
      report.created_after_us =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
    }
  }
}

// Forks a writer and SIGKILLs it `delay` after it started (or, with `after_create`, after
// it reported create() done), unless it has finished by then.
KillReport run_and_kill(const std::string& path, std::chrono::microseconds delay, unsigned seed,
                        bool after_create = false) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    kill_child(path, fds[1], seed);
  }
  ::close(fds[1]);
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  KillReport report;
  int status = 0;
  pid_t reaped = 0;
  const auto deadline = [&] {
    if (!after_create) return start + delay;
    if (!report.created) return std::chrono::steady_clock::time_point::max();
    return start + std::chrono::microseconds(report.created_after_us) + delay;
  };
  while ((reaped = ::waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline()) {
    read_reports(fds[0], report, start);
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  if (reaped == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  read_reports(fds[0], report, start);
  ::close(fds[0]);
  report.exited = WIFEXITED(status);
  return report;
}

TEST_F(OutputTest, WriterKilledAtRandomMomentsLeavesAReadableResumableFile) {
  const std::size_t runs = kill_runs();
  const std::int64_t ticks = kill_ticks();
  // Time create() and one uninterrupted writer. One kill in four lands during create(),
  // the others while runs are written, timed from when the child says create() returned
  // (create takes most of a writer's life, and its time varies with the machine's load).
  using std::chrono::microseconds;
  const auto since = [](auto start) {
    return std::chrono::duration_cast<microseconds>(std::chrono::steady_clock::now() - start).count();
  };
  const auto start = std::chrono::steady_clock::now();
  const KillReport full = run_and_kill(file("timing.h5"), std::chrono::seconds(60), 0);
  ASSERT_TRUE(full.exited && full.finished.size() == runs) << "the uninterrupted writer failed";
  const long create_time = full.created_after_us;
  const long lifetime = std::max(since(start), create_time + 1);

  std::mt19937 random(12345);
  std::uniform_int_distribution<long> while_creating(0, create_time), while_writing(0, lifetime - create_time);
  int killed_creating = 0, killed_mid_sweep = 0, runs_checked = 0;
  for (int i = 0; i < kill_iterations(); ++i) {
    const std::string path = file("kill-" + std::to_string(i) + ".h5");
    const bool in_create = i % 4 == 0;
    const microseconds delay(in_create ? while_creating(random) : while_writing(random));
    const KillReport report = run_and_kill(path, delay, static_cast<unsigned>(i), !in_create);
    SCOPED_TRACE("iteration " + std::to_string(i) + ": killed after " + std::to_string(delay.count()) + " us, " +
                 std::to_string(report.finished.size()) + " runs reported finished");
    if (!report.created) {
      // Killed while creating: no file, or (killed just after publishing it) a complete
      // one with no run done.
      ++killed_creating;
      if (fs::exists(path)) {
        const FileSummary summary = read_summary(path);
        EXPECT_EQ(std::count(summary.done.begin(), summary.done.end(), 1), 0);
        fs::remove(path);
      }
      continue;
    }
    if (!report.exited) ++killed_mid_sweep;

    // Every finished run is there, bit for bit; every run marked done is complete.
    const FileSummary summary = read_summary(path);
    for (std::size_t r : report.finished) EXPECT_EQ(summary.done[r], 1) << "finished run " << r << " lost";
    for (std::size_t r = 0; r < runs; ++r) {
      if (!summary.done[r]) {
        try {  // a run killed half-way reads as whatever got written, or fails cleanly
          read_run(path, r);
        } catch (const OutputError&) {
        }
        continue;
      }
      EXPECT_TRUE(series_equal(sample_series(r, ticks), read_run(path, r))) << "run " << r;
      EXPECT_EQ(summary.wall_time[r], 0.5 + static_cast<double>(r));
      ++runs_checked;
    }

    // Resume: write the missing runs into the same file.
    {
      auto writer = ResultsWriter::open_existing(path);
      for (std::size_t r = 0; r < runs; ++r)
        if (!summary.done[r]) writer.write_run(r, sample_series(r, ticks), 0.5 + static_cast<double>(r));
      writer.finish("resumed");
    }
    const FileSummary resumed = read_summary(path);
    EXPECT_EQ(resumed.end_time, "resumed");
    for (std::size_t r = 0; r < runs; ++r) {
      ASSERT_EQ(resumed.done[r], 1) << "run " << r;
      EXPECT_TRUE(series_equal(sample_series(r, ticks), read_run(path, r))) << "run " << r;
    }
    fs::remove(path);
  }
  RecordProperty("killed_mid_sweep", killed_mid_sweep);
  RecordProperty("runs_checked", runs_checked);
  std::cout << "[ kill test ] create " << create_time << " us, writer lifetime " << lifetime << " us; " << killed_mid_sweep << " of "
            << kill_iterations() << " kills hit an unfinished sweep, " << killed_creating
            << " hit create(); " << runs_checked << " done runs verified\n";
}

// In a forked child: opens `path` for writing, then calls write(writer) with pwrite armed
// to end the process just before HDF5's k-th write from there on (counting from 0).
enum class Ended { before_write_k, never, failed };
template <class Write>
Ended end_before_write(const std::string& path, long k, Write&& write) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      auto writer = ResultsWriter::open_existing(path);
      g_writes_until_exit = k;
      write(writer);
      g_writes_until_exit = -1;
      ::_exit(0);
    } catch (...) {
      ::_exit(2);
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 99)) return Ended::failed;
  return WEXITSTATUS(status) == 99 ? Ended::before_write_k : Ended::never;
}

// finish() rewrites end_time, the one change of metadata after creation. Killed before
// each of its writes in turn (until one child gets through), the file must still read with
// every run done and resume to a finished file. Before read_summary learned to read an
// unreadable end_time of a killed writer's file as "", some of these kills made it throw
// (CI's random kill test hit one in about 900 kills).
TEST_F(OutputTest, FinishKilledBeforeEachOfItsWritesLeavesAResumableFile) {
  const std::size_t runs = 4;
  const FileHeader header = sample_header(runs, 24);
  const std::string pristine = file("pristine.h5");
  {
    auto writer = ResultsWriter::create(pristine, header);
    for (std::size_t r = 0; r < runs; ++r) writer.write_run(r, sample_series(r, header.ticks), 0.5 + double(r));
  }  // closed without end_time, as by an interrupted sweep
  int killed = 0, unfinished = 0;
  for (long k = 0; k < 1000; ++k) {
    SCOPED_TRACE("killed before write " + std::to_string(k) + " of finish()");
    const std::string path = file("finish-" + std::to_string(k) + ".h5");
    fs::copy_file(pristine, path);
    const Ended ended = end_before_write(path, k, [](ResultsWriter& writer) { writer.finish("end"); });
    ASSERT_NE(ended, Ended::failed) << "finish() failed in the child";
    const bool got_through = ended == Ended::never;

    const FileSummary summary = read_summary(path);
    EXPECT_TRUE(summary.end_time.empty() || summary.end_time == "end") << summary.end_time;
    if (summary.end_time.empty()) ++unfinished;
    for (std::size_t r = 0; r < runs; ++r) {
      EXPECT_EQ(summary.done[r], 1) << "run " << r;
      EXPECT_TRUE(series_equal(sample_series(r, header.ticks), read_run(path, r))) << "run " << r;
    }
    if (got_through) {
      EXPECT_EQ(summary.end_time, "end");
      EXPECT_GT(killed, 0) << "finish() wrote nothing";
      break;
    }
    ++killed;
    {
      auto writer = ResultsWriter::open_existing(path);
      writer.finish("resumed");
    }
    EXPECT_EQ(read_summary(path).end_time, "resumed");
    fs::remove(path);
  }
  std::cout << "[ finish kills ] " << killed << " kill points in finish(), " << unfinished
            << " left end_time unreadable or empty\n";
}

// write_run, killed before each of its writes in turn: whatever the point, the file reads,
// the runs written before are intact, and the run being written is either done with all
// its data or not done (never done with data missing), and is completed by a resume.
TEST_F(OutputTest, WriteRunKilledBeforeEachOfItsWritesNeverMarksAnIncompleteRunDone) {
  const std::size_t runs = 3;
  const FileHeader header = sample_header(runs, 24);
  const std::string pristine = file("pristine.h5");
  {
    auto writer = ResultsWriter::create(pristine, header);
    writer.write_run(0, sample_series(0, header.ticks), 0.5);
  }
  int killed = 0, marked_done = 0;
  for (long k = 0; k < 1000; ++k) {
    SCOPED_TRACE("killed before write " + std::to_string(k) + " of write_run()");
    const std::string path = file("run-" + std::to_string(k) + ".h5");
    fs::copy_file(pristine, path);
    const Ended ended = end_before_write(
        path, k, [&](ResultsWriter& writer) { writer.write_run(1, sample_series(1, header.ticks), 1.5); });
    ASSERT_NE(ended, Ended::failed) << "write_run() failed in the child";
    const FileSummary summary = read_summary(path);
    EXPECT_EQ(summary.done[0], 1);
    EXPECT_TRUE(series_equal(sample_series(0, header.ticks), read_run(path, 0)));
    EXPECT_EQ(summary.done[2], 0);
    if (summary.done[1]) {
      ++marked_done;
      EXPECT_TRUE(series_equal(sample_series(1, header.ticks), read_run(path, 1))) << "run 1 done, data missing";
      EXPECT_EQ(summary.wall_time[1], 1.5);
    }
    if (ended == Ended::never) {
      EXPECT_EQ(summary.done[1], 1);
      EXPECT_GT(killed, 0) << "write_run() wrote nothing";
      break;
    }
    ++killed;
    {
      auto writer = ResultsWriter::open_existing(path);
      for (std::size_t r = 1; r < runs; ++r)
        if (!summary.done[r]) writer.write_run(r, sample_series(r, header.ticks), 0.5 + double(r));
      writer.finish("resumed");
    }
    const FileSummary resumed = read_summary(path);
    for (std::size_t r = 0; r < runs; ++r) {
      EXPECT_EQ(resumed.done[r], 1) << "run " << r;
      EXPECT_TRUE(series_equal(sample_series(r, header.ticks), read_run(path, r))) << "run " << r;
    }
    fs::remove(path);
  }
  std::cout << "[ write_run kills ] " << killed << " kill points in write_run(), " << marked_done
            << " of them after the done flag was written\n";
}

// Every chunk is allocated when the file is created, so a disk too small for the sweep is
// found before any run is computed (here a file-size limit, in a child process).
TEST_F(OutputTest, DiskTooSmallIsFoundAtCreation) {
  const std::string path = file("small-disk.h5");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG
    const rlimit limit{200000, 200000};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      ResultsWriter::create(path, sample_header(kKillRuns, kKillTicks));
      ::_exit(1);
    } catch (const OutputError& e) {
      const std::string message = e.what();
      ::_exit(message.find(path + ": ") == 0 && message.find("File too large") != std::string::npos ? 0 : 2);
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: created anyway, 2: unclear message";
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir_)) << "no staging file left behind";
}

TEST_F(OutputTest, EstimatedFileSizeIsClose) {
  for (const auto& [runs, ticks] : {std::pair<std::size_t, std::int64_t>{3, 24}, {200, 120}}) {
    const std::string path = file("size-" + std::to_string(runs) + ".h5");
    ResultsWriter::create(path, sample_header(runs, ticks)).finish("end");
    const double actual = static_cast<double>(fs::file_size(path));
    const double estimate = static_cast<double>(estimated_file_size(runs, ticks, 2));
    EXPECT_NEAR(estimate / actual, 1.0, 0.05) << runs << " runs x " << ticks << " ticks: " << actual << " bytes";
  }
}

// Points every descriptor this process has open on `path` at /dev/full, so that further
// writes fail with ENOSPC as on a full disk (on a copy-on-write file system a full disk
// can still strike after creation).
void fill_the_disk_under(const std::string& path) {
  const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(full, 0);
  struct stat target {};
  ASSERT_EQ(::stat(path.c_str(), &target), 0);
  std::vector<int> descriptors;  // collected first: dup2 must not disturb the listing
  for (const auto& entry : fs::directory_iterator("/proc/self/fd"))
    descriptors.push_back(std::stoi(entry.path().filename().string()));
  int redirected = 0;
  for (int fd : descriptors) {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_dev == target.st_dev && st.st_ino == target.st_ino) {
      ::dup2(full, fd);
      ++redirected;
    }
  }
  ::close(full);
  ASSERT_GT(redirected, 0);
}

// A failed write: a clear OutputError, every run finished before stays readable, and
// resuming completes the file.
TEST_F(OutputTest, FullDiskGivesOutputErrorAndKeepsFinishedRuns) {
  const std::string path = file("full-disk.h5");
  {
    auto writer = ResultsWriter::create(path, sample_header());
    writer.write_run(0, sample_series(0, 24), 1.0);
    fill_the_disk_under(path);
    expect_output_error([&] { writer.write_run(1, sample_series(1, 24), 1.0); },
                        {path + ": ", "No space left on device"});
    expect_output_error([&] { writer.write_run(2, sample_series(2, 24), 1.0); }, {"earlier write failed"});
  }
  const FileSummary summary = read_summary(path);
  EXPECT_EQ(summary.done, (std::vector<std::uint8_t>{1, 0, 0}));
  EXPECT_TRUE(series_equal(sample_series(0, 24), read_run(path, 0)));
  {
    auto writer = ResultsWriter::open_existing(path);
    writer.write_run(1, sample_series(1, 24), 1.0);
    writer.write_run(2, sample_series(2, 24), 1.0);
    writer.finish("after cleanup");
  }
  for (std::size_t r = 0; r < 3; ++r) EXPECT_TRUE(series_equal(sample_series(r, 24), read_run(path, r))) << r;
}

// ------------------------------------------------------------------------------------
// A sample file for checking tests/python/test_output_format.py before the `xsector`
// binary exists: XSECTOR_SAMPLE_OUT=/tmp/sample.h5 test_output --gtest_filter='*Sample*'
// then XSECTOR_SAMPLE_FILE=/tmp/sample.h5 pytest tests/python/test_output_format.py

TEST(SampleFile, WrittenWhenAsked) {
  const char* target = std::getenv("XSECTOR_SAMPLE_OUT");
  if (!target) GTEST_SKIP() << "set XSECTOR_SAMPLE_OUT to write a sample results file";
  fs::remove(target);
  write_sample_file(target, true);
}

// ---- a crash inside libhdf5 (fuzz finding F3) ------------------------------------------

// The guard turns SIGSEGV and SIGBUS into exit 3 with a message naming the file, only
// while it lives; a crash after it is a crash again. (The real libhdf5 crash is the
// `*-hdf5-bug-vlen-string-length` cases of tests/python/test_bad_inputs.py.)
TEST(Hdf5CrashGuard, TurnsACrashWhileReadingIntoExit3NamingTheFile) {
  if (!Hdf5CrashGuard::active()) GTEST_SKIP() << "off under AddressSanitizer, which reports the bad read itself";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        const Hdf5CrashGuard guard("damaged.h5");
        std::raise(SIGSEGV);
      },
      ::testing::ExitedWithCode(3), "error: damaged.h5: the HDF5 library crashed while reading this file");
  EXPECT_EXIT(
      {
        const Hdf5CrashGuard guard("bus.h5");
        std::raise(SIGBUS);
      },
      ::testing::ExitedWithCode(3), "bus.h5: the HDF5 library crashed");
  // A nested guard (open_existing reading through open_for_reading) gives the outer file back.
  EXPECT_EXIT(
      {
        const Hdf5CrashGuard outer("outer.h5");
        { const Hdf5CrashGuard inner("inner.h5"); }
        std::raise(SIGSEGV);
      },
      ::testing::ExitedWithCode(3), "outer.h5: the HDF5");
  EXPECT_EXIT(
      {
        { const Hdf5CrashGuard guard("read.h5"); }
        std::raise(SIGSEGV);
      },
      ::testing::KilledBySignal(SIGSEGV), "");
}

}  // namespace
}  // namespace xsector
