#!/usr/bin/python3
"""Per-call cost of running the model from Python: the in-process module `xsector` against
the subprocess runner of the analysis package (analysis/xsector_analysis/runner.py), for a
small scenario called many times, as a calibration loop or a notebook would.

Both ways end with the same in-memory xarray Dataset: `xsector.run(...)`, and
`runner.run(...)` (a process of build/sim/xsector writing a file) followed by
`open_results(...).load()`. The model's own time is the file's `wall_time`; what a call
costs beyond it is the overhead.

    PYTHONPATH=analysis:build/python /usr/bin/python3 bench/inprocess_overhead.py \\
        --xsector build/sim/xsector --calls 50

Prints the median, best and mean milliseconds per call of each way, and of their parts:
the runner's process alone, the in-process writing alone (`_core.run_to_file`: the model
and the file, what the process start is compared with) and the reading both ways end with
(`open_results(...).load()`); then the model's own time. The ways take turns call by call.
"""
import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import xsector
import xsector_analysis as xa
from xsector import _core
from xsector_analysis import runner

SCENARIO = (Path(__file__).resolve().parent.parent / "tests" / "data" / "tiny_region.toml").read_text()


def timed(ways: dict, calls: int) -> dict:
    """Seconds of each call of each way. The ways take turns call by call, so that a change
    in the machine's load (it is shared) hits all of them alike."""
    seconds = {name: [] for name in ways}
    for call in ways.values():
        call(0)  # warm-up: imports, the thread pool, the first file
    for i in range(calls):
        for name, call in ways.items():
            start = time.perf_counter()
            call(i)
            seconds[name].append(time.perf_counter() - start)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--xsector", default="build/sim/xsector", help="the xsector binary for the subprocess runner")
    parser.add_argument("--calls", type=int, default=50, help="calls per way (default 50)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="xsector-bench-") as folder:
        scenario = runner.write_scenario(folder, "tiny", SCENARIO)
        by_process, in_process = Path(folder) / "process.h5", Path(folder) / "in_process.h5"

        def read(path):
            with xa.open_results(path) as ds:
                return ds.load()

        def write_in_process(i):  # the C++ part of xsector.run alone: the model and the file
            in_process.unlink(missing_ok=True)
            _core.run_to_file(str(scenario), [f"simulation.seed={i + 1}"], 0, str(in_process), False, "bench")

        ways = {
            # Every call uses every CPU (threads=None), as the runner's process does.
            "xsector.run": lambda i: xsector.run(scenario, seed=i + 1),
            "runner.run + open_results": lambda i: read(
                runner.run(scenario, by_process, sets=[f"simulation.seed={i + 1}"], binary=args.xsector)),
            "  runner.run alone": lambda i: runner.run(scenario, by_process, sets=[f"simulation.seed={i + 1}"],
                                                       binary=args.xsector),
            "  in-process write alone": write_in_process,
            "  open_results + load alone": lambda i: read(by_process),
        }
        print(f"{platform.node()}: {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; "
              f"scenario: 144 agents, 1 year; {args.calls} calls per way, taking turns")
        seconds = timed(ways, args.calls)
        model = float(read(by_process)["wall_time"].sum())
        for name, values in seconds.items():
            print(f"{name:30s} median {statistics.median(values) * 1e3:6.1f} ms/call, "
                  f"best {min(values) * 1e3:6.1f} ms, mean {statistics.mean(values) * 1e3:6.1f} ms")
        print(f"the model itself (wall_time of one run): {model * 1e3:.1f} ms; "
              f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
