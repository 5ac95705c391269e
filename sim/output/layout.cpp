// The layout of a results file: creating its attributes, coordinates and metric datasets,
// opening a metric with the shape it must have, and the file's size on disk.
#include "output/layout.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/errors.hpp"
#include "output/hdf5_reading.hpp"
#include "output/hdf5_writing.hpp"

namespace xsector::hdf5 {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<hsize_t> metric_dims(const MetricSpec& spec, std::size_t runs, std::size_t ticks) {
  if (spec.shape == MetricShape::scalar) return {runs, ticks};
  return {runs, ticks, static_cast<hsize_t>(width_of(spec.shape))};
}

std::string describe_dims(const std::vector<hsize_t>& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(dims[i]);
  }
  return out + "]";
}

void write_root_attributes(Path path, hid_t file, const FileHeader& header) {
  write_int_attribute(path, file, "format_version", kFormatVersion, H5T_STD_I32LE);
  write_string_attribute(path, file, "kind", header.kind);
  write_string_attribute(path, file, "program_version", header.program_version);
  write_string_attribute(path, file, "scenario_name", header.scenario_name);
  write_string_attribute(path, file, "scenario_toml", header.scenario_toml);
  write_string_attribute(path, file, "resolved_parameters", header.resolved_parameters);
  write_string_attribute(path, file, "scenario_digest", header.scenario_digest);
  write_strings_attribute(path, file, "overrides", header.overrides);
  write_string_attribute(path, file, "command_line", header.command_line);
  write_int_attribute(path, file, "threads", header.threads, H5T_STD_I32LE);
  write_string_attribute(path, file, "start_time", header.start_time);
  write_string_attribute(path, file, "end_time", "");  // set by ResultsWriter::finish
  write_int_attribute(path, file, "ticks_per_year", header.ticks_per_year, H5T_STD_I64LE);
  write_strings_attribute(path, file, "swept_parameters", header.swept_paths);
  write_strings_attribute(path, file, "sbm_capped_blocks", header.sbm_capped_blocks);
  if (!header.arm_names.empty()) {  // only in a comparison's file
    write_strings_attribute(path, file, "arms", header.arm_names);
    write_strings_attribute(path, file, "arm_scenarios", header.arm_scenarios);
    write_strings_attribute(path, file, "arm_parameters", header.arm_parameters);
  }
  // Only in a shard's file, so that a file says which runs it was meant to hold.
  if (!header.shard.empty()) write_string_attribute(path, file, "shard", header.shard);
}

// How a swept parameter's values are stored: numbers as float64 (so xarray can group and
// plot them), strings as strings; `value_type` restores integers and booleans on reading.
const char* swept_value_type(Path path, const FileHeader& header, std::size_t parameter) {
  bool any_string = false, any_int = false, any_real = false, any_bool = false;
  for (const auto& run : header.runs) {
    const auto& value = run.swept_values[parameter];
    any_string |= std::holds_alternative<std::string>(value);
    any_int |= std::holds_alternative<std::int64_t>(value);
    any_real |= std::holds_alternative<double>(value);
    any_bool |= std::holds_alternative<bool>(value);
  }
  const int kinds = any_string + any_int + any_real + any_bool;
  if (any_string && kinds > 1)
    throw OutputError(path + ": swept parameter '" + header.swept_paths[parameter] + "' mixes strings and numbers");
  if (any_string) return "string";
  if (kinds > 1) return "real";
  return any_int ? "integer" : any_bool ? "boolean" : "real";
}

double as_number(const ScalarValue& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
  if (const auto* boolean = std::get_if<bool>(&value)) return *boolean ? 1.0 : 0.0;
  return std::get<double>(value);
}

Handle make_swept_parameter(Path path, hid_t file, const FileHeader& header, std::size_t parameter,
                            const Handle& run_dim, ScaleAttachments& scales) {
  const std::string name = std::string(kParamPrefix) + header.swept_paths[parameter];
  const char* type = swept_value_type(path, header, parameter);
  Handle dataset;
  if (std::string(type) == "string") {
    std::vector<std::string> values;
    for (const auto& run : header.runs) values.push_back(std::get<std::string>(run.swept_values[parameter]));
    dataset = make_string_1d(path, file, name, values);
  } else {
    std::vector<double> values;
    for (const auto& run : header.runs) values.push_back(as_number(run.swept_values[parameter]));
    dataset = make_1d(path, file, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values);
  }
  scales.attach(dataset, {&run_dim});
  write_string_attribute(path, dataset.get(), "value_type", type);
  write_string_attribute(path, dataset.get(), "long_name", "swept parameter " + header.swept_paths[parameter]);
  return dataset;
}

// Creates and fills the dimension scales and coordinates; returns the names xarray should
// treat as coordinates of every metric (CF `coordinates` attribute).
std::string make_coordinates(Path path, hid_t file, const FileHeader& header, const Handle& run_dim,
                             const Handle& tick_dim, ScaleAttachments& scales) {
  const std::size_t runs = header.runs.size(), ticks = static_cast<std::size_t>(header.ticks);
  std::vector<double> years(ticks);
  for (std::size_t t = 0; t < ticks; ++t)
    years[t] = static_cast<double>(t) / static_cast<double>(header.ticks_per_year);
  std::vector<std::int64_t> points(runs), replicates(runs);
  std::vector<std::uint64_t> seeds(runs);
  for (std::size_t r = 0; r < runs; ++r) {
    points[r] = header.runs[r].point;
    replicates[r] = header.runs[r].replicate;
    seeds[r] = header.runs[r].seed;
  }
  const auto add = [&](Handle dataset, const Handle& dim, std::string_view units, std::string_view long_name) {
    scales.attach(dataset, {&dim});
    describe(path, dataset, units, long_name);
  };
  add(make_1d(path, file, kYear, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, years), tick_dim, "year",
      "simulated time in years (tick / ticks_per_year)");
  add(make_1d(path, file, kPoint, H5T_STD_I64LE, H5T_NATIVE_INT64, points), run_dim, "", "sweep point index");
  add(make_1d(path, file, kReplicate, H5T_STD_I64LE, H5T_NATIVE_INT64, replicates), run_dim, "",
      "replicate index within the sweep point");
  add(make_1d(path, file, kSeed, H5T_STD_U64LE, H5T_NATIVE_UINT64, seeds), run_dim, "",
      "run seed, derived from (scenario seed, point, replicate)");
  add(make_1d(path, file, kDone, H5T_STD_U8LE, H5T_NATIVE_UINT8, std::vector<std::uint8_t>(runs, 0)), run_dim, "",
      "1 once the run's series are written and flushed");
  add(make_1d(path, file, kWallTime, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, std::vector<double>(runs, kNaN)), run_dim,
      "s", "wall-clock seconds the run took (NaN until done)");
  std::string coordinates = std::string(kYear) + " " + kPoint + " " + kReplicate + " " + kSeed + " " + kDone + " " +
                            kWallTime;
  for (std::size_t parameter = 0; parameter < header.swept_paths.size(); ++parameter) {
    make_swept_parameter(path, file, header, parameter, run_dim, scales);
    coordinates += ' ';
    coordinates += kParamPrefix;
    coordinates += header.swept_paths[parameter];
  }
  return coordinates;
}

// Chunked one run per chunk (a run is written and read as a unit), NaN where nothing was
// written yet. Every chunk is allocated (and NaN-filled) now, without compression: then
// HDF5 needs no chunk index (chunk addresses are computed) and writing a run never
// changes the file's metadata, which is what makes a kill harmless (crash safety in
// results_writer.cpp).
Handle metric_creation_list(Path path, const std::vector<hsize_t>& dims) {
  Handle dcpl = plist(path, H5P_DATASET_CREATE);
  std::vector<hsize_t> chunk = dims;
  chunk[0] = 1;
  ok(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), path, "set the chunk shape");
  ok(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), path, "allocate the metrics");
  const double fill = kNaN;
  ok(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &fill), path, "set the fill value");
  return dcpl;
}

std::array<Handle, kMetricCount> make_metrics(Path path, hid_t file, std::size_t runs, std::size_t ticks,
                                              const std::string& coordinates, const Handle& run_dim,
                                              const Handle& tick_dim, const Handle& sector_dim,
                                              const Handle& stage_dim, ScaleAttachments& scales) {
  std::array<Handle, kMetricCount> metrics;
  for (int m = 0; m < kMetricCount; ++m) {
    const MetricSpec& spec = kMetrics[m];
    const auto dims = metric_dims(spec, runs, ticks);
    const Handle dcpl = metric_creation_list(path, dims);
    metrics[m] = create_dataset(path, file, std::string(spec.name), H5T_IEEE_F64LE, dims, dcpl.get());
    if (spec.shape == MetricShape::scalar)
      scales.attach(metrics[m], {&run_dim, &tick_dim});
    else
      scales.attach(metrics[m], {&run_dim, &tick_dim, spec.shape == MetricShape::by_sector ? &sector_dim : &stage_dim});
    describe(path, metrics[m], spec.units, spec.long_name);
    write_string_attribute(path, metrics[m].get(), "coordinates", coordinates);
  }
  return metrics;
}

template <std::size_t N>
std::vector<std::string> names_of(const std::array<std::string_view, N>& names, std::size_t count) {
  return {names.begin(), names.begin() + static_cast<std::ptrdiff_t>(count)};
}

}  // namespace

void validate_header(Path path, const FileHeader& header) {
  if (header.runs.empty()) throw OutputError(path + ": a results file needs at least one run");
  if (header.ticks <= 0) throw OutputError(path + ": a results file needs at least one tick");
  if (header.ticks_per_year <= 0) throw OutputError(path + ": ticks_per_year must be positive");
  std::set<std::string> seen;
  for (const auto& swept : header.swept_paths) {
    if (swept.empty() || swept.find('/') != std::string::npos)
      throw OutputError(path + ": swept parameter path '" + swept + "' cannot name a dataset");
    if (!seen.insert(swept).second) throw OutputError(path + ": swept parameter '" + swept + "' is listed twice");
  }
  for (std::size_t r = 0; r < header.runs.size(); ++r)
    if (header.runs[r].swept_values.size() != header.swept_paths.size())
      throw OutputError(path + ": run " + std::to_string(r) + " has " +
                        std::to_string(header.runs[r].swept_values.size()) + " swept values for " +
                        std::to_string(header.swept_paths.size()) + " swept parameters");
}

void create_layout(Path path, hid_t file, const FileHeader& header) {
  const std::size_t runs = header.runs.size(), ticks = static_cast<std::size_t>(header.ticks);
  write_root_attributes(path, file, header);

  std::vector<std::int64_t> run_index(runs), tick_index(ticks);
  for (std::size_t r = 0; r < runs; ++r) run_index[r] = static_cast<std::int64_t>(r);
  for (std::size_t t = 0; t < ticks; ++t) tick_index[t] = static_cast<std::int64_t>(t);
  const Handle run_dim = make_1d(path, file, kRunDim, H5T_STD_I64LE, H5T_NATIVE_INT64, run_index);
  const Handle tick_dim = make_1d(path, file, kTickDim, H5T_STD_I64LE, H5T_NATIVE_INT64, tick_index);
  const Handle sector_dim = make_string_1d(path, file, kSectorDim, names_of(kSectorNames, kClientSectorCount));
  const Handle stage_dim = make_string_1d(path, file, kStageDim, names_of(kStageNames, kStageCount));
  make_scale(path, run_dim, kRunDim);
  make_scale(path, tick_dim, kTickDim);
  make_scale(path, sector_dim, kSectorDim);
  make_scale(path, stage_dim, kStageDim);

  ScaleAttachments scales(path);
  const std::string coordinates = make_coordinates(path, file, header, run_dim, tick_dim, scales);
  make_metrics(path, file, runs, ticks, coordinates, run_dim, tick_dim, sector_dim, stage_dim, scales);
  scales.finish();
}

Handle open_metric(Path path, hid_t file, const MetricSpec& spec, std::size_t runs, std::size_t ticks) {
  const std::string name(spec.name);
  Handle dataset = open_dataset(path, file, name);
  const auto dims = dims_of(path, {dataset.get(), false, "dataset '" + name + "'"});
  const auto expected = metric_dims(spec, runs, ticks);
  if (dims != expected)
    throw OutputError(path + ": dataset '" + name + "' has shape " + describe_dims(dims) + ", expected " +
                      describe_dims(expected));
  return dataset;
}

}  // namespace xsector::hdf5

namespace xsector {

std::uint64_t estimated_file_size(std::size_t runs, std::int64_t ticks, std::size_t swept_parameters) {
  std::uint64_t columns = 0;
  for (const auto& spec : kMetrics) columns += static_cast<std::uint64_t>(width_of(spec.shape));
  const std::uint64_t tick_count = ticks > 0 ? static_cast<std::uint64_t>(ticks) : 0;
  // Measured: about 41 KiB of metadata, the run coordinates (run, point, replicate, seed,
  // done, wall_time: 41 bytes, and 8 per swept parameter), tick and year.
  return 41 * 1024 + runs * (41 + 8 * swept_parameters) + tick_count * 16 + runs * tick_count * columns * sizeof(double);
}

}  // namespace xsector
