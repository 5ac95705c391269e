#!/usr/bin/python3
"""Memory benchmark: opening a 10,000-run sweep must not load it.

    PYTHONPATH=analysis /usr/bin/python3 analysis/bench_memory.py [--runs 10000] [--file PATH]

Writes (once; reused if --file exists) a synthetic results file in the sweep layout of
docs/OUTPUT.md — every metric of sim/model/metrics.hpp, one chunk per run, gzip + shuffle —
or, with --xsector BIN, has the real binary make it (`xsector sweep`, runs // 2 replicates
of two points, population.scale 0.02: slower, about 4 ms of CPU per run); then, in a
fresh interpreter, measures resident memory (ru_maxrss from
resource.getrusage, the peak, and VmRSS from /proc, the current value):

  1. after importing xsector_analysis (the baseline),
  2. after `open_results(file)`,
  3. after reading one run's metric (`ds.isel(run=k)["support_spending"].values`),
  4. after the final-year gap of every run (one scalar metric read in full).

and prints them with the size of the file's data when decompressed. By default the data
is synthetic: the point is the reader. Exit status 1 if the peak after step 3 grew by more than --limit-mb
(default 100 MiB) over the baseline.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile

import numpy as np

# name, shape, units — a copy of the table in sim/model/metrics.hpp (MODEL.md section 8).
METRICS = [
    ("support_spending", "sector", "USD per tick"), ("engagements", "sector", "engagements per tick"),
    ("unmet_demand", "sector", "clients per tick"), ("priced_out", "sector", "clients per tick"),
    ("capacity_mean", "sector", "1"), ("capacity_p10", "sector", "1"), ("capacity_p50", "sector", "1"),
    ("capacity_p90", "sector", "1"), ("toolkit_share", "sector", "1"),
    ("collab_started", "sector", "collaborations per tick"), ("collab_succeeded", "sector", "collaborations per tick"),
    ("collab_failed", "sector", "collaborations per tick"), ("collab_failed_early", "sector", "collaborations per tick"),
    ("collab_lapsed", "sector", "initiatives per tick"),
    ("collab_participation", "sector", "member-collaborations"), ("public_value", "sector", "value units per tick"),
    ("funds_held", "sector", "USD"), ("funds_expired", "sector", "USD per tick"),
    ("grants_received", "sector", "USD per tick"), ("provider_revenue", "scalar", "USD per tick"),
    ("provider_slots", "scalar", "engagements per tick"), ("voucher_pool", "scalar", "USD"),
    ("foundation_unspent", "scalar", "USD per tick"), ("failed_by_stage", "stage", "collaborations per tick"),
    ("public_support_share", "scalar", "1"), ("public_participation_share", "scalar", "1"),
    ("public_sector_gap", "scalar", "1"), ("public_support_ratio", "scalar", "1"),
]
SECTORS = ["government", "business", "nonprofit"]
STAGES = ["diagnose", "design", "implement", "evaluate"]


def _synthetic_block(rng, share, ticks, tpy):
    """Plausible-looking series for a block of runs; values on a 1/64 grid compress well."""
    n = share.size
    t = np.arange(ticks) / tpy
    q = lambda x: np.round(x * 64.0) / 64.0  # noqa: E731
    noise = lambda *shape: rng.normal(1.0, 0.1, size=shape)  # noqa: E731
    base = np.array([1.0e4, 6.0e4, 3.0e4])
    spend = base[None, None, :] * noise(n, ticks, 3)
    spend[:, :, 0] *= (1.0 + 4.0 * share)[:, None]
    part = np.array([30.0, 40.0, 30.0])[None, None, :] * noise(n, ticks, 3)
    cap = np.clip(np.array([0.3, 0.5, 0.45])[None, None, :] + 0.02 * t[None, :, None] * noise(n, ticks, 3), 0, 1)
    out = {}
    for name, shape, units in METRICS:
        width = {"sector": 3, "stage": 4, "scalar": 1}[shape]
        out[name] = q(np.abs(noise(n, ticks, width)) * (10.0 if "per tick" in units else 1.0))
    out["support_spending"] = np.round(spend)
    out["collab_participation"] = np.round(part)
    out["capacity_mean"] = q(cap)
    out["capacity_p10"] = q(cap * 0.6)
    out["capacity_p50"] = q(cap)
    out["capacity_p90"] = q(np.clip(cap * 1.4, 0, 1))
    support = spend[:, :, 0] / spend.sum(axis=2)
    participation = part[:, :, 0] / part.sum(axis=2)
    out["public_support_share"] = support[:, :, None]
    out["public_participation_share"] = participation[:, :, None]
    out["public_sector_gap"] = (participation - support)[:, :, None]
    out["public_support_ratio"] = (support / participation)[:, :, None]
    return out


def write_synthetic(path, runs=10000, replicates=10, years=5, ticks_per_year=12, unfinished=(), seed=1):
    """A results file in the sweep layout of docs/OUTPUT.md with synthetic series.

    The sweep varies foundation.public_share over runs // replicates points.
    Runs listed in `unfinished` have done = 0 and NaN series (as an interrupted sweep)."""
    import h5py

    points = max(1, runs // replicates)
    ticks = years * ticks_per_year
    share = np.linspace(0.0, 0.5, points)
    scenario = (f'[simulation]\nyears = {years}\nticks_per_year = {ticks_per_year}\nseed = 42\n\n'
                f'[sweep]\nmethod = "grid"\nreplicates = {replicates}\n\n[sweep.parameters]\n'
                f'"foundation.public_share" = [{", ".join(f"{v:.6g}" for v in share)}]\n')
    rng = np.random.default_rng(seed)
    with h5py.File(path, "w") as f:
        def scale(name, data, dtype=None):
            d = f.create_dataset(name, data=data, dtype=dtype)
            d.make_scale(name)
            return d
        run = scale("run", np.arange(runs, dtype=np.int64))
        tick = scale("tick", np.arange(ticks, dtype=np.int64))
        sector = scale("sector", SECTORS, h5py.string_dtype())
        stage = scale("stage", STAGES, h5py.string_dtype())

        def along(name, dim, data, dtype=None, **attrs):
            d = f.create_dataset(name, data=data, dtype=dtype)
            d.dims[0].attach_scale(dim)
            d.attrs.update(attrs)
        point = np.arange(runs) // replicates % points
        done = np.ones(runs, dtype=np.uint8)
        done[list(unfinished)] = 0
        along("year", tick, np.arange(ticks) / ticks_per_year, units="year")
        along("point", run, point.astype(np.int64))
        along("replicate", run, (np.arange(runs) % replicates).astype(np.int64))
        along("seed", run, (np.arange(runs, dtype=np.uint64) * np.uint64(2654435761) + np.uint64(42)))
        along("done", run, done)
        along("wall_time", run, np.where(done == 1, 0.5, np.nan), units="s")
        along("param:foundation.public_share", run, share[point], value_type="real",
              long_name="swept parameter foundation.public_share")
        coordinates = "year point replicate seed done wall_time param:foundation.public_share"
        datasets = {}
        for name, shape, units in METRICS:
            width = {"sector": 3, "stage": 4, "scalar": 1}[shape]
            full = (runs, ticks, width) if shape != "scalar" else (runs, ticks)
            d = f.create_dataset(name, shape=full, dtype="f8", chunks=(1,) + full[1:], compression="gzip",
                                 compression_opts=4, shuffle=True, fillvalue=np.nan)
            d.dims[0].attach_scale(run)
            d.dims[1].attach_scale(tick)
            if shape != "scalar":
                d.dims[2].attach_scale(sector if shape == "sector" else stage)
            d.attrs["units"] = units
            d.attrs["long_name"] = name.replace("_", " ")
            d.attrs["coordinates"] = coordinates
            datasets[name] = d
        block = 500
        for lo in range(0, runs, block):
            hi = min(runs, lo + block)
            values = _synthetic_block(rng, share[point[lo:hi]], ticks, ticks_per_year)
            for i in np.flatnonzero(done[lo:hi] == 0):
                for v in values.values():
                    v[i] = np.nan
            for name, shape, _ in METRICS:
                v = values[name] if shape != "scalar" else values[name][:, :, 0]
                datasets[name][lo:hi] = v
        f.attrs.update(format_version=1, program_version="synthetic", scenario_name="synthetic_sweep",
                       scenario_toml=scenario, resolved_parameters=scenario, overrides=["population.scale=1"],
                       command_line="bench_memory.py", threads=1, start_time="2000-01-01T00:00:00Z",
                       end_time="2000-01-01T00:00:01Z", kind="sweep", scenario_digest="0",
                       ticks_per_year=ticks_per_year, swept_parameters=["foundation.public_share"])
    return path


def write_with_engine(path, binary, runs=10000, years=5):
    """The same kind of file made by the real engine: a sweep of two points."""
    import subprocess as sp
    scenario = os.path.splitext(path)[0] + ".toml"
    with open(scenario, "w") as fh:
        fh.write(f'[simulation]\nyears = {years}\nseed = 5\n\n[population]\nscale = 0.02\n\n'
                 f'[sweep]\nmethod = "grid"\nreplicates = {max(1, runs // 2)}\n\n'
                 f'[sweep.parameters]\n"foundation.public_share" = [0.0, 0.5]\n')
    sp.run([binary, "sweep", scenario, "-o", path, "--quiet"], check=True)
    return path


def _rss_mib():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    current = float("nan")
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    current = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return {"peak_mib": round(peak, 1), "current_mib": round(current, 1)}


def measure(path):
    """Run in a fresh interpreter: memory at each step of reading the file."""
    import xsector_analysis as xa

    steps = {"imported": _rss_mib()}
    ds = xa.open_results(path)
    steps["opened"] = _rss_mib()
    one = ds.isel(run=ds.sizes["run"] // 2)["support_spending"].values
    steps["one_run_read"] = _rss_mib()
    gap = xa.final_year(ds, "public_sector_gap")
    steps["final_year_gap_all_runs"] = _rss_mib()
    data_bytes = sum(ds[m].size * ds[m].dtype.itemsize for m in xa.metrics(ds))
    return {"runs": int(ds.sizes["run"]), "ticks": int(ds.sizes["tick"]), "one_run_shape": list(one.shape),
            "gap_runs": int(gap.sizes["run"]), "data_mib_decompressed": round(data_bytes / 2**20, 1),
            "file_mib": round(os.path.getsize(path) / 2**20, 1), "steps": steps}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--file", help="results file to read (written first if missing)")
    ap.add_argument("--limit-mb", type=float, default=100.0)
    ap.add_argument("--xsector", metavar="BIN", help="make the file with this xsector binary instead")
    ap.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure_only:
        print(json.dumps(measure(args.file)))
        return 0
    tmp = None
    path = args.file
    if path is None:
        tmp = tempfile.TemporaryDirectory()
        path = os.path.join(tmp.name, "bench_sweep.h5")
    if not os.path.exists(path):
        if args.xsector:
            write_with_engine(path, args.xsector, runs=args.runs, years=args.years)
        else:
            write_synthetic(path, runs=args.runs, years=args.years)
    env = dict(os.environ)
    here = os.path.dirname(os.path.abspath(__file__))
    env["PYTHONPATH"] = here + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--measure-only", "--file", path],
                          env=env, capture_output=True, text=True, check=True)
    result = json.loads(proc.stdout)
    steps = result["steps"]
    growth = steps["one_run_read"]["peak_mib"] - steps["imported"]["peak_mib"]
    result["peak_growth_mib_open_and_one_run"] = round(growth, 1)
    result["limit_mib"] = args.limit_mb
    print(json.dumps(result, indent=2))
    if tmp is not None:
        tmp.cleanup()
    return 0 if growth <= args.limit_mb else 1


if __name__ == "__main__":
    sys.exit(main())
