// The readers of results files: the header and per-run state (read_summary), one run's
// series (read_run), and the list of datasets (list_variables).
#include <hdf5.h>
#include <hdf5_hl.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "output/crash_guard.hpp"
#include "output/file_access.hpp"
#include "output/hdf5_handles.hpp"
#include "output/hdf5_reading.hpp"
#include "output/layout.hpp"
#include "output/results_file.hpp"

namespace xsector {
using namespace hdf5;

namespace {

// Link names of a group in creation order (name order for files that do not track it).
// By index rather than H5Literate, whose callback type differs between HDF5 1.10 and 1.12.
std::vector<std::string> link_names(Path path, hid_t group) {
  H5G_info_t info;
  ok(H5Gget_info(group, &info), path, "list the datasets");
  H5_index_t order = H5_INDEX_CRT_ORDER;
  if (H5Lget_name_by_idx(group, ".", order, H5_ITER_INC, 0, nullptr, 0, H5P_DEFAULT) < 0) order = H5_INDEX_NAME;
  H5Eclear2(H5E_DEFAULT);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = ok(H5Lget_name_by_idx(group, ".", order, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT), path,
                              "list the datasets");
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    ok(H5Lget_name_by_idx(group, ".", order, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT), path,
       "list the datasets");
    name.resize(static_cast<std::size_t>(length));
    names.push_back(std::move(name));
  }
  return names;
}

// An object whose header cannot be opened is damaged: an error naming it, not a dataset
// to skip, or `info` would list the metrics without it and exit 0 (fuzz finding F5).
bool is_dataset(Path path, hid_t loc, const std::string& name) {
  const hid_t object = H5Oopen(loc, name.c_str(), H5P_DEFAULT);
  if (object < 0) fail(path, "object '" + name + "' is damaged");
  const bool dataset = H5Iget_type(object) == H5I_DATASET;
  H5Oclose(object);
  return dataset;
}

herr_t scale_name(hid_t, unsigned, hid_t scale, void* out) {
  char buffer[256] = {0};
  if (H5DSget_scale_name(scale, buffer, sizeof buffer) > 0) *static_cast<std::string*>(out) = buffer;
  return 1;  // the first scale of the axis names it
}

std::vector<std::string> dimension_names(hid_t dataset, std::size_t rank) {
  std::vector<std::string> names(rank);
  if (rank == 1 && H5DSis_scale(dataset) > 0) {  // a dimension scale is its own axis
    char buffer[256] = {0};
    if (H5DSget_scale_name(dataset, buffer, sizeof buffer) > 0) names[0] = buffer;
  }
  for (unsigned axis = 0; axis < rank; ++axis) {
    if (names[axis].empty() && H5DSget_num_scales(dataset, axis) > 0)
      H5DSiterate_scales(dataset, axis, nullptr, scale_name, &names[axis]);
    if (names[axis].empty()) names[axis] = "dim" + std::to_string(axis);
  }
  H5Eclear2(H5E_DEFAULT);
  return names;
}

void list_group(Path path, hid_t group, const std::string& prefix, std::vector<VariableInfo>& out) {
  for (const auto& name : link_names(path, group)) {
    if (!is_dataset(path, group, name)) continue;
    const Handle dataset = open_dataset(path, group, name);
    VariableInfo info;
    info.name = prefix + name;
    for (hsize_t length : dims_of(path, {dataset.get(), false, "dataset '" + info.name + "'"}))
      info.shape.push_back(length);
    info.dims = dimension_names(dataset.get(), info.shape.size());
    info.units = read_optional_string_attribute(path, dataset.get(), "units");
    info.long_name = read_optional_string_attribute(path, dataset.get(), "long_name");
    out.push_back(std::move(info));
  }
}

// Swept values back as the ScalarValue alternatives they were written from.
std::vector<ScalarValue> read_swept_values(Path path, hid_t file, const std::string& swept, std::size_t runs) {
  const std::string name = std::string(kParamPrefix) + swept;
  const Handle dataset = open_dataset(path, file, name);
  const std::string type = read_optional_string_attribute(path, dataset.get(), "value_type");
  const Source source{dataset.get(), false, "dataset '" + name + "'"};
  const auto dims = dims_of(path, source);
  if (dims.size() != 1 || dims[0] != runs)
    throw OutputError(path + ": dataset '" + name + "' should have " + std::to_string(runs) + " elements");
  std::vector<ScalarValue> out;
  const Handle file_type = type_of(path, source);
  if (H5Tget_class(file_type.get()) == H5T_STRING) {
    for (auto& value : read_strings(path, source)) out.emplace_back(std::move(value));
    return out;
  }
  for (double value : read_numbers<double>(path, source, H5T_NATIVE_DOUBLE)) {
    if (type == "integer")
      out.emplace_back(static_cast<std::int64_t>(std::llround(value)));
    else if (type == "boolean")
      out.emplace_back(value != 0.0);
    else
      out.emplace_back(value);
  }
  return out;
}

FileHeader read_header(Path path, hid_t file) {
  FileHeader header;
  header.kind = read_string_attribute(path, file, "kind");
  header.program_version = read_string_attribute(path, file, "program_version");
  header.scenario_name = read_string_attribute(path, file, "scenario_name");
  header.scenario_toml = read_string_attribute(path, file, "scenario_toml");
  header.resolved_parameters = read_string_attribute(path, file, "resolved_parameters");
  header.scenario_digest = read_string_attribute(path, file, "scenario_digest");
  header.overrides = read_strings_attribute(path, file, "overrides");
  header.command_line = read_string_attribute(path, file, "command_line");
  header.start_time = read_string_attribute(path, file, "start_time");
  header.threads = static_cast<int>(read_int_attribute(path, file, "threads"));
  header.ticks_per_year = read_int_attribute(path, file, "ticks_per_year");
  header.swept_paths = read_strings_attribute(path, file, "swept_parameters");
  header.shard = read_optional_string_attribute(path, file, "shard");
  if (has_attribute(file, "sbm_capped_blocks"))  // absent in files of earlier versions
    header.sbm_capped_blocks = read_strings_attribute(path, file, "sbm_capped_blocks");
  if (has_attribute(file, "arms")) {  // a comparison's file only
    header.arm_names = read_strings_attribute(path, file, "arms");
    header.arm_scenarios = read_strings_attribute(path, file, "arm_scenarios");
    header.arm_parameters = read_strings_attribute(path, file, "arm_parameters");
  }

  const std::size_t runs = dimension_length(path, file, kRunDim);
  header.ticks = static_cast<std::int64_t>(dimension_length(path, file, kTickDim));
  const auto points = read_1d<std::int64_t>(path, file, kPoint, H5T_NATIVE_INT64, runs);
  const auto replicates = read_1d<std::int64_t>(path, file, kReplicate, H5T_NATIVE_INT64, runs);
  const auto seeds = read_1d<std::uint64_t>(path, file, kSeed, H5T_NATIVE_UINT64, runs);
  header.runs.resize(runs);
  for (std::size_t r = 0; r < runs; ++r) {
    header.runs[r].point = points[r];
    header.runs[r].replicate = replicates[r];
    header.runs[r].seed = seeds[r];
  }
  for (const auto& swept : header.swept_paths) {
    auto values = read_swept_values(path, file, swept, runs);
    for (std::size_t r = 0; r < runs; ++r) header.runs[r].swept_values.push_back(std::move(values[r]));
  }
  return header;
}

// end_time, or "" for a file whose writer was killed inside finish(): rewriting the
// attribute puts its string in a new heap object at the end of the file, and a kill
// before the superblock's end-of-file address has been flushed past it leaves the
// attribute pointing beyond that address (1 kill in about 900 in the kill test under
// load). Its runs are all there; the file is unfinished, and `--resume` (open_existing
// moves the end-of-file address to the real end) writes end_time again.
std::string read_end_time(Path path, hid_t file) {
  try {
    return read_string_attribute(path, file, "end_time");
  } catch (const OutputError&) {
    if (writer_mark(path) != WriterMark::swmr_writer) throw;
    H5Eclear2(H5E_DEFAULT);
    return "";
  }
}

}  // namespace

FileSummary read_summary(const std::string& path) {
  const Hdf5CrashGuard guard(path);  // libhdf5 may crash on a damaged file
  const Handle file = open_for_reading(path);
  check_format(path, file.get());
  FileSummary summary;
  summary.format_version = static_cast<int>(read_int_attribute(path, file.get(), "format_version"));
  summary.header = read_header(path, file.get());
  summary.end_time = read_end_time(path, file.get());
  const std::size_t runs = summary.header.runs.size();
  summary.done = read_1d<std::uint8_t>(path, file.get(), kDone, H5T_NATIVE_UINT8, runs);
  summary.wall_time = read_1d<double>(path, file.get(), kWallTime, H5T_NATIVE_DOUBLE, runs);
  return summary;
}

RunSeries read_run(const std::string& path, std::size_t run) {
  const Hdf5CrashGuard guard(path);  // libhdf5 may crash on a damaged file
  const Handle file = open_for_reading(path);
  check_format(path, file.get());
  const std::size_t runs = dimension_length(path, file.get(), kRunDim);
  const std::size_t ticks = dimension_length(path, file.get(), kTickDim);
  if (run >= runs)
    throw OutputError(path + ": run " + std::to_string(run) + " does not exist (the file has " +
                      std::to_string(runs) + " runs)");
  RunSeries series(ticks);
  for (int m = 0; m < kMetricCount; ++m) {
    const Handle dataset = open_metric(path, file.get(), kMetrics[m], runs, ticks);
    const Handle space{ok(H5Dget_space(dataset.get()), path, "get a dataset's shape"), H5Sclose};
    const int rank = H5Sget_simple_extent_ndims(space.get());
    const hsize_t start[3] = {run, 0, 0};
    const hsize_t count[3] = {1, ticks, static_cast<hsize_t>(width_of(kMetrics[m].shape))};
    ok(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), path, "select a run");
    const Handle memory = file_space(path, static_cast<std::size_t>(rank), count);
    ok(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, memory.get(), space.get(), H5P_DEFAULT, series.values[m].data()),
       path, "read dataset '" + std::string(kMetrics[m].name) + "' for run " + std::to_string(run));
  }
  return series;
}

std::vector<VariableInfo> list_variables(const std::string& path) {
  const Hdf5CrashGuard guard(path);  // libhdf5 may crash on a damaged file
  const Handle file = open_for_reading(path);
  check_format(path, file.get());
  std::vector<VariableInfo> out;
  list_group(path, file.get(), "", out);
  if (H5Lexists(file.get(), kSnapshotGroup, H5P_DEFAULT) > 0) {
    const Handle group{ok(H5Gopen2(file.get(), kSnapshotGroup, H5P_DEFAULT), path, "open group /snapshot"),
                       H5Gclose};
    list_group(path, group.get(), std::string(kSnapshotGroup) + "/", out);
  }
  H5Eclear2(H5E_DEFAULT);
  return out;
}

}  // namespace xsector
