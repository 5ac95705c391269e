#!/usr/bin/python3
"""Whole-process wall time of `xsector run` for several builds, measured interleaved (build A,
build B, ..., then again) so that a busy or quiet spell of the machine falls on all of them
alike; prints each build's best and median. Not a test: nothing fails on a figure.

    /usr/bin/python3 bench/interleave.py OLD_XSECTOR NEW_XSECTOR [...] [--rounds 15]
        [--scenario scenarios/baseline.toml] [-- extra run arguments, e.g. --set population.scale=4]

Run from the repository root, on a machine with nothing else running.
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binaries", nargs="+", help="xsector programs to compare")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--scenario", default="scenarios/baseline.toml")
    args, extra = parser.parse_known_args(argv)
    extra = [a for a in extra if a != "--"]
    times = {b: [] for b in args.binaries}
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "run.h5")
        for _ in range(args.rounds):
            for binary in args.binaries:
                start = time.perf_counter()
                subprocess.run([binary, "run", args.scenario, "-o", out, "--force", "-q", *extra], check=True,
                               stdout=subprocess.DEVNULL)
                times[binary].append(time.perf_counter() - start)
    print(f"xsector run {args.scenario} {' '.join(extra)}: {args.rounds} rounds, interleaved")
    for binary, values in times.items():
        print(f"  {binary:40s} best {min(values) * 1e3:7.1f} ms   median {statistics.median(values) * 1e3:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
