#pragma once
// `xsector merge OUT PART...`: combines the files of one sweep run in shards
// (`sweep --shard K/N`, or any files with the same run axis) into one file.
//
// The parts must come from the same sweep: equal scenario_digest, program_version, run
// count and ticks (OutputError otherwise, naming the first part that differs). Every run
// must be done in exactly one part: a run done in two parts is an overlap (refused: which
// copy is right is not for merge to guess), a run done in none is a gap (refused unless
// allow_partial; the merged file then has it as done = 0, so `sweep --resume` on the
// merged file completes it).
//
// The merged file is written under a temporary name and renamed into place
// (AtomicOutput); runs are copied with read_run + write_run, bit for bit, with their
// wall times.
#include <cstddef>
#include <string>
#include <vector>

namespace xsector {

struct MergeRequest {
  std::string output;
  std::vector<std::string> parts;
  bool force = false, allow_partial = false;
  std::string command_line;  // provenance of the merged file
};

struct MergeOutcome {
  std::size_t runs = 0;    // length of the run axis
  std::size_t copied = 0;  // runs done in the merged file
  std::vector<std::size_t> gaps;  // runs done in no part (only with allow_partial)
};

MergeOutcome merge_parts(const MergeRequest& request);

}  // namespace xsector
