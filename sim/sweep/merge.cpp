#include "sweep/merge.hpp"

#include <algorithm>
#include <optional>

#include "core/errors.hpp"
#include "output/atomic_output.hpp"
#include "output/results_file.hpp"
#include "output/utc_time.hpp"

namespace xsector {
namespace {

void check_same_sweep(const std::string& first_path, const FileSummary& first, const std::string& path,
                      const FileSummary& part) {
  const FileHeader& a = first.header;
  const FileHeader& b = part.header;
  const auto refuse = [&](const std::string& what, const std::string& x, const std::string& y) {
    throw OutputError("merge: " + path + " is not from the same sweep as " + first_path + ": " + what + " " + y +
                      " vs " + x);
  };
  if (b.scenario_digest != a.scenario_digest) refuse("scenario_digest", a.scenario_digest, b.scenario_digest);
  if (b.program_version != a.program_version) refuse("program_version", a.program_version, b.program_version);
  if (b.runs.size() != a.runs.size())
    refuse("run count", std::to_string(a.runs.size()), std::to_string(b.runs.size()));
  if (b.ticks != a.ticks) refuse("ticks", std::to_string(a.ticks), std::to_string(b.ticks));
}

// "3, 7, 12 and 40 more": enough to find them, short enough to read.
std::string list_runs(const std::vector<std::size_t>& runs) {
  std::string out;
  const std::size_t shown = std::min<std::size_t>(runs.size(), 10);
  for (std::size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + std::to_string(runs[i]);
  if (runs.size() > shown) out += " and " + std::to_string(runs.size() - shown) + " more";
  return out;
}

// For each run, the part that holds it done (nullopt: none). Refuses overlaps.
std::vector<std::optional<std::size_t>> owners(const MergeRequest& request, const std::vector<FileSummary>& parts) {
  std::vector<std::optional<std::size_t>> owner(parts.front().done.size());
  for (std::size_t p = 0; p < parts.size(); ++p)
    for (std::size_t r = 0; r < owner.size(); ++r) {
      if (!parts[p].done[r]) continue;
      if (owner[r])
        throw OutputError("merge: run " + std::to_string(r) + " is done in both " + request.parts[*owner[r]] +
                          " and " + request.parts[p] + " (overlapping shards); merge each run from one part only");
      owner[r] = p;
    }
  return owner;
}

}  // namespace

MergeOutcome merge_parts(const MergeRequest& request) {
  if (request.parts.empty()) throw InputError("merge: give at least one part file");
  std::vector<FileSummary> parts;
  for (const std::string& path : request.parts) {
    parts.push_back(read_summary(path));
    check_same_sweep(request.parts.front(), parts.front(), path, parts.back());
  }
  const std::vector<std::optional<std::size_t>> owner = owners(request, parts);

  MergeOutcome outcome;
  outcome.runs = owner.size();
  for (std::size_t r = 0; r < owner.size(); ++r)
    if (!owner[r]) outcome.gaps.push_back(r);
  if (!outcome.gaps.empty() && !request.allow_partial)
    throw OutputError("merge: " + std::to_string(outcome.gaps.size()) + " of " + std::to_string(outcome.runs) +
                      " runs are done in no part (runs " + list_runs(outcome.gaps) +
                      "); give the missing shard files, or pass --allow-partial");

  FileHeader header = parts.front().header;
  header.command_line = request.command_line;
  header.start_time = utc_now_iso8601();
  header.shard.clear();  // the merged file is the whole sweep
  AtomicOutput target(request.output, request.force);
  {
    ResultsWriter writer = ResultsWriter::create(target.temp_path(), header);
    for (std::size_t r = 0; r < owner.size(); ++r) {
      if (!owner[r]) continue;
      const std::size_t p = *owner[r];
      writer.write_run(r, read_run(request.parts[p], r), parts[p].wall_time[r]);
      ++outcome.copied;
    }
    writer.finish(utc_now_iso8601());
  }
  target.commit();
  return outcome;
}

}  // namespace xsector
