#include "output/info.hpp"

#include <algorithm>
#include <cstddef>
#include <ostream>
#include <set>
#include <sstream>
#include <string_view>

#include "output/results_file.hpp"

namespace xsector {
namespace {

constexpr std::size_t kMaxListedValues = 8;

std::string or_dash(const std::string& text) { return text.empty() ? "-" : text; }

std::string to_text(const ScalarValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return "\"" + *s + "\"";
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  std::ostringstream out;
  out << std::get<double>(value);
  return out.str();
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

// "[run, tick, sector] 12×120×3"
std::string shape_text(const VariableInfo& v) {
  std::string dims = "[";
  dims += join(v.dims, ", ");
  dims += "]";
  std::vector<std::string> sizes;
  for (auto n : v.shape) sizes.push_back(std::to_string(n));
  return dims + " " + join(sizes, "x");
}

bool is_metric(const VariableInfo& v) { return v.dims.size() >= 2 && v.dims[0] == "run" && v.dims[1] == "tick"; }

void print_provenance(const FileSummary& s, std::ostream& out) {
  const FileHeader& h = s.header;
  out << "kind:              " << or_dash(h.kind) << (h.shard.empty() ? "" : " (shard " + h.shard + ")") << "\n"
      << "format version:    " << s.format_version << "\n"
      << "program version:   " << or_dash(h.program_version) << "\n"
      << "scenario:          " << or_dash(h.scenario_name) << "\n"
      << "scenario digest:   " << or_dash(h.scenario_digest) << "\n"
      << "start time:        " << or_dash(h.start_time) << "\n"
      << "end time:          " << (s.end_time.empty() ? "(not finished)" : s.end_time) << "\n"
      << "command line:      " << or_dash(h.command_line) << "\n"
      << "threads:           " << h.threads << "\n"
      << "overrides:         " << (h.overrides.empty() ? "-" : join(h.overrides, "  ")) << "\n";
}

// A dimension is a 1-D dataset that is its own axis's scale (run, tick, sector, stage).
void print_dimensions(const FileSummary& s, const std::vector<VariableInfo>& variables, std::ostream& out) {
  std::vector<std::string> dims;
  for (const auto& v : variables)
    if (v.dims.size() == 1 && v.dims[0] == v.name) dims.push_back(v.name + " " + std::to_string(v.shape[0]));
  const auto done = static_cast<std::size_t>(std::count(s.done.begin(), s.done.end(), std::uint8_t{1}));
  out << "dimensions:        " << join(dims, ", ") << "\n"
      << "ticks per year:    " << s.header.ticks_per_year << "\n"
      << "runs done:         " << done << " / " << s.header.runs.size() << "\n";
}

void print_swept(const FileSummary& s, std::ostream& out) {
  const FileHeader& h = s.header;
  if (h.swept_paths.empty()) {
    out << "swept parameters:  none\n";
    return;
  }
  out << "swept parameters:\n";
  for (std::size_t i = 0; i < h.swept_paths.size(); ++i) {
    std::vector<std::string> distinct;
    std::set<std::string> seen;
    for (const auto& run : h.runs)
      if (const auto text = to_text(run.swept_values[i]); seen.insert(text).second) distinct.push_back(text);
    const std::size_t count = distinct.size();
    if (count > kMaxListedValues) {
      distinct.resize(kMaxListedValues);
      distinct.push_back("...");
    }
    out << "  " << h.swept_paths[i] << "  (" << count << " values: " << join(distinct, ", ") << ")\n";
  }
}

void print_variables(const std::vector<VariableInfo>& variables, std::ostream& out) {
  std::size_t width = 0;
  for (const auto& v : variables) width = std::max(width, v.name.size());
  const auto line = [&](const VariableInfo& v) {
    out << "  " << v.name << std::string(width - v.name.size() + 2, ' ') << shape_text(v);
    if (!v.units.empty()) out << "  (" << v.units << ")";
    out << "\n";
  };
  out << "metrics:\n";
  for (const auto& v : variables)
    if (is_metric(v)) line(v);
  bool snapshot = false;
  for (const auto& v : variables)
    if (v.name.rfind("snapshot/", 0) == 0) {
      if (!snapshot) out << "snapshot:\n";
      snapshot = true;
      line(v);
    }
}

void print_indented(const std::string& text, std::ostream& out) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) out << "  " << line << "\n";
}

}  // namespace

void print_info(const std::string& path, std::ostream& out) {
  const FileSummary summary = read_summary(path);
  const auto variables = list_variables(path);
  out << "file:              " << path << "\n";
  if (left_by_killed_writer(path))
    out << "note:              left by a killed writer: h5py and xarray refuse it until `xsector repair " << path
        << "` (or `xsector sweep ... --resume`) clears the mark\n";
  print_provenance(summary, out);
  print_dimensions(summary, variables, out);
  print_swept(summary, out);
  print_variables(variables, out);
  out << "resolved parameters:\n";
  print_indented(summary.header.resolved_parameters, out);
}

}  // namespace xsector
