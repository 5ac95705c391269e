"""The report's sections for sampled sweeps (lhs, sobol, morris): which parameters drive
the public sector gap (Sobol' indices or Morris screening) and where it is small (PRIM).

`sensitivity_sections(ds, info, gap)` returns the HTML; every estimate comes from
sensitivity.py on the final-year public sector gap with replicates averaged per point, so
`sensitivity.sobol_indices(ds, "public_sector_gap", resamples=RESAMPLES, seed=SEED)` gives
the numbers shown. A design that cannot be analysed (a sweep cut short, a missing gap) is
said so in the page; the rest of the report is still written.
"""
from __future__ import annotations

import html
import math

import numpy as np

from . import sensitivity as sa
from .io import _toml, swept_parameters
from .plots import SOBOL_AXIS, parameter_label, plot_morris, plot_prim_tradeoff, plot_sobol
from .report import _num, _png, _table
from .summary import final_year

METRIC = "public_sector_gap"
RESAMPLES = 500          # bootstrap resamples for every interval in these sections
SEED = 0                 # bootstrap seed (the same page for the same file)
PRIM_MIN_POINTS = 50     # scenario discovery needs at least this many points with a gap
PRIM_QUANTILE = 25       # cases of interest: point means below this percentile of them
PRIM_MIN_DENSITY = 0.8   # the chosen box: the first on the trajectory at this density
SAMPLED = ("lhs", "sobol", "morris")
SUM_S1_LIMIT = 1.25      # first-order indices adding up to more than this: estimation noise

e = html.escape


def _figure(fid: str, heading: str, caption: str, fig) -> str:
    return (f'<figure id="{fid}"><img alt="{e(heading)}" src="data:image/png;base64,{_png(fig)}">'
            f"<figcaption><strong>{e(heading)}.</strong> {caption}</figcaption></figure>")


def _param(path: str) -> str:
    return f"{e(parameter_label(path))} (<code>{e(path)}</code>)"


def _two(v) -> str:
    """An index to 2 decimals ('–' for NaN; no '-0.00')."""
    if v is None or not np.isfinite(v):
        return "–"
    text = f"{float(v):.2f}"
    return "0.00" if text == "-0.00" else text


def _percent(share: float) -> str:
    pct = 100.0 * share
    return f"{pct:.1f}%" if pct < 9.95 else f"{pct:.0f}%"


def noise_sentence(share) -> str:
    """The seed-noise share in words; with one run per point, why there is none."""
    if share is None or not np.isfinite(share):
        return ("<p class='warn'>Each point is a single stochastic run, so seed noise cannot be told apart from "
                "the parameters' effect: the indices below include it. Repeat the sweep with "
                "<code>replicates</code> ≥ 2 to measure it.</p>")
    return (f"<p class='noise-share'><strong>{_percent(share)} of the run-to-run variance of the gap is seed "
            f"noise, not the parameters</strong> (the variance between replicates of the same point, pooled, "
            f"over the variance of all runs).</p>")


def _cut_short(ds, info, expected: int, unit: str) -> str:
    points = np.unique(np.asarray(ds["point"].values)).size
    return (f"<p class='warn'><strong>The design is incomplete</strong>: {points} of its {expected} points have a "
            f"finished run ({info.runs_done} of {info.runs_in_file} runs finished), and {unit}. The sweep was cut "
            f"short: finish it with <code>xsector sweep … --resume</code> and make the report again.</p>")


def _sweep_table(ds) -> dict:
    sweep = _toml(ds.attrs.get("scenario_toml")).get("sweep", {})
    return sweep if isinstance(sweep, dict) else {}


def _expected_points(ds, info, per_unit) -> int | None:
    """Points of the full design from the scenario's [sweep] table (None if not stated)."""
    sweep = _sweep_table(ds)
    k = len(info.swept)
    count = sweep.get("samples") if info.sweep_method == "sobol" else sweep.get("trajectories")
    return int(count) * per_unit(k) if isinstance(count, int) else None


def _complete(ds, expected) -> bool:
    points = np.unique(np.asarray(ds["point"].values))
    return expected is None or (points.size == expected and points[-1] == expected - 1)


# --- Sobol' --------------------------------------------------------------------------------

def unreliable_warning(table) -> list[str]:
    """A warning when the indices cannot be read as shares of the variance: intervals wider
    than an index's range, first-order indices adding up to well over 1, or seed noise
    making up more than half of the variance of the point means."""
    a = table.attrs
    bounds = table[["S1_upper", "ST_upper"]].to_numpy() - table[["S1_lower", "ST_lower"]].to_numpy()
    widest = float(np.nanmax(bounds, initial=0.0))
    total_s1 = float(np.nansum(table["S1"].to_numpy()))
    reasons = []
    if widest > 1.0:
        reasons.append(f"the intervals are as wide as {_two(widest)}, while an index lies between 0 and 1")
    if total_s1 > SUM_S1_LIMIT:
        reasons.append(f"the first-order indices add up to {_two(total_s1)}, more than the 1 they can add up to")
    if np.isfinite(a["noise_floor"]) and a["noise_floor"] > 0.5:
        reasons.append(f"seed noise left in the point means is {_percent(a['noise_floor'])} of their variance")
    if not reasons:
        return []
    return ["<p class='warn'><strong>These indices are not reliable:</strong> " + "; ".join(reasons) + ". Seed "
            "noise is large against what the parameters do, or there are few rows (N). More replicates per point "
            "or more samples would settle them; until then read the ranking as unsettled.</p>"]


def sobol_section(ds, info, reducer) -> str:
    expected = _expected_points(ds, info, lambda k: k + 2)
    if not _complete(ds, expected):
        return _cut_short(ds, info, expected, "Sobol' indices need every point of a row (A, B and each AB_i)")
    try:
        table = sa.sobol_indices(ds, METRIC, reducer=reducer, resamples=RESAMPLES, seed=SEED)
    except ValueError as err:
        return f"<p class='warn'>Sobol' indices could not be computed from this file: {e(str(err))}</p>"
    a = table.attrs
    fig = plot_sobol(table)
    rows = [[_param(path), _two(r.S1), f"{_two(r.S1_lower)} – {_two(r.S1_upper)}", _two(r.ST),
             f"{_two(r.ST_lower)} – {_two(r.ST_upper)}", _two(r.ST - r.S1)]
            for path, r in zip(table["path"], table.itertuples())]
    level = f"{a['level']:.0%}"
    parts = [noise_sentence(a["noise_share"])]
    parts += unreliable_warning(table)
    if a["noise_corrected"] and np.isfinite(a["noise_floor"]):
        parts.append(f"<p class='small'>Averaging n = {a['replicates']} replicates leaves some seed noise in each "
                     f"point's mean; alone it would give every parameter ST ≈ {_two(a['noise_floor'])}. Its "
                     f"estimate (s²/n per point) has been subtracted from the variances.</p>")
    parts.append(_figure("fig-sobol", "Sobol' indices of the final-year public sector gap",
                         f"Bars: first-order (S1) and total (ST) indices, ranked by ST; error bars: {level} "
                         f"percentile-bootstrap intervals ({a['resamples']} resamples over the N = {a['N']} rows, "
                         f"seed {a['seed']}); the axis stops at {SOBOL_AXIS[0]:g} and {SOBOL_AXIS[1]:g}.", fig))
    parts.append("<p><strong>How to read it.</strong> Each index is a share of the variance of the final-year gap "
                 "across the sweep (replicates averaged per point). <strong>S1</strong> is the share a parameter "
                 "explains alone; <strong>ST</strong> the share it takes part in, interactions included. "
                 "<strong>ST near 0</strong>: the parameter can be fixed anywhere in its range without changing "
                 "the gap. <strong>ST − S1</strong>: what it does through interactions with other parameters. "
                 "Small negative values are estimation noise around 0.</p>")
    parts.append(_table(["parameter", "S1", f"S1 {level} interval", "ST", f"ST {level} interval", "ST − S1"], rows)
                 .replace("<table>", "<table id='sobol-table'>", 1))
    each = f", up to n = {a['replicates']} replicates each" if a["replicates"] > 1 else ""
    notes = [f"N = {a['N']} rows of k + 2 = {a['k'] + 2} points ({a['N'] * (a['k'] + 2)} points{each})"]
    if a["rows_dropped"]:
        notes.append(f"{a['rows_dropped']} row(s) left out because a point in them has no gap value")
    parts.append(f"<p class='small'>{'; '.join(notes)}. Estimators: S1 Saltelli et al. (2010), ST Jansen (1999); "
                 f"see <code>xsector_analysis.sensitivity</code>.</p>")
    return "\n".join(parts)


# --- Morris --------------------------------------------------------------------------------

def _morris_noise_level(ds, values, delta: float) -> float:
    """μ* that seed noise alone gives a parameter without effect: the mean of |m' − m| / Δ for
    two point means of n replicates each, E|N(0, 2σ²/n)| / Δ = 2σ / (Δ √(π n))."""
    mean, n, _, _, pooled = sa._replicate_stats(sa._by_point(ds, values))
    reps = float(np.median(n[n > 0])) if (n > 0).any() else 0.0
    if not np.isfinite(pooled) or reps < 1:
        return float("nan")
    return 2.0 * math.sqrt(pooled) / (delta * math.sqrt(math.pi * reps))


def morris_section(ds, info, reducer) -> str:
    expected = _expected_points(ds, info, lambda k: k + 1)
    if not _complete(ds, expected):
        return _cut_short(ds, info, expected, "an elementary effect needs both points of its step")
    try:
        table = sa.morris(ds, METRIC, reducer=reducer, resamples=RESAMPLES, seed=SEED)
    except ValueError as err:
        return f"<p class='warn'>Morris effects could not be computed from this file: {e(str(err))}</p>"
    a = table.attrs
    noise = _morris_noise_level(ds, sa.run_values(ds, METRIC, reducer), a["delta"]) if a["replicates"] > 1 \
        else float("nan")
    fig = plot_morris(table, noise_level=noise)
    level = f"{a['level']:.0%}"
    rows = [[_param(path), _num(r.mu_star), f"{_num(r.mu_star_lower)} – {_num(r.mu_star_upper)}", _num(r.mu),
             _num(r.sigma), f"{_num(r.sigma_lower)} – {_num(r.sigma_upper)}"]
            for path, r in zip(table["path"], table.itertuples())]
    parts = [noise_sentence(a["noise_share"])]
    noise_text = (f" Dashed line: μ* ≈ {_num(noise)} that seed noise alone would give a parameter without effect "
                  f"(n = {a['replicates']} replicates per point); bars near it are within the noise."
                  if np.isfinite(noise) else "")
    parts.append(_figure("fig-morris", "Morris screening of the final-year public sector gap",
                         f"Left: μ* (mean absolute elementary effect) and σ (their standard deviation) per "
                         f"parameter, ranked by μ*; error bars: {level} percentile-bootstrap intervals over the "
                         f"r = {a['r']} trajectories ({a['resamples']} resamples, seed {a['seed']}). Right: σ "
                         f"against μ*.{noise_text}", fig))
    parts.append("<p><strong>How to read it.</strong> An elementary effect is the change of the final-year gap "
                 f"when one parameter moves by Δ = {a['delta']:.3g} of its range ({a['levels']} levels), "
                 "scaled to the whole range. <strong>μ*</strong> (mean of its absolute value) ranks the "
                 "parameters by influence; μ* near 0: the parameter can be fixed anywhere in its range. "
                 "<strong>μ</strong> keeps the sign (the direction of the effect). A large <strong>σ</strong> "
                 "against μ* means the effect depends on where the other parameters are: non-linearity or "
                 "interactions.</p>")
    parts.append(_table(["parameter", "μ*", f"μ* {level} interval", "μ", "σ", f"σ {level} interval"], rows)
                 .replace("<table>", "<table id='morris-table'>", 1))
    notes = [f"r = {a['r']} trajectories of k + 1 = {a['k'] + 1} points"]
    if a["trajectories_dropped"]:
        notes.append(f"{a['trajectories_dropped']} trajectorie(s) left out because a point in them has no gap value")
    parts.append(f"<p class='small'>{'; '.join(notes)}. Morris (1991), μ* of Campolongo et al. (2007).</p>")
    return "\n".join(parts)


# --- PRIM ----------------------------------------------------------------------------------

def _bounds_text(ds, name, lo, hi, categories) -> str:
    """A parameter's range [lo, hi] in its own terms: choices by name, booleans, numbers."""
    if name in categories:
        names = categories[name][int(math.ceil(lo - 1e-9)):int(math.floor(hi + 1e-9)) + 1]
        return ", ".join(f"<code>{e(str(c))}</code>" for c in names)
    kind = np.asarray(ds[name].values).dtype.kind
    if kind == "b":
        values = [v for v, x in (("false", 0.0), ("true", 1.0)) if lo <= x <= hi]
        return ", ".join(f"<code>{v}</code>" for v in values)
    if kind in "iu":
        lo, hi = int(round(lo)), int(round(hi))
    return _num(lo) if lo == hi else f"{_num(lo)} – {_num(hi)}"


def prim_section(ds, info, reducer) -> str:
    X, names, categories = sa.design_matrix(ds)
    values = sa.run_values(ds, METRIC, reducer)
    means = sa._replicate_stats(sa._by_point(ds, values))[0]
    ok = np.isfinite(means)
    finite = means[ok]
    if finite.size < PRIM_MIN_POINTS:
        return (f"<p class='small'>Scenario discovery (PRIM) is left out: it needs at least {PRIM_MIN_POINTS} "
                f"sweep points with a final-year gap, this sweep has {finite.size}.</p>")
    threshold = float(np.percentile(finite, PRIM_QUANTILE))
    try:
        result = sa.prim(ds, METRIC, threshold, interest="below", min_density=PRIM_MIN_DENSITY, reducer=reducer)
    except ValueError as err:
        return f"<p class='warn'>PRIM could not be run on this file: {e(str(err))}</p>"
    paths = swept_parameters(ds)
    box = result.box
    full = {n: (X[ok, j].min(), X[ok, j].max()) for j, n in enumerate(names)}
    restricted = [n for n in box.index if box.loc[n, "restricted"]]
    rows = [[_param(paths[n]), _bounds_text(ds, n, *full[n], categories),
             _bounds_text(ds, n, box.loc[n, "lower"], box.loc[n, "upper"], categories)] for n in restricted]
    free = [n for n in box.index if not box.loc[n, "restricted"]]
    reps = "the mean over its replicates" if info.replicates > 1 else "its single run"
    parts = [f"<p>Cases of interest: the sweep points whose final-year public sector gap ({reps}) is below its "
             f"{PRIM_QUANTILE}th percentile over the {finite.size} points, "
             f"<strong class='prim-threshold'>gap &lt; {_num(threshold)}</strong>: {result.cases} points. PRIM "
             f"(Friedman &amp; Fisher 1999) peels a box over the parameters onto them, {result.alpha:.0%} of the "
             f"box's points at a time, keeping the peel that leaves the highest share of cases in the box.</p>"]
    chosen = (f"the first box on the trajectory whose density reaches {PRIM_MIN_DENSITY:.0%}"
              if result.density >= PRIM_MIN_DENSITY else
              f"the densest box (none reaches a density of {PRIM_MIN_DENSITY:.0%})")
    parts.append(_figure("fig-prim", "Where is the final-year gap small: PRIM's coverage–density trade-off",
                         "Each dot is a box of the peeling trajectory, from the whole sweep (right) to the "
                         "smallest box (left). <em>Coverage</em>: share of all cases of interest inside the box; "
                         "<em>density</em>: share of the box's points that are cases. Circled: the chosen box, "
                         f"{chosen}.", plot_prim_tradeoff(result)))
    parts.append(f"<p>The chosen box (step {result.chosen}) holds {result.mass:.0%} of the points, "
                 f"<strong>{result.coverage:.0%} of the cases of interest (coverage)</strong>, and "
                 f"<strong>{result.density:.0%} of its points are cases (density)</strong>, against "
                 f"{float(result.trajectory['density'].iloc[0]):.0%} over the whole sweep.</p>")
    if rows:
        parts.append("<p>Its bounds on the parameters it restricts (where the gap tends to be small):</p>"
                     + _table(["parameter", "range in the sweep", "chosen box"], rows)
                     .replace("<table>", "<table id='prim-box'>", 1))
    else:
        parts.append("<p>The chosen box restricts no parameter.</p>")
    if free and rows:
        parts.append("<p class='small'>Not restricted (their whole range is in the box): "
                     + "; ".join(_param(paths[n]) for n in free) + ".</p>")
    return "\n".join(parts)


# --- the sections ---------------------------------------------------------------------------

def sensitivity_sections(ds, info, gap=None) -> str:
    """HTML of the sensitivity and scenario-discovery sections for a sampled sweep ('' for
    other files). gap: the final-year public_sector_gap per run (a DataArray over `run`),
    if the caller already has it."""
    method = info.sweep_method
    if method not in SAMPLED or not info.swept or METRIC not in ds:
        return ""
    if gap is None:
        gap = final_year(ds, METRIC)
    reducer = lambda _ds, _metric: gap  # noqa: E731  (read the gap once for every estimator)
    out = []
    if method in ("sobol", "morris"):
        body = sobol_section(ds, info, reducer) if method == "sobol" else morris_section(ds, info, reducer)
        out.append(f"<h2 id='sensitivity'>Which parameters drive the public sector gap</h2>\n{body}")
    out.append(f"<h2 id='scenario-discovery'>Where is the final-year gap small (scenario discovery)</h2>\n"
               f"{prim_section(ds, info, reducer)}")
    return "\n".join(out)
