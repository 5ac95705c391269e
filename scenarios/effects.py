#!/usr/bin/python3
"""Effect of each intervention scenario on the final-year public sector gap, vs baseline.

    /usr/bin/python3 scenarios/effects.py [--xsector BIN] [--replicates 20] [--keep DIR]

(from the repository root; the binary is --xsector, else $XSECTOR_BIN, else
build/sim/xsector). Prints the markdown table pasted into scenarios/README.md.

What it does: every scenarios/*.toml with [[intervention]] tables and no [sweep] table
(and not us_national.toml) is an intervention scenario on the baseline region. All of
them are arms of one `xsector compare scenarios/baseline.toml ... --replicates R` (which
prints the same comparison for the terminal; this script makes the markdown table).
Replicate r of every scenario gets the same run seed (derived from the scenario seed 1,
point 0 and r), so the same network and initial state, and the same draws until the
intervention starts: the comparison uses common random numbers. Per replicate, the final-year indicators are
computed from the final year's totals (xsector_analysis.final_year: government share of
support spending and of collaboration participation summed over the year's ticks;
gap = participation share - support share). The table gives the mean over replicates and,
for the difference from baseline, the mean of the paired differences with a 95% Student t
interval (xsector_analysis.interval).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "analysis"))
import xsector_analysis as xa  # noqa: E402
from xsector_analysis.summary import interval  # noqa: E402

METRICS = ("public_sector_gap", "public_participation_share", "public_support_share")


def find_binary(explicit: str | None) -> str:
    for candidate in (explicit, os.environ.get("XSECTOR_BIN"), str(ROOT / "build" / "sim" / "xsector")):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("no xsector binary: pass --xsector or set XSECTOR_BIN")


def intervention_scenarios() -> list[Path]:
    out = []
    for path in sorted(HERE.glob("*.toml")):
        data = tomllib.loads(path.read_text())
        if path.stem in ("baseline", "us_national") or "sweep" in data or not data.get("intervention"):
            continue
        out.append(path)
    return out


def run_comparison(binary: str, scenarios: list[Path], replicates: int, workdir: Path) -> dict[str, dict]:
    """{arm name: final-year indicators per replicate (ordered by replicate)}, baseline first."""
    h5 = workdir / "effects.h5"
    subprocess.run([binary, "compare", str(HERE / "baseline.toml"), *map(str, scenarios), "--replicates",
                    str(replicates), "-o", str(h5), "--force", "--quiet"], check=True)
    ds = xa.open_results(h5)
    years = int(ds.sizes["tick"] // xa.ticks_per_year(ds))
    out = {}
    for name in dict.fromkeys(str(a) for a in ds["arm"].values):
        arm = ds.isel(run=np.flatnonzero(np.asarray(ds["arm"].values) == name))
        order = np.argsort(np.asarray(arm["replicate"].values))
        out[name] = {m: np.asarray(xa.final_year(arm, m).values, dtype=float)[order] for m in METRICS}
        out[name]["years"] = years
    ds.close()
    return out


def fmt_ci(values) -> str:
    n, mean, _, lo, hi = interval(values)
    return f"{mean:+.4f} [{lo:+.4f}, {hi:+.4f}]"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Intervention effects on the final-year public sector gap")
    ap.add_argument("--xsector", help="the xsector binary")
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--keep", help="keep the comparison's results file in this folder")
    args = ap.parse_args(argv)
    binary = find_binary(args.xsector)
    scenarios = intervention_scenarios()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(args.keep) if args.keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = run_comparison(binary, scenarios, args.replicates, workdir)
    base = results.pop("baseline")
    r = args.replicates
    print(f"Final year (year {base['years'] - 1}) of {base['years']}-year runs, {r} replicates per scenario "
          f"(common random numbers: replicate k of every scenario has the same seed). Gap = government share "
          f"of collaboration participation - government share of support spending, from the final year's "
          f"totals; positive = the public sector is underserved. Differences are scenario - baseline per "
          f"replicate: mean [95% t-interval].")
    print()
    print("| scenario | final-year gap | Δ gap vs baseline | Δ participation share | Δ support share |")
    print("|---|---:|---:|---:|---:|")
    n, mean, _, lo, hi = interval(base["public_sector_gap"])
    print(f"| baseline | {mean:.4f} [{lo:.4f}, {hi:.4f}] | - | - | - |")
    for name, res in results.items():
        _, gap, _, _, _ = interval(res["public_sector_gap"])
        cells = [fmt_ci(res[m] - base[m]) for m in METRICS]
        print(f"| {name} | {gap:.4f} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
