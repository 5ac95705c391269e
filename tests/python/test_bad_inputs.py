"""Bad inputs, tried and listed (docs/RELIABILITY.md, issue 9).

Every row of the table in docs/RELIABILITY.md is one case below, run through the real
binary. Each case checks:

* the exit code (README.md: 2 bad input, 3 output problem);
* that the message names the file (and line, column or key where there is one);
* that nothing crashed: no signal exit, no "internal error", no sanitizer report, no core
  file;
* that files which must not change (an existing output, a file given to --resume) have the
  same SHA-256 afterwards, and that no temporary file is left beside the output.

Cases the engine does not pass yet are marked xfail(strict=True) with the fix they need,
so they start failing (XPASS) as soon as the fix lands and the mark must go.

ctest sets XSECTOR_BIN and XSECTOR_SOURCE_DIR; run by hand, set them yourself:

    XSECTOR_BIN=build/sim/xsector XSECTOR_SOURCE_DIR=. python3 -m pytest tests/python/test_bad_inputs.py

`python3 tests/python/test_bad_inputs.py --table` prints what the program answers to
every case, as markdown rows (used to write docs/RELIABILITY.md).
"""
import dataclasses
import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, List, Optional

import pytest

# Signals that mean a crash rather than an orderly exit.
CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGKILL}
# Marks of a crash or a sanitizer finding in the output.
CRASH_MARKS = ("internal error", "AddressSanitizer", "LeakSanitizer", "ThreadSanitizer",
               "runtime error:", "Segmentation fault", "terminate called", "core dumped")


@dataclasses.dataclass
class Case:
    id: str
    what: str                       # the bad input, in words (the table's first column)
    args: List[str]                 # xsector arguments; paths are relative to the work folder
    code: int                       # expected exit code
    expect: List[str]               # regular expressions the output must contain
    untouched: List[str] = dataclasses.field(default_factory=list)  # files that must not change
    xfail: Optional[str] = None     # reason, for a case the engine does not pass yet
    timeout: float = 120
    limit_memory: bool = False      # run under a 1 GiB address-space limit (huge populations)
    needs_h5py: bool = False


def v(name, what, code, *expect, **kw):
    """`xsector validate` of a file in tests/data/bad_inputs."""
    return Case(f"validate-{name}", what, ["validate", f"{name}.toml"], code, list(expect), **kw)


def r(name, what, code, *expect, **kw):
    """`xsector run` of a file in tests/data/bad_inputs, over an existing output with --force:
    a refused input must leave the existing output as it was."""
    return Case(f"run-{name}", what, ["run", f"{name}.toml", "-o", "out/existing.h5", "--force", "-q"], code,
                list(expect), untouched=["out/existing.h5"], **kw)


def s(name, setting, what, code, *expect, scenario="tiny", **kw):
    """`xsector validate` of a good file with one --set."""
    return Case(f"set-{name}", what,
                ["validate", f"{scenario}.toml", "--set", setting], code, [re.escape(f"--set {setting}"), *expect],
                **kw)


# ---- the cases, in the order of the table in docs/RELIABILITY.md ------------------------------

SCENARIO_CASES = [
    v("syntax_unclosed_table", "TOML: table header not closed", 2, r"syntax_unclosed_table\.toml:2:\d+",
      "TOML syntax error"),
    v("syntax_missing_value", "TOML: key without a value", 2, r"syntax_missing_value\.toml:3:\d+", "expected value"),
    v("not_utf8", "TOML: a string with invalid UTF-8", 2, r"not_utf8\.toml:3:\d+", "utf-8"),
    v("binary_garbage", "binary file (an ELF header) as scenario", 2, r"binary_garbage\.toml:1:1", "TOML syntax"),
    v("toml_unicode_after_equals", "U+0351 after `=` (fuzz finding F1: UB in toml++ 3.3.0)", 2,
      r"toml_unicode_after_equals\.toml:4:\d+", "TOML syntax error"),
    v("toml_unicode_multiline_string", "valid: line-ending backslash then a non-ASCII character (F1; accepted)", 0,
      r"toml_unicode_multiline_string\.toml: ok"),
    v("duplicate_key", "TOML: the same key twice", 2, r"duplicate_key\.toml:4:\d+", "years"),
    v("duplicate_table", "TOML: the same table twice", 2, r"duplicate_table\.toml:5:\d+", "simulation"),
    v("table_for_value", "a table where a number goes", 2, r"table_for_value\.toml:2:\d+", "simulation.years",
      "got a table"),
    v("array_for_real", "an array where a real goes", 2, r"array_for_real\.toml:3:\d+", "foundation.public_share",
      "got an array"),
    v("date_for_real", "a date where a real goes", 2, r"date_for_real\.toml:3:\d+", "foundation.public_share",
      "got a date"),
    v("bool_for_integer", "a boolean where an integer goes", 2, r"bool_for_integer\.toml:3:\d+",
      "simulation.years", "boolean"),
    v("string_for_bool", "a string where true/false goes", 2, r"string_for_bool\.toml:3:\d+",
      "sector.government.carryover"),
    v("integer_overflow", "an integer beyond 64 bits", 2, r"integer_overflow\.toml:3:\d+", "64 bits"),
    v("years_zero", "simulation.years = 0", 2, r"years_zero\.toml:3:\d+", "simulation.years", r"\[1, 1000\]"),
    v("years_too_many", "simulation.years = 100000", 2, r"years_too_many\.toml:3:\d+", "simulation.years",
      "out of range"),
    v("ticks_per_year_zero", "ticks_per_year = 0", 2, r"ticks_per_year_zero\.toml:3:\d+",
      "simulation.ticks_per_year"),
    v("negative_seed", "simulation.seed = -1", 2, r"negative_seed\.toml:3:\d+", "simulation.seed"),
    v("share_above_one", "a share of 1.5", 2, r"share_above_one\.toml:3:\d+", "sector.business.support_share",
      r"\[0, 1\]"),
    v("nan_value", "nan for a probability", 2, r"nan_value\.toml:3:\d+", "diffusion.q", "nan is not allowed"),
    v("inf_value", "inf for a share", 2, r"inf_value\.toml:3:\d+", "foundation.capacity_share",
      "inf is not allowed"),
    v("negative_inf", "-inf for a share", 2, r"negative_inf\.toml:3:\d+", "foundation.public_share",
      "-inf is not allowed"),
    v("negative_population", "a negative population", 2, r"negative_population\.toml:3:\d+",
      "population.nonprofit", "cannot be negative"),
    v("population_scale_zero", "population.scale = 0", 2, r"population_scale_zero\.toml:3:\d+",
      "population.scale"),
    v("population_scale_huge", "population.scale = 1e300 (used to wrap round to 1 agent per sector)", 2,
      r"population_scale_huge\.toml:4:\d+", "population.scale", "4294967295"),
    v("population_beyond_ids", "10^10 agents: more than 32-bit agent ids", 2, r"population_beyond_ids\.toml:3:\d+",
      "population.business", "4294967295"),
    r("population_huge", "2x10^9 agents: hundreds of GB (run)", 2, r"population_huge\.toml", "population",
      r"(?i)memory", r"\d+(\.\d+)? ?(GB|GiB|TB|TiB)", limit_memory=True, timeout=60),
    v("population_huge", "... `validate` of it: valid, with a warning (memory is the machine's, not the file's)", 0,
      "warning", r"population_huge\.toml", r"(?i)memory", r"\d+(\.\d+)? ?(GB|GiB|TB|TiB)", r": ok \(", limit_memory=True,
      timeout=60),
    v("unknown_choice", "a choice not in the list", 2, r"unknown_choice\.toml:3:\d+", "foundation.public_channel",
      "cheque"),
    v("unknown_key", "a misspelt key", 2, r"unknown_key\.toml:3:\d+", "network.homophilly", "did you mean"),
    v("unknown_table", "a misspelt table", 2, r"unknown_table\.toml:2:\d+", r"\[simulaton\]", "did you mean"),
    v("scenario_unknown_key", "[scenario] with a key other than description", 2,
      r"scenario_unknown_key\.toml:3:\d+", "scenario.title"),
    v("intervention_as_table", "[intervention] instead of [[intervention]]", 2,
      r"intervention_as_table\.toml:2:\d+", r"\[\[intervention\]\]"),
    v("intervention_unknown_type", "an unknown intervention type", 2, r"intervention_unknown_type\.toml:3:\d+",
      "intervention.0.type", "tax_credit"),
    v("intervention_missing_type", "an intervention without a type", 2, r"intervention_missing_type\.toml:2:\d+",
      "intervention.0.type", "missing"),
    v("intervention_foreign_key", "a key of another intervention type", 2,
      r"intervention_foreign_key\.toml:4:\d+", "intervention.0.p_extra", "membership_dissemination"),
    v("intervention_missing_required", "a required intervention key missing", 2,
      r"intervention_missing_required\.toml:2:\d+", "intervention.0.public_share", "missing"),
    v("intervention_starts_after_horizon", "an intervention starting after the horizon", 2,
      r"intervention_starts_after_horizon\.toml:5:\d+", "intervention.0.start_year", "after end_year"),
    v("intervention_negative_start", "an intervention starting before year 0", 2,
      r"intervention_negative_start\.toml:4:\d+", "intervention.0.start_year"),
    v("conflicting_interventions", "two foundation_public_support over the same years (accepted: later replaces)",
      0, r"conflicting_interventions\.toml: ok \(2 intervention"),
    Case("validate-conflicting_interventions-warns", "... and `validate` says intervention 0 never takes effect",
         ["validate", "conflicting_interventions.toml"], 0,
         [r"intervention\.1 \(foundation_public_support.*\) replaces intervention\.0", "never takes effect"]),
]

SWEEP_CASES = [
    v("sweep_zero_replicates", "a sweep with zero runs: replicates = 0", 2, r"sweep_zero_replicates\.toml:3:\d+",
      "sweep.replicates"),
    v("sweep_empty_list", "a sweep with zero runs: an empty value list", 2, r"sweep_empty_list\.toml:6:\d+",
      "foundation.public_share", "empty"),
    v("sweep_lhs_zero_samples", "a sweep with zero runs: lhs samples = 0", 2,
      r"sweep_lhs_zero_samples\.toml:4:\d+", "sweep.samples"),
    v("sweep_zip_unequal", "zip lists of unequal length", 2, r"sweep_zip_unequal\.toml:7:\d+", "market.visible",
      "equal length"),
    v("sweep_lhs_string_parameter", "lhs over a choice parameter", 2, r"sweep_lhs_string_parameter\.toml:7:\d+",
      "foundation.public_channel"),
    v("sweep_lhs_low_above_high", "lhs range [high, low]", 2, r"sweep_lhs_low_above_high\.toml:7:\d+",
      "low 0.5 is above high 0.1"),
    v("sweep_sobol_no_samples", "method = \"sobol\" without samples", 2, r"sweep_sobol_no_samples\.toml:\d+:\d+",
      "sweep.samples", "missing"),
    v("sweep_morris_odd_levels", "morris with an odd number of levels", 2,
      r"sweep_morris_odd_levels\.toml:5:\d+", "sweep.levels", "even"),
    v("sweep_unknown_distribution", "a distribution that does not exist (lognormal)", 2,
      r"sweep_unknown_distribution\.toml:7:\d+", "distribution", "log-uniform"),
    v("sweep_normal_without_sd", "a truncated normal without sd", 2, r"sweep_normal_without_sd\.toml:7:\d+",
      r"\.sd", "missing"),
    v("sweep_bad_choice", "a choice the parameter does not take", 2, r"sweep_bad_choice\.toml:7:\d+",
      "foundation.public_channel", "cheque"),
    Case("compare-one-file", "`compare` of one scenario", ["compare", "tiny.toml", "-o", "out/existing.h5", "--force"],
         2, ["at least two scenario files"], untouched=["out/existing.h5"]),
    Case("compare-with-a-sweep", "`compare` with a sweep file as an arm",
         ["compare", "tiny.toml", "tiny_sweep.toml", "-o", "out/existing.h5", "--force"], 2,
         [r"tiny_sweep\.toml", r"\[sweep\] table"], untouched=["out/existing.h5"]),
    Case("compare-same-name-twice", "`compare` of one file twice",
         ["compare", "tiny.toml", "tiny.toml", "-o", "out/existing.h5", "--force"], 2,
         [r"tiny\.toml", "two arms are called"], untouched=["out/existing.h5"]),
    Case("export-not-hdf5", "`export` of a file that is not HDF5", ["export", "tiny.toml", "-o", "out/t.csv"], 3,
         [r"tiny\.toml", "not an HDF5 file"]),
    Case("report-damaged-dataset", "`report` of a file whose failed_by_stage header is damaged (h5py printed a "
         "traceback)", ["report", "gen/damaged.h5", "-o", "out/d.html"], 3,
         [r"^xsector report: error: gen/damaged\.h5", "failed_by_stage"], untouched=["gen/damaged.h5"],
         needs_h5py=True),
    Case("export-truncated", "`export` of a results file cut to half", ["export", "gen/truncated.h5", "-o",
         "out/t.csv"], 3, [r"^xsector export: error: gen/truncated\.h5", r"(?i)damaged|incomplete|truncated"],
         untouched=["gen/truncated.h5"], needs_h5py=True),
    Case("report-hdf5-bug-heap-wrap", "`report` of the file on which libhdf5 loops (h5py would hang in it too)",
         ["report", "gen/heap_wrap.h5", "-o", "out/w.html"], 3, [r"gen/heap_wrap\.h5", "global heap"],
         untouched=["gen/heap_wrap.h5"], needs_h5py=True, timeout=20),
    Case("repair-foreign-hdf5", "`repair` of an HDF5 file xsector did not write", ["repair", "foreign.h5"], 3,
         [r"foreign\.h5", "not an xsector results file"], untouched=["foreign.h5"]),
    Case("params-unknown-path", "`params` of an unknown parameter", ["params", "foundation.publik_share"], 2,
         ["foundation.publik_share", "did you mean"]),
    Case("sweep-design-over-existing-file", "`sweep --dry-run --design` over an existing file, without --force",
         ["sweep", "tiny_sweep.toml", "--dry-run", "--design", "out/existing.h5"], 3,
         ["out/existing.h5", "--force"], untouched=["out/existing.h5"]),
    Case("sweep-design-without-dry-run", "`sweep --design` without --dry-run",
         ["sweep", "tiny_sweep.toml", "--design", "out/d.csv", "-o", "out/existing.h5", "--force"], 2,
         ["--design", "--dry-run"], untouched=["out/existing.h5"]),
    v("sweep_value_out_of_range", "a swept value out of range", 2, r"sweep_value_out_of_range\.toml:3:\d+",
      "foundation.public_share", "2.0"),
    v("sweep_unknown_parameter", "a swept path that is no parameter", 2, r"sweep_unknown_parameter\.toml:3:\d+",
      "foundation.publik_share"),
    v("sweep_unknown_setting", "[sweep] replicate (typo)", 2, r"sweep_unknown_setting\.toml:3:\d+",
      "sweep.replicate", "did you mean"),
    v("sweep_window_combination", "a grid point with start_year > end_year", 2,
      r"sweep_window_combination\.toml:\d+:\d+", "start_year = 8", "end_year = 3"),
    v("sweep_runs_overflow", "3 points x (2^63-1) replicates (used to wrap round)", 2,
      r"sweep_runs_overflow\.toml:4:\d+", "sweep.replicates", "2\\^63"),
    v("sweep_lhs_huge", "`validate` of 10^12 lhs samples: valid, with a warning", 0, "warning",
      r"sweep_lhs_huge\.toml", "sweep.samples", r": ok \(", limit_memory=True, timeout=60),
    Case("sweep-lhs-huge-dry-run", "`sweep --dry-run` of 10^12 lhs samples", ["sweep", "sweep_lhs_huge.toml",
         "--dry-run"], 2, [r"sweep_lhs_huge\.toml", "sweep.samples", r"(?i)memory|too many"], limit_memory=True, timeout=60),
    Case("sweep-replicates-huge", "`sweep` of 2 x 10^15 runs", ["sweep", "sweep_replicates_huge.toml", "-o",
         "out/existing.h5", "--force", "-q"], 2, [r"sweep_replicates_huge\.toml", "sweep.replicates",
         r"(?i)memory|disk|too many"], untouched=["out/existing.h5"], limit_memory=True,
         timeout=60),
    v("sweep_over_years", "a sweep over simulation.years (validate used to accept it)", 2,
      r"sweep_over_years\.toml", "simulation.years", "number of ticks"),
    Case("sweep-sweep_over_years", "... and `sweep` of it (the same message)",
         ["sweep", "sweep_over_years.toml", "-o", "out/existing.h5", "--force", "-q"], 2,
         [r"sweep_over_years\.toml", "simulation.years", "number of ticks"], untouched=["out/existing.h5"]),
    v("sweep_snapshots", "a sweep with output.snapshots = true (sweep used to ignore it)", 2,
      r"sweep_snapshots\.toml:14", "output.snapshots", r"--point K --replicate R --snapshots"),
    Case("sweep-sweep_snapshots", "... and `sweep` of it (the same message)",
         ["sweep", "sweep_snapshots.toml", "-o", "out/existing.h5", "--force", "-q"], 2,
         [r"sweep_snapshots\.toml:14", "output.snapshots"], untouched=["out/existing.h5"]),
    s("sweep_snapshots", "output.snapshots=true", "a sweep given --set output.snapshots=true", 2,
      "output.snapshots", r"--point K", scenario="tiny_sweep"),
    Case("sweep-no_sweep_table", "`sweep` of a scenario without [sweep]",
         ["sweep", "no_sweep_table.toml", "-o", "out/existing.h5", "--force", "-q"], 2,
         [r"no_sweep_table\.toml", r"no \[sweep\] table"], untouched=["out/existing.h5"]),
    Case("run-point-without-sweep", "`run --point 0` of a scenario without [sweep]",
         ["run", "no_sweep_table.toml", "--point", "0", "-o", "out/existing.h5", "--force", "-q"], 2,
         [r"no_sweep_table\.toml", "--point"], untouched=["out/existing.h5"]),
    Case("run-replicate-without-point", "`run --replicate 1` of a sweep without --point (the base scenario would run)",
         ["run", "tiny_sweep.toml", "--replicate", "1", "-o", "out/existing.h5", "--force", "-q"], 2,
         ["--replicate 1", "--point"], untouched=["out/existing.h5"]),
    Case("run-point-out-of-range", "`run --point 99` of a 2-point sweep",
         ["run", "tiny_sweep.toml", "--point", "99", "-o", "out/existing.h5", "--force", "-q"], 2,
         ["point 99", r"0\.\.1"], untouched=["out/existing.h5"]),
    Case("sweep-shard-k-not-below-n", "--shard 3/2", ["sweep", "tiny_sweep.toml", "--shard", "3/2", "-o",
                                                      "out/shard.h5", "-q"], 2, ["--shard 3/2", "K/N"]),
    Case("sweep-shard-garbage", "--shard x", ["sweep", "tiny_sweep.toml", "--shard", "x", "-o", "out/shard.h5",
                                              "-q"], 2, ["--shard x"]),
]

SET_CASES = [
    s("no-equals", "foundation.public_share", "--set without =", 2, "PATH=VALUE"),
    s("unknown-key", "foundation.publik_share=0.1", "--set of an unknown key", 2,
      "did you mean `foundation.public_share`"),
    s("out-of-range", "foundation.public_share=7", "--set out of range", 2, "foundation.public_share",
      "out of range"),
    s("nan", "market.gain=nan", "--set nan", 2, "market.gain", "nan is not allowed"),
    s("sigma-overflows", "sector.business.budget_sigma=1e6", "--set a lognormal sigma whose draws overflow "
      "to infinity (docs/MODEL.md 8.11)", 2, "sector.business.budget_sigma", r"\[0, 10\]"),
    s("median-beyond-any-economy", "provider.price_median=1e300", "--set a median price beyond any economy", 2,
      "provider.price_median", r"1e\+15"),
    s("word-for-real", "market.gain=high", "--set a word for a real", 2, "market.gain", "real number"),
    s("missing-intervention", "intervention.3.rate=0.1", "--set of a missing intervention", 2,
      "no intervention 3"),
    s("intervention-type", "intervention.0.type=budget_change", "--set of an intervention's type", 2,
      "cannot be changed", scenario="conflicting_interventions"),
    s("start-after-end", "intervention.0.start_year=5", "--set making start_year > end_year", 2,
      "intervention.0.start_year", scenario="conflicting_interventions"),
    s("empty-path", "=3", "--set with an empty path", 2, "path before '=' is missing"),
    s("population-scale-huge", "population.scale=1e300", "--set population.scale=1e300", 2, "population.scale",
      "4294967295"),
]

NETWORK_CASES = [
    r("net_unknown_sector", "CSV network: unknown sector", 2, r"net_unknown_sector\.nodes\.csv:4", "church"),
    r("net_self_loop", "CSV network: self-loop", 2, r"net_self_loop\.edges\.csv:3", "self-loop"),
    r("net_missing_node", "CSV network: edge to a node not in the node list", 2,
      r"net_missing_node\.edges\.csv:3", "'n9'"),
    r("net_duplicate_tie", "CSV network: a-b and b-a", 2, r"net_duplicate_tie\.edges\.csv:4", "duplicate tie",
      "line 2"),
    r("net_duplicate_node", "CSV network: a node id twice", 2, r"net_duplicate_node\.nodes\.csv:4",
      "duplicate node id 'g1'"),
    r("net_trust_out_of_range", "CSV network: trust 1.5", 2, r"net_trust_out_of_range\.edges\.csv:2", "1.5"),
    r("net_trust_nan", "CSV network: trust nan", 2, r"net_trust_nan\.edges\.csv:2", "'nan'"),
    r("net_bad_header", "CSV network: wrong header", 2, r"net_bad_header\.nodes\.csv:1", "id,sector"),
    r("net_wrong_columns", "CSV network: 3 fields under a 2-column header", 2,
      r"net_wrong_columns\.edges\.csv:2", "columns"),
    r("net_no_edges_file", "CSV network: NAME.edges.csv missing", 2, r"net_no_edges_file\.edges\.csv"),
    r("net_file_missing", "network.file does not exist", 2, r"net_nowhere\.graphml"),
    r("net_unknown_extension", "network.file of unknown type (.txt)", 2, r"net_unknown_extension\.txt",
      "unknown network file type"),
    r("net_graphml_unknown_sector", "GraphML: unknown sector", 2, r"net_unknown_sector\.graphml:6", "guild"),
    r("net_graphml_self_loop", "GraphML: self-loop", 2, r"net_self_loop\.graphml:8", "self-loop"),
    r("net_graphml_missing_node", "GraphML: edge to an undeclared node", 2, r"net_missing_node\.graphml:8",
      "'n7'"),
    r("net_graphml_duplicate_tie", "GraphML: a-b and b-a", 2, r"net_duplicate_tie\.graphml:8", "duplicate tie"),
    r("net_graphml_no_sector", "GraphML: a node without sector", 2, r"net_no_sector\.graphml:6", "no sector"),
    r("net_graphml_malformed", "GraphML: malformed XML", 2, r"net_malformed\.graphml", "not valid XML"),
    r("net_empty", "CSV network: no nodes at all (used to run with 0 agents)", 2, r"net_empty\.nodes\.csv:1",
      "no nodes"),
]

OUTPUT_CASES = [
    Case("run-output-missing-folder", "output path in a missing folder",
         ["run", "tiny.toml", "-o", "nowhere/out.h5", "-q"], 3, [r"nowhere/out\.h5", "does not exist"]),
    Case("run-output-exists", "output exists, no --force", ["run", "tiny.toml", "-o", "out/existing.h5", "-q"], 3,
         [r"out/existing\.h5", "--force"], untouched=["out/existing.h5"]),
    Case("run-output-is-folder", "output path is a folder", ["run", "tiny.toml", "-o", "out", "-q"], 3,
         [r"\bout\b", "folder"]),
    Case("sweep-output-exists", "sweep output exists, no --force",
         ["sweep", "tiny_sweep.toml", "-o", "out/existing.h5", "-q"], 3, [r"out/existing\.h5", "--force"],
         untouched=["out/existing.h5"]),
    Case("merge-output-exists", "merge output exists, no --force",
         ["merge", "out/existing.h5", "gen/sweep.h5"], 3, [r"out/existing\.h5", "--force"],
         untouched=["out/existing.h5", "gen/sweep.h5"], needs_h5py=True),
    Case("info-not-hdf5", "`info` of a text file", ["info", "tiny.toml"], 3, [r"tiny\.toml", "not an HDF5 file"],
         untouched=["tiny.toml"]),
    Case("info-empty-file", "`info` of an empty file", ["info", "gen/empty.h5"], 3, [r"gen/empty\.h5"]),
    Case("info-truncated", "`info` of a results file cut to half", ["info", "gen/truncated.h5"], 3,
         [r"gen/truncated\.h5", r"(?i)damaged|incomplete|truncated"], untouched=["gen/truncated.h5"],
         needs_h5py=True),
    Case("info-truncated-4k", "`info` of the first 4 KiB of a results file (committed)",
         ["info", "truncated_4k.h5"], 3, [r"truncated_4k\.h5"], untouched=["truncated_4k.h5"]),
    Case("info-foreign-hdf5", "`info` of an HDF5 file not written by xsector", ["info", "foreign.h5"], 3,
         [r"foreign\.h5", "not an xsector results file"], untouched=["foreign.h5"]),
    Case("info-newer-format", "`info` of format_version 99", ["info", "gen/newer.h5"], 3,
         [r"gen/newer\.h5", "newer xsector"], untouched=["gen/newer.h5"], needs_h5py=True),
    Case("info-damaged-dataset", "`info` of a file whose failed_by_stage header is damaged",
         ["info", "gen/damaged.h5"], 3, [r"gen/damaged\.h5", "failed_by_stage"], untouched=["gen/damaged.h5"],
         needs_h5py=True),
    Case("resume-foreign-hdf5", "--resume onto a foreign HDF5 file",
         ["sweep", "tiny_sweep.toml", "-o", "foreign.h5", "--resume", "-q"], 3,
         [r"foreign\.h5", "not an xsector results file"], untouched=["foreign.h5"]),
    Case("resume-not-hdf5", "--resume onto a text file",
         ["sweep", "tiny_sweep.toml", "-o", "tiny.toml", "--resume", "-q"], 3, [r"tiny\.toml", "not an HDF5"],
         untouched=["tiny.toml"]),
    Case("resume-truncated", "--resume onto a truncated file",
         ["sweep", "tiny_sweep.toml", "-o", "gen/truncated.h5", "--resume", "-q"], 3, [r"gen/truncated\.h5"],
         untouched=["gen/truncated.h5"], needs_h5py=True),
    Case("resume-other-scenario", "--resume onto a sweep of another scenario",
         ["sweep", "tiny_sweep.toml", "-o", "gen/other_sweep.h5", "--resume", "-q"], 2,
         [r"gen/other_sweep\.h5", "different scenario"], untouched=["gen/other_sweep.h5"], needs_h5py=True),
    Case("resume-damaged-dataset", "--resume onto a sweep whose failed_by_stage header is damaged",
         ["sweep", "tiny_sweep.toml", "-o", "gen/damaged.h5", "--resume", "-q"], 3,
         [r"gen/damaged\.h5", "failed_by_stage"], needs_h5py=True, timeout=20),
    Case("merge-foreign-part", "merge of a foreign HDF5 file", ["merge", "out/merged.h5", "foreign.h5"], 3,
         [r"foreign\.h5"], untouched=["foreign.h5"]),
    Case("merge-not-hdf5-part", "merge of a text file", ["merge", "out/merged.h5", "tiny.toml"], 3,
         [r"tiny\.toml", "not an HDF5"]),
    Case("merge-truncated-part", "merge of a truncated file", ["merge", "out/merged.h5", "truncated_4k.h5"], 3,
         [r"truncated_4k\.h5"], untouched=["truncated_4k.h5"]),
]

# Files found by fuzz_output on which Debian's libhdf5 1.10.8 itself misbehaves (fuzz/known_findings.txt).
HDF5_BUG_CASES = [
    Case("info-hdf5-bug-vlen-string-length", "`info` of a file whose string attribute claims 8 GB (libhdf5 reads "
         "past its buffer)", ["info", "hdf5_bug_vlen_string_length.h5"], 3, [r"hdf5_bug_vlen_string_length\.h5"],
         untouched=["hdf5_bug_vlen_string_length.h5"]),
    Case("merge-hdf5-bug-vlen-string-length", "merge of that file", ["merge", "out/merged.h5",
         "hdf5_bug_vlen_string_length.h5"], 3, [r"hdf5_bug_vlen_string_length\.h5"],
         untouched=["hdf5_bug_vlen_string_length.h5"]),
    Case("resume-hdf5-bug-vlen-string-length", "--resume onto that file", ["sweep", "tiny_sweep.toml", "-o",
         "hdf5_bug_vlen_string_length.h5", "--resume", "-q"], 3, [r"hdf5_bug_vlen_string_length\.h5"],
         untouched=["hdf5_bug_vlen_string_length.h5"]),
    Case("info-hdf5-bug-heap-loop", "`info` of a file whose global heap has a free-space object of size 0 "
         "(libhdf5 loops for ever loading it)", ["info", "gen/heap_loop.h5"], 3,
         [r"gen/heap_loop\.h5", "global heap"], untouched=["gen/heap_loop.h5"], needs_h5py=True, timeout=20),
    Case("merge-hdf5-bug-heap-loop", "merge of that file", ["merge", "out/merged.h5", "gen/heap_loop.h5"], 3,
         [r"gen/heap_loop\.h5", "global heap"], untouched=["gen/heap_loop.h5"], needs_h5py=True, timeout=20),
    Case("resume-hdf5-bug-heap-loop", "--resume onto that file", ["sweep", "tiny_sweep.toml", "-o",
         "gen/heap_loop.h5", "--resume", "-q"], 3, [r"gen/heap_loop\.h5", "global heap"],
         untouched=["gen/heap_loop.h5"], needs_h5py=True, timeout=20),
    Case("info-hdf5-bug-heap-wrap", "`info` of a file whose global heap has a free-space object running 64 KiB "
         "before the collection (libhdf5's cursor wraps back and loops)", ["info", "gen/heap_wrap.h5"], 3,
         [r"gen/heap_wrap\.h5", "global heap", "past the collection's end"], untouched=["gen/heap_wrap.h5"],
         needs_h5py=True, timeout=20),
    Case("merge-hdf5-bug-heap-wrap", "merge of that file", ["merge", "out/merged.h5", "gen/heap_wrap.h5"], 3,
         [r"gen/heap_wrap\.h5", "global heap"], untouched=["gen/heap_wrap.h5"], needs_h5py=True, timeout=20),
    Case("resume-hdf5-bug-heap-wrap", "--resume onto that file", ["sweep", "tiny_sweep.toml", "-o",
         "gen/heap_wrap.h5", "--resume", "-q"], 3, [r"gen/heap_wrap\.h5", "global heap"],
         untouched=["gen/heap_wrap.h5"], needs_h5py=True, timeout=20),
    Case("info-hdf5-bug-link-table", "`info` of a file whose link table is damaged (libhdf5 frees a wild pointer "
         "when listing it)", ["info", "hdf5_bug_link_table.h5"], 3, [r"hdf5_bug_link_table\.h5"],
         untouched=["hdf5_bug_link_table.h5"]),
]

CLI_CASES = [
    Case("cli-unknown-subcommand", "unknown subcommand", ["frobnicate"], 2,
         ["unknown subcommand 'frobnicate'", "run, sweep, compare, serve, merge, validate, info"]),
    Case("cli-no-subcommand", "no subcommand", [], 2, ["(?i)subcommand", "run, sweep, compare, serve, merge, validate, info"]),
    Case("cli-unknown-option", "unknown option", ["validate", "tiny.toml", "--bogus"], 2, ["--bogus"]),
    Case("cli-missing-scenario", "scenario file missing", ["validate", "missing.toml"], 2, [r"missing\.toml"]),
    Case("cli-scenario-is-folder", "scenario path is a folder", ["run", "out", "-q"], 2, [r"\bout\b"]),
    Case("cli-missing-results", "`info` of a missing file", ["info", "missing.h5"], 2, [r"missing\.h5"]),
    Case("cli-negative-threads", "--threads -1", ["run", "tiny.toml", "--threads", "-1", "-q"], 2, ["--threads"]),
]

CASES = SCENARIO_CASES + SWEEP_CASES + SET_CASES + NETWORK_CASES + OUTPUT_CASES + HDF5_BUG_CASES + CLI_CASES


# ---- running ----------------------------------------------------------------------------------

@dataclasses.dataclass
class Answer:
    code: int
    out: str
    timed_out: bool = False


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_ASAN = {}


def is_sanitized(binary: Path) -> bool:
    """An ASan binary reserves terabytes of address space: an RLIMIT_AS would stop it."""
    if binary not in _ASAN:
        _ASAN[binary] = b"__asan_init" in binary.read_bytes()
    return _ASAN[binary]


def run_xsector(binary: Path, case: Case, cwd: Path) -> Answer:
    env = dict(os.environ)
    preexec: Optional[Callable[[], None]] = None
    if case.limit_memory:
        if is_sanitized(binary):
            env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                                   ":allocator_may_return_null=1:max_allocation_size_mb=1024")
        else:
            def preexec():
                resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    proc = subprocess.Popen([str(binary), *case.args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, preexec_fn=preexec, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=case.timeout)
        return Answer(proc.returncode, out.decode("utf-8", "replace"))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # SIGTERM is only a request to stop cleanly
        out, _ = proc.communicate()
        return Answer(proc.returncode, out.decode("utf-8", "replace"), timed_out=True)


def make_generated_files(binary: Path, data: Path, gen: Path) -> None:
    """Results files made by the real binary, then damaged with h5py where needed."""
    gen.mkdir(parents=True, exist_ok=True)
    (gen / "empty.h5").write_bytes(b"")
    try:
        import h5py  # Debian's python3-h5py; without it the cases that need these files skip
    except ImportError:
        return
    for args in (["run", str(data / "tiny.toml"), "-o", str(gen / "run.h5"), "-q"],
                 ["sweep", str(data / "tiny_sweep.toml"), "-o", str(gen / "sweep.h5"), "-q"],
                 ["sweep", str(data / "tiny_sweep.toml"), "--set", "simulation.seed=99", "-o",
                  str(gen / "other_sweep.h5"), "-q"]):
        subprocess.run([str(binary), *args], check=True, capture_output=True, timeout=300)
    whole = (gen / "run.h5").read_bytes()
    (gen / "truncated.h5").write_bytes(whole[: len(whole) // 2])
    shutil.copy(gen / "run.h5", gen / "newer.h5")
    with h5py.File(gen / "newer.h5", "r+") as f:
        f.attrs["format_version"] = 99
    # Flip one byte inside the object header of failed_by_stage: its checksum fails, while
    # everything that read_summary reads (attributes, coordinates, done) stays intact.
    shutil.copy(gen / "sweep.h5", gen / "damaged.h5")
    with h5py.File(gen / "damaged.h5", "r") as f:
        address = h5py.h5o.get_info(f["failed_by_stage"].id).addr
    with open(gen / "damaged.h5", "r+b") as f:
        f.seek(address + 40)
        byte = f.read(1)[0]
        f.seek(address + 40)
        f.write(bytes([byte ^ 0xFF]))
    damage_free_space(gen / "sweep.h5", gen / "heap_loop.h5", 0)
    damage_free_space(gen / "sweep.h5", gen / "heap_wrap.h5", 2**64 - 65536)
    (gen / "h5py").write_text("yes")


def damage_free_space(source: Path, target: Path, size: int) -> None:
    """A copy of `source` whose first global heap collection (where HDF5 keeps the strings)
    with free space has a free-space object of `size` bytes. Debian's libhdf5 1.10.8 steps
    through a collection by each object's size: 0 loops for ever (fuzz finding F6), and
    2**64 - 65536 wraps its cursor 64 KiB back, before the collection, where it loops (F7,
    the size fuzz_output found). Written from the HDF5 file format
    specification ("Global Heap"), for the lengths of 8 bytes that HDF5 writes by default: a
    collection is "GCOL", version 1, 3 reserved bytes, its size; then objects of index (2
    bytes), reference count (2), 4 reserved bytes, size (8) and data padded to 8 bytes, up to
    the free-space object, index 0 (absent when the collection is full)."""
    data = bytearray(source.read_bytes())
    start = data.find(b"GCOL")
    while start >= 0:
        assert data[start + 4] == 1
        end = start + int.from_bytes(data[start + 8:start + 16], "little")
        at = start + 16
        while at + 16 <= end and int.from_bytes(data[at:at + 2], "little") != 0:
            at += 16 + (int.from_bytes(data[at + 8:at + 16], "little") + 7) // 8 * 8
        if at + 16 <= end:
            data[at + 8:at + 16] = size.to_bytes(8, "little")
            target.write_bytes(bytes(data))
            return
        start = data.find(b"GCOL", start + 1)
    raise AssertionError(f"{source}: no global heap collection with free space")


def prepare_workdir(data: Path, gen: Path, work: Path) -> None:
    shutil.copytree(data, work)
    shutil.copytree(gen, work / "gen")
    (work / "out").mkdir()
    (work / "out" / "existing.h5").write_bytes(b"an existing output file that must survive\n" * 100)


def check_case(binary: Path, data: Path, gen: Path, work: Path, case: Case) -> Answer:
    if case.needs_h5py and not (gen / "h5py").exists():
        pytest.skip("needs python3-h5py to make the damaged results files")
    prepare_workdir(data, gen, work)
    before = {p: sha256(work / p) for p in case.untouched}
    out_listing = sorted(os.listdir(work / "out"))
    answer = run_xsector(binary, case, work)
    shown = f"xsector {' '.join(case.args)}\nexit code {answer.code}\n{answer.out}"

    # Nothing crashed.
    assert not answer.timed_out, f"did not finish within {case.timeout} s:\n{shown}"
    assert answer.code >= 0, f"killed by signal {-answer.code}:\n{shown}"
    assert answer.code - 128 not in CRASH_SIGNALS, f"exit code {answer.code} is a crash:\n{shown}"
    for mark in CRASH_MARKS:
        assert mark not in answer.out, f"output shows a crash ({mark!r}):\n{shown}"
    assert not list(work.glob("core*")), f"left a core file:\n{shown}"

    # The documented answer.
    assert answer.code == case.code, f"expected exit code {case.code}:\n{shown}"
    for pattern in case.expect:
        assert re.search(pattern, answer.out), f"message lacks {pattern!r}:\n{shown}"
    if case.code != 0:
        assert answer.out.strip(), f"no message:\n{shown}"

    # Files that must not change, and no temporary files left beside the output.
    for path, digest in before.items():
        assert (work / path).exists(), f"{path} was removed:\n{shown}"
        assert sha256(work / path) == digest, f"{path} was changed:\n{shown}"
    if case.code != 0:
        left = sorted(set(os.listdir(work / "out")) - set(out_listing))
        assert not left, f"left {left} in the output folder:\n{shown}"
    return answer


# ---- pytest -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bad_data(source_dir) -> Path:
    return source_dir / "tests" / "data" / "bad_inputs"


@pytest.fixture(scope="module")
def generated(xsector_bin, bad_data, tmp_path_factory) -> Path:
    gen = tmp_path_factory.mktemp("bad_inputs_generated")
    make_generated_files(xsector_bin, bad_data, gen)
    return gen


def _param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input(case, xsector_bin, bad_data, generated, tmp_path):
    check_case(xsector_bin, bad_data, generated, tmp_path / "work", case)


def test_table_has_at_least_40_bad_inputs():
    assert len([c for c in CASES if c.code != 0]) >= 40


def test_help_and_version_exit_0(xsector_bin):
    """Only errors exit 2: --help and --version still answer 0 (CLI11 signals them by exception)."""
    for args in (["--help"], ["run", "--help"], ["--version"]):
        proc = subprocess.run([str(xsector_bin), *args], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, f"xsector {' '.join(args)}: exit {proc.returncode}\n{proc.stdout}{proc.stderr}"
        assert proc.stdout.strip()


def test_validate_refuses_a_swept_tick_axis_as_sweep_does(xsector_bin, bad_data, tmp_path):
    """`validate` must say exactly what `sweep` says about a sweep over simulation.years."""
    answers = []
    for args in (["validate", "sweep_over_years.toml"], ["sweep", "sweep_over_years.toml", "--dry-run"]):
        proc = subprocess.run([str(xsector_bin), *args], cwd=bad_data, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        answers.append(proc.stderr.strip())
    assert answers[0] == answers[1]


# Every scenario file that `run` refuses (the cases made by r()). Memory is the one refusal
# `validate` turns into a warning (the machine's, not the file's).
RUN_REFUSALS = [c for c in CASES if c.args[:1] == ["run"] and c.args[2:] == ["-o", "out/existing.h5", "--force", "-q"]
                and c.code == 2 and not c.xfail and not c.limit_memory]


def error_lines(out: str) -> List[str]:
    return [line for line in out.splitlines() if line.startswith("error")]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in RUN_REFUSALS])
def test_validate_refuses_what_run_refuses(case, xsector_bin, bad_data, generated, tmp_path):
    """`validate` says "ok" only when `run` would start: every scenario that `run` refuses
    as bad input before its first tick, `validate` refuses with the same error."""
    ran = check_case(xsector_bin, bad_data, generated, tmp_path / "run", case)
    as_validate = dataclasses.replace(case, id=f"validate-of-{case.id}", args=["validate", case.args[1]], untouched=[])
    validated = check_case(xsector_bin, bad_data, generated, tmp_path / "validate", as_validate)
    assert error_lines(validated.out) == error_lines(ran.out), f"run said:\n{ran.out}\nvalidate said:\n{validated.out}"


def test_every_case_is_in_the_reliability_doc():
    source = os.environ.get("XSECTOR_SOURCE_DIR")
    if not source:
        pytest.skip("XSECTOR_SOURCE_DIR is not set (ctest sets it)")
    doc = (Path(source) / "docs" / "RELIABILITY.md").read_text()
    missing = [c.id for c in CASES if f"`{c.id}`" not in doc]
    assert not missing, f"cases not in docs/RELIABILITY.md: {missing}"


def test_every_bad_input_file_is_used():
    source = os.environ.get("XSECTOR_SOURCE_DIR")
    if not source:
        pytest.skip("XSECTOR_SOURCE_DIR is not set (ctest sets it)")
    data = Path(source) / "tests" / "data" / "bad_inputs"
    named = " ".join(" ".join(c.args) for c in CASES)
    scenario_text = " ".join(p.read_text(errors="replace") for p in data.glob("*.toml"))
    used = named + " " + scenario_text
    unused = [p.name for p in data.iterdir() if p.name != "README.md"
              and p.name not in used and p.name.replace(".edges.csv", ".nodes.csv") not in used]
    assert not unused, f"files in tests/data/bad_inputs that no case uses: {unused}"


# ---- the table for docs/RELIABILITY.md --------------------------------------------------------

def print_table() -> None:
    binary = Path(os.environ["XSECTOR_BIN"])
    data = Path(os.environ["XSECTOR_SOURCE_DIR"]) / "tests" / "data" / "bad_inputs"
    with tempfile.TemporaryDirectory() as tmp:
        gen = Path(tmp) / "gen"
        make_generated_files(binary, data, gen)
        for i, case in enumerate(CASES):
            work = Path(tmp) / f"w{i}"
            prepare_workdir(data, gen, work)
            answer = run_xsector(binary, case, work)
            lines = [l for l in answer.out.splitlines() if l.strip()]
            errors = [l for l in lines if l.startswith("error")]
            message = (errors or lines or [""])[0]
            if answer.timed_out:
                message = f"(nothing after {case.timeout:.0f} s; killed) " + message
            elif answer.code < 0 and not message:
                message = "(nothing: the process died)"
            message = message.replace("|", "\\|").replace("`", "'")
            if len(message) > 240:
                message = message[:237] + "..."
            if answer.timed_out:
                code = "hangs"
            elif answer.code < 0:
                code = signal.Signals(-answer.code).name
            else:
                code = str(answer.code) + (" *" if case.limit_memory else "")
            status = "**xfail**" if case.xfail else "ok"
            print(f"| {i + 1} | `{case.id}` | {case.what} | `xsector {' '.join(case.args)}` | {code} | {message} "
                  f"| {status} |")


if __name__ == "__main__":
    if sys.argv[1:] == ["--table"]:
        print_table()
    else:
        print(__doc__)
