"""Which levers drive the public sector gap: the Sobol' study of scenarios/sensitivity_gap.toml.

One command runs the sweep and writes the study's write-up, docs/SENSITIVITY.md:

    /usr/bin/python3 scenarios/sensitivity_gap.py --xsector build/sim/xsector

The sweep goes to sensitivity_gap.h5 (--results); an unfinished file is completed with
`xsector sweep --resume`, and a complete one is only read, so the write-up can be
regenerated from it in seconds. Every number in the write-up is computed here from the
results file: Sobol' indices of the final-year public_sector_gap with bootstrap intervals
(xsector_analysis.sensitivity.sobol_indices), the direction of each lever's effect
(Spearman rank correlation over the A and B points), and a PRIM box of the conditions
under which the gap is smallest.
"""
from __future__ import annotations

import argparse
import os
import os
import subprocess
import time
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "analysis"))

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

import xsector_analysis as xa  # noqa: E402
from xsector_analysis import sensitivity as sa  # noqa: E402
from xsector_analysis.io import _toml  # noqa: E402

SCENARIO = ROOT / "scenarios" / "sensitivity_gap.toml"
METRIC = "public_sector_gap"
RESAMPLES = 1000
# A lever "drives" the gap when the lower end of its total index's interval is above this;
# it "can be fixed" when the upper end is below it (Saltelli et al. 2008 use such screening
# thresholds; 0.05 means: at most 5% of the variance of the gap involves it).
MATTERS = 0.05


def complete(results: Path) -> bool:
    attrs = xa.open_results(str(results)).attrs
    return attrs.get("runs_done") is not None and attrs.get("runs_done") == attrs.get("runs_in_file")


def run_sweep(xsector: str, scenario: Path, results: Path, threads: int | None) -> float:
    """Runs (or completes) the sweep; returns its wall-clock seconds."""
    command = [xsector, "sweep", str(scenario), "-o", str(results), "-q"]
    if results.exists():
        command.append("--resume")
    if threads:
        command += ["--threads", str(threads)]
    print("running:", " ".join(command), flush=True)
    start = time.monotonic()
    subprocess.run(command, check=True)
    return time.monotonic() - start


def fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def interval(table, row, name) -> str:
    return f"{fmt(table.loc[row, name])} [{fmt(table.loc[row, name + '_lower'])}, {fmt(table.loc[row, name + '_upper'])}]"


def spec_text(spec) -> str:
    """The sweep file's range or distribution of one parameter, in words."""
    if isinstance(spec, list):
        return f"uniform on [{spec[0]:g}, {spec[1]:g}]"
    if "choices" in spec:
        return "one of " + ", ".join(str(c).lower() if isinstance(c, bool) else f'"{c}"' for c in spec["choices"])
    kind = spec.get("distribution", "uniform")
    if kind == "normal":
        return f"normal (mean {spec['mean']:g}, sd {spec['sd']:g}) truncated to [{spec['low']:g}, {spec['high']:g}]"
    return f"{kind} on [{spec['low']:g}, {spec['high']:g}]"


def choice_labels(spec) -> list[str] | None:
    """The names of a categorical parameter's choices by their index in the design matrix
    (sensitivity.design_matrix: booleans as 0/1, other choices in the sweep file's order)."""
    if not isinstance(spec, dict) or "choices" not in spec:
        return None
    if all(isinstance(c, bool) for c in spec["choices"]):
        return ["false", "true"]
    return [str(c) for c in spec["choices"]]


def direction(ds, table) -> dict:
    """Spearman correlation of each parameter with the gap over the A and B points (the two
    independent samples), replicates averaged: its sign says which way the lever pushes."""
    X, names, _ = sa.design_matrix(ds)
    y = sa._replicate_stats(sa._by_point(ds, sa.run_values(ds, METRIC)))[0]
    n = X.shape[0] // (len(names) + 2)
    rows = slice(0, 2 * n)
    out = {}
    for j, name in enumerate(names):
        ok = np.isfinite(y[rows]) & np.isfinite(X[rows, j])
        rho, p = stats.spearmanr(X[rows, j][ok], y[rows][ok])
        out[name] = (float(rho), float(p))
    return out


def run_seconds(ds) -> float | None:
    """The runs' wall times summed (each run is timed on its own thread): divided by the
    threads, about the time the sweep took, whether it ran at once or was resumed."""
    if "wall_time" not in ds:
        return None
    return float(np.nansum(ds["wall_time"].values))


def write_doc(ds, results: Path, doc: Path, sweep_wall: float | None = None) -> None:
    """`sweep_wall`: the sweep's wall-clock seconds when this invocation ran all of it."""
    seconds = run_seconds(ds)
    threads = int(ds.attrs.get("threads") or 1)
    scenario = _toml(ds.attrs.get("scenario_toml"))
    specs = scenario["sweep"]["parameters"]
    table = sa.sobol_indices(ds, METRIC, resamples=RESAMPLES, seed=0).sort_values("ST", ascending=False)
    signs = direction(ds, table)
    finals = sa.run_values(ds, METRIC)
    a = table.attrs
    runs = int(np.isfinite(finals).sum())
    drivers = [n for n in table.index if table.loc[n, "ST_lower"] > MATTERS]
    fixable = [n for n in table.index if table.loc[n, "ST_upper"] < MATTERS]
    unclear = [n for n in table.index if n not in drivers and n not in fixable]

    def path(name):
        return table.loc[name, "path"]

    def effect(name):
        rho, p = signs[name]
        if p > 0.01:
            return "no monotone direction (p > 0.01)"
        labels = choice_labels(specs[path(name)])
        if labels and len(labels) == 2:
            return f"{labels[1]} rather than {labels[0]} {'widens' if rho > 0 else 'narrows'} the gap (ρ = {rho:+.2f})"
        return ("a larger value widens the gap" if rho > 0 else "a larger value narrows the gap") + f" (ρ = {rho:+.2f})"

    def bounds(name, row):
        labels = choice_labels(specs[path(name)])
        if labels:
            chosen = labels[int(round(row["lower"])):int(round(row["upper"])) + 1]
            return " or ".join(chosen)
        return f"{row['lower']:.4g} to {row['upper']:.4g}"

    quarter = float(np.nanpercentile(sa._replicate_stats(sa._by_point(ds, finals))[0], 25))
    box = sa.prim(ds, METRIC, quarter, interest="below")

    lines = [
        "# Which levers drive the public sector gap",
        "",
        "This page is generated by `/usr/bin/python3 scenarios/sensitivity_gap.py --xsector build/sim/xsector`",
        f"from the results of `scenarios/{Path(ds.attrs.get('scenario_name', 'sensitivity_gap')).name}.toml`; "
        "do not edit it by hand.",
        "",
        "**Question.** The baseline region (scenarios/baseline.toml) rests on parameters that are assumptions,",
        "not calibrated estimates (docs/PARAMETERS.md). Which of them decide how underserved the public",
        "sector is? The outcome is the final-year public sector gap (`public_sector_gap`: the",
        "government share of participation in collaborations minus its share of support spending,",
        f"over the last of {scenario['simulation']['years']} years; docs/OUTPUT.md).",
        "",
        f"**Design.** Sobol' variance-based sensitivity analysis (docs/MODEL.md 8, item 18): Saltelli's design with",
        f"N = {a['N']} base samples over k = {a['k']} parameters, N(k + 2) = {a['N'] * (a['k'] + 2):,} points, "
        f"{a['replicates']} replicates each ({runs:,} runs)" +
        (f"; the sweep took {sweep_wall / 60:.1f} minutes of wall-clock time with {threads} threads on a "
         f"{os.cpu_count()}-core machine, writing "
         f"included (measured by this script; the runs alone {seconds / 60:.1f} minutes of thread time)"
         if sweep_wall else
         f"; the runs took {seconds / 60:.1f} minutes of thread time, about {seconds / 60 / threads:.1f} minutes "
         f"with the sweep's {threads} threads" if seconds else "") + ".",
        "First-order (S1, Saltelli 2010) and total (ST, Jansen 1999) indices of the replicate means, with 95%",
        f"percentile-bootstrap intervals ({RESAMPLES} resamples of the N rows, seed 0); the seed noise left in",
        "each point's mean is subtracted from the variances (analysis/xsector_analysis/sensitivity.py).",
        "",
        "| parameter | sampled as |",
        "|---|---|",
    ]
    for name, spec in specs.items():
        lines.append(f"| [`{name}`](PARAMETERS.md#{name}) | {spec_text(spec)} |")
    lines += [
        "",
        "## Indices",
        "",
        f"Seed noise is **{100 * a['noise_share']:.0f}%** of the run-to-run variance of the gap (the pooled",
        "within-point variance over the variance of all runs)" +
        (": a single run says little about a lever." if a["noise_share"] > 0.5 else
         "; the levers' ranges explain the rest, but compare single runs only with their replicates."),
        f"After averaging {a['replicates']} replicates, the noise left would give every parameter ST ≈",
        f"{fmt(a['noise_floor'], 3)} if it were not subtracted.",
        f"The final-year gap over all runs: mean {np.nanmean(finals):+.3f}, 5th to 95th percentile "
        f"{np.nanpercentile(finals, 5):+.3f} to {np.nanpercentile(finals, 95):+.3f}.",
        "",
        "| rank | parameter | S1 [95% interval] | ST [95% interval] | ST − S1 | direction (Spearman, A and B points) |",
        "|---|---|---|---|---|---|",
    ]
    for rank, name in enumerate(table.index, 1):
        lines.append(f"| {rank} | `{path(name)}` | {interval(table, name, 'S1')} | {interval(table, name, 'ST')} | "
                     f"{fmt(table.loc[name, 'ST'] - table.loc[name, 'S1'])} | {effect(name)} |")
    lines += [
        "",
        f"Sum of S1: {fmt(table['S1'].sum())} (1 would mean no interactions; the rest of the variance is in",
        "interactions between levers).",
        "",
        "## What drives the gap",
        "",
    ]
    if drivers:
        lines.append(f"**Levers that drive the gap** (ST interval entirely above {MATTERS}):")
        lines.append("")
        for name in drivers:
            lines.append(f"- `{path(name)}`: ST {interval(table, name, 'ST')}, S1 {interval(table, name, 'S1')}; "
                         f"{effect(name)}.")
        lines.append("")
    else:
        lines += [f"No lever has an ST interval entirely above {MATTERS}.", ""]
    if fixable:
        lines.append(f"**Levers that can be fixed anywhere in their range** (ST interval entirely below {MATTERS}): " +
                     ", ".join(f"`{path(n)}`" for n in fixable) + ".")
        lines.append("")
    if unclear:
        lines.append("**Not settled at this sample size** (ST interval spans " + f"{MATTERS}): " +
                     ", ".join(f"`{path(n)}` ({interval(table, n, 'ST')})" for n in unclear) +
                     ". More base samples (`samples`) or replicates would narrow their intervals.")
        lines.append("")
    lines += [
        "## Where the gap is smallest (scenario discovery)",
        "",
        f"PRIM (Friedman & Fisher 1999) on the points whose mean final-year gap is below its 25th percentile,",
        f"{quarter:+.3f}: the box below holds {100 * box.coverage:.0f}% of those points (coverage) and",
        f"{100 * box.density:.0f}% of the points inside it are such points (density; 25% of all points are).",
        "Parameters the box does not restrict are left out.",
        "",
        "| parameter | box |",
        "|---|---|",
    ]
    for name, row in box.box.iterrows():
        if not row.get("restricted", True):
            continue
        lines.append(f"| `{path(name)}` | {bounds(name, row)} |")
    lines += [
        "",
        "## Reading and limits",
        "",
        "- ST is the share of the gap's variance in which a lever takes part, interactions included; ST − S1",
        "  is the part through interactions. The ranges above are assumptions too: a lever's index measures",
        "  its importance over the range given, and a wider range would raise it.",
        "- The Sobol' points are more even than independent samples, so the bootstrap intervals (which treat",
        "  rows as independent) err on the wide side. Indices slightly below 0 are estimation noise around 0.",
        f"- Results file: `{results.name}`; reproduce any point with `xsector run scenarios/sensitivity_gap.toml",
        "  --point K --replicate R`.",
        "",
    ]
    doc.write_text("\n".join(lines))
    print(f"wrote {doc}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--xsector", default=str(ROOT / "build" / "sim" / "xsector"), help="the xsector binary")
    parser.add_argument("--results", default="sensitivity_gap.h5", help="results file (made or completed)")
    parser.add_argument("--doc", default=str(ROOT / "docs" / "SENSITIVITY.md"), help="the write-up to write")
    parser.add_argument("--threads", type=int, help="threads for the sweep (default: all)")
    parser.add_argument("--scenario", default=str(SCENARIO), help="the study's sweep file (default: %(default)s)")
    args = parser.parse_args(argv)
    results = Path(args.results)
    start = time.monotonic()
    sweep_wall = None
    if not (results.exists() and complete(results)):
        fresh = not results.exists()
        wall = run_sweep(args.xsector, Path(args.scenario), results, args.threads)
        sweep_wall = wall if fresh else None  # a resumed sweep's wall time is not the whole sweep's
    write_doc(xa.open_results(str(results)), results, Path(args.doc), sweep_wall)
    print(f"wrote {args.doc} in {(time.monotonic() - start) / 60:.1f} minutes in all", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
