"""Tidy tables, yearly aggregation and replicate summaries.

Yearly values
-------------
Metrics are recorded per tick. `yearly(ds, metric)` turns them into values per simulated
year (complete years only), following MODEL.md section 8:

* flows (units "... per tick": spending, engagements, starts, grants, ...) are summed over
  the ticks of the year, and their units become "... per year";
* states (capacity, toolkit share, funds held, slots, pool, participation) take the value
  at the last tick of the year (end of year);
* the gap indicators (public_support_share, public_participation_share,
  public_sector_gap, public_support_ratio) are recomputed from the year's totals:
  government support spending / all support spending over the year, and government
  collaboration participation / all participation summed over the ticks of the year
  (member-ticks). A per-tick share is NaN whenever nothing was spent in that tick; the
  yearly share is NaN only if nothing was spent all year.

Replicate intervals
-------------------
`summarize` reports, per group (by default a sweep point) and year, the mean over
replicates and a 95% Student t confidence interval for that mean:
mean ± t(0.975, n−1) · s / √n, with s the sample standard deviation over the n
replicates that have a finite value. We use a t-interval, not a percentile interval,
because the question is "what is the expected outcome at this point, and how sure are
we?" — replicates are independent draws (independent seeds), the mean over replicates is
what the curves show, and sweeps usually have 2–20 replicates, far too few to estimate
2.5th and 97.5th percentiles. With a single replicate there is no estimate of the spread:
`std`, `lower` and `upper` are NaN (not zero), and plots draw the mean without a band.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from .io import open_results, run_coordinates, swept_parameters, ticks_per_year

GAP_METRICS = ("public_support_share", "public_participation_share", "public_sector_gap", "public_support_ratio")
GOVERNMENT = "government"


# --- Student t quantile (no scipy needed) -------------------------------------------------

def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularized incomplete beta function (Lentz's method)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """CDF of Student's t distribution."""
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """Quantile of Student's t distribution (bisection on t_cdf; exact to ~1e-12)."""
    if not 0.0 < p < 1.0 or not df > 0:
        return math.nan
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


# --- yearly values ------------------------------------------------------------------------

def _is_flow(da: xr.DataArray) -> bool:
    return "per tick" in str(da.attrs.get("units", ""))


def _run_coord_values(ds: xr.Dataset) -> dict:
    return {c: ("run", np.asarray(ds[c].values)) for c in run_coordinates(ds) if c in ds.coords}


def _by_year(ds: xr.Dataset, metric: str, how: str) -> xr.DataArray:
    """Aggregate a metric's ticks into complete years: how = 'sum' or 'last'."""
    da = ds[metric]
    tpy = ticks_per_year(ds)
    years = ds.sizes["tick"] // tpy
    if years == 0:
        raise ValueError(f"the file holds {ds.sizes['tick']} ticks, less than one year of {tpy} ticks")
    values = np.asarray(da.isel(tick=slice(0, years * tpy)).values, dtype=float)
    shaped = values.reshape(values.shape[0], years, tpy, *values.shape[2:])
    out = shaped.sum(axis=2) if how == "sum" else shaped[:, :, -1]
    dims = ("run", "year") + da.dims[2:]
    coords = {"run": ds["run"].values, "year": np.arange(years)}
    for d in da.dims[2:]:
        coords[d] = ds[d].values
    coords.update(_run_coord_values(ds))
    attrs = dict(da.attrs)
    if how == "sum":
        attrs["units"] = str(attrs.get("units", "")).replace("per tick", "per year")
    return xr.DataArray(out, dims=dims, coords=coords, name=metric, attrs=attrs)


def yearly(ds: xr.Dataset, metric: str) -> xr.DataArray:
    """A metric per complete simulated year: [run, year(, sector | stage)] (see module doc)."""
    if metric not in ds:
        raise KeyError(f"no metric {metric!r} in this file")
    if metric in GAP_METRICS and "support_spending" in ds and "collab_participation" in ds:
        spend = _by_year(ds, "support_spending", "sum")
        part = _by_year(ds, "collab_participation", "sum")
        with np.errstate(invalid="ignore", divide="ignore"):
            total_spend = spend.sum("sector")
            support = (spend.sel(sector=GOVERNMENT) / total_spend).where(total_spend > 0)
            total_part = part.sum("sector")
            participation = (part.sel(sector=GOVERNMENT) / total_part).where(total_part > 0)
            values = {
                "public_support_share": support,
                "public_participation_share": participation,
                "public_sector_gap": participation - support,
                "public_support_ratio": (support / participation).where(participation > 0),
            }[metric]
        values = values.drop_vars("sector", errors="ignore")
        values.name = metric
        values.attrs = dict(ds[metric].attrs)
        values.attrs["yearly"] = "recomputed from yearly totals of support_spending and collab_participation"
        return values
    return _by_year(ds, metric, "sum" if _is_flow(ds[metric]) else "last")


def final_year(ds: xr.Dataset, metric: str) -> xr.DataArray:
    """The metric in the last complete year: [run(, sector | stage)]."""
    return yearly(ds, metric).isel(year=-1)


def total(ds: xr.Dataset, metric: str) -> xr.DataArray:
    """A flow summed over every tick of the run: [run(, sector | stage)]."""
    da = ds[metric]
    out = xr.DataArray(np.asarray(da.values, dtype=float).sum(axis=1), dims=("run",) + da.dims[2:],
                       coords={"run": ds["run"].values, **{d: ds[d].values for d in da.dims[2:]}},
                       name=metric, attrs=dict(da.attrs))
    return out.assign_coords(_run_coord_values(ds))


# --- tidy frames --------------------------------------------------------------------------

def _run_table(ds: xr.Dataset) -> pd.DataFrame:
    cols = {c: np.asarray(ds[c].values) for c in run_coordinates(ds) if c in ds.coords}
    return pd.DataFrame(cols, index=pd.Index(np.asarray(ds["run"].values), name="run"))


def to_frame(ds: xr.Dataset, metric: str, time: str = "tick") -> pd.DataFrame:
    """A tidy DataFrame of one metric: one row per run, time step (and sector or stage).

    Columns: run, point, replicate, each swept parameter (by its coordinate name),
    then tick and year (time="tick") or year alone (time="year", values of `yearly`),
    then sector or stage if the metric has one, then value.
    Only the metric's data is read; select runs first (`ds.isel(run=...)`) to read less.
    """
    if time not in ("tick", "year"):
        raise ValueError("time must be 'tick' or 'year'")
    if time == "tick":
        da = ds[metric]
        values = np.asarray(da.values, dtype=float)
        index = {"run": np.asarray(ds["run"].values), "tick": np.asarray(ds["tick"].values)}
    else:
        da = yearly(ds, metric)
        values = np.asarray(da.values, dtype=float)
        index = {"run": np.asarray(ds["run"].values), "year": np.asarray(da["year"].values)}
    for d in da.dims[2:]:
        index[d] = np.asarray(da[d].values)
    mi = pd.MultiIndex.from_product(list(index.values()), names=list(index))
    frame = pd.DataFrame({"value": values.reshape(-1)}, index=mi).reset_index()
    if time == "tick":
        year = pd.Series(np.asarray(ds["year"].values) if "year" in ds.coords
                         else np.asarray(ds["tick"].values) / ticks_per_year(ds),
                         index=np.asarray(ds["tick"].values))
        frame.insert(2, "year", frame["tick"].map(year))
    frame = frame.join(_run_table(ds), on="run")
    front = ["run"] + [c for c in _run_table(ds).columns]
    return frame[front + [c for c in frame.columns if c not in front]]


# --- replicate summaries ------------------------------------------------------------------

def interval(values, level: float = 0.95) -> tuple[int, float, float, float, float]:
    """(n, mean, std, lower, upper) of the finite values: Student t interval for the mean."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = v.size
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    mean = float(v.mean())
    if n < 2:
        return 1, mean, math.nan, math.nan, math.nan
    std = float(v.std(ddof=1))
    half = t_quantile(0.5 + level / 2.0, n - 1) * std / math.sqrt(n)
    return n, mean, std, mean - half, mean + half


def _summarize_frame(frame: pd.DataFrame, keys: list[str], level: float) -> pd.DataFrame:
    rows = []
    for key, group in frame.groupby(keys, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        rows.append(key + interval(group["value"].to_numpy(), level))
    return pd.DataFrame(rows, columns=keys + ["n", "mean", "std", "lower", "upper"])


def summarize(ds: xr.Dataset, metric: str, by="point", time: str = "year", level: float = 0.95) -> pd.DataFrame:
    """Mean over replicates and a `level` t-interval per group and time step.

    by : "point" (default: each sweep point), the name of a swept-parameter coordinate
        (marginal over the other parameters), a list of those, or None (all runs).
    time : "year" (yearly values, see `yearly`), "tick" (per tick, with a year column),
        or "final" (the last complete year only).
    Columns: the `by` keys (for by="point" also the swept parameters of each point),
    year (and tick), sector or stage if any, n, mean, std, lower, upper.
    `lower`/`upper` are NaN when fewer than two replicates have a value.
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if time == "final":
        frame = to_frame(ds, metric, time="year")
        frame = frame[frame["year"] == frame["year"].max()]
        time_keys = ["year"]
    elif time in ("tick", "year"):
        frame = to_frame(ds, metric, time=time)
        time_keys = ["tick", "year"] if time == "tick" else ["year"]
    else:
        raise ValueError("time must be 'year', 'tick' or 'final'")
    label_keys = [d for d in ("sector", "stage") if d in frame.columns]
    out = _summarize_frame(frame, keys + time_keys + label_keys, level)
    if keys == ["point"]:
        params = list(swept_parameters(ds))
        if params:
            per_point = frame.groupby("point")[params].first()
            out = out.join(per_point, on="point")
            out = out[["point"] + params + [c for c in out.columns if c not in ["point"] + params]]
    out.attrs["metric"] = metric
    out.attrs["units"] = ds[metric].attrs.get("units", "")
    out.attrs["level"] = level
    return out


# --- comparing scenarios, interventions or sweep points ------------------------------------

def is_comparison(ds: xr.Dataset) -> bool:
    """True for the file of `xsector compare` (root attribute kind = "comparison"): its
    sweep points are scenarios ("arms"), named by the `arm` coordinate, base first."""
    return str(ds.attrs.get("kind", "")) == "comparison" and "arm" in ds.coords


def _attr_list(ds: xr.Dataset, name: str) -> list:
    value = ds.attrs.get(name, [])
    return [value] if isinstance(value, str) else list(value or [])


def arm_name(ds: xr.Dataset, point: int) -> str:
    """The name of arm `point` of a comparison file (its scenario file's stem)."""
    runs = np.flatnonzero(np.asarray(ds["point"].values) == point)
    if runs.size and "arm" in ds.coords:
        return str(ds["arm"].values[runs[0]])
    names = _attr_list(ds, "arms")
    return str(names[point]) if 0 <= point < len(names) else f"arm {point}"


def point_label(ds: xr.Dataset, point: int) -> str:
    """'path=value, path=value' for a sweep point (the scenario name for a lone run, the
    arm's name for an arm of a comparison file)."""
    if is_comparison(ds):
        return arm_name(ds, point)
    params = swept_parameters(ds)
    if not params:
        return str(ds.attrs.get("scenario_name", f"point {point}"))
    runs = np.flatnonzero(np.asarray(ds["point"].values) == point)
    if runs.size == 0:
        return f"point {point}"
    return ", ".join(f"{path}={_fmt(ds[name].values[runs[0]])}" for name, path in params.items())


def _fmt(v) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.4g}"
    return str(v)


def arm_details(ds: xr.Dataset) -> list[dict]:
    """The arms of a comparison file, in file order (the base first): a list of dicts
    {point, name, description, interventions, scenario_toml, parameters}. description is
    the arm's [scenario] description ("" if none); interventions are its
    `intervention_windows` (from the arm's resolved parameters, else its scenario file)."""
    from .io import _toml
    names = _attr_list(ds, "arms")
    scenarios = _attr_list(ds, "arm_scenarios")
    parameters = _attr_list(ds, "arm_parameters")
    points = [int(p) for p in np.unique(np.asarray(ds["point"].values))] if "point" in ds.coords else []
    if not names:
        names = [arm_name(ds, p) for p in points]
    horizon = _horizon(ds)
    out = []
    for k, name in enumerate(names):
        text = scenarios[k] if k < len(scenarios) else ""
        resolved = parameters[k] if k < len(parameters) else ""
        scenario = _toml(text)
        head = scenario.get("scenario") if isinstance(scenario.get("scenario"), dict) else {}
        out.append(dict(point=k, name=str(name), description=str(head.get("description", "")),
                        interventions=_windows(_toml(resolved), scenario, horizon, set()),
                        scenario_toml=text, parameters=resolved))
    return out


def arms(results, labels=None) -> list[tuple[str, xr.Dataset]]:
    """Normalise what is being compared into a list of (label, Dataset) arms.

    results : a path or Dataset, a list of them, or a dict {label: path or Dataset}.
    A file with several sweep points gives one arm per point, labelled
    "scenario: path=value"; a file with one point is labelled by its scenario_name.
    A comparison file (`xsector compare`) gives its arms in file order, the base first,
    labelled by their names ("label: name" when given in a dict); each arm's Dataset
    carries that arm's scenario_name, scenario_toml and resolved_parameters, so that
    `intervention_windows` and the plots see the arm's own interventions.
    labels : optional list of labels replacing those, in order.
    """
    if isinstance(results, dict):
        items = [(str(k), v) for k, v in results.items()]
    elif isinstance(results, (list, tuple)):
        items = [(None, v) for v in results]
    else:
        items = [(None, results)]
    out = []
    for label, item in items:
        ds = item if isinstance(item, xr.Dataset) else open_results(item)
        point_of_run = np.asarray(ds["point"].values)
        points = np.unique(point_of_run)
        name = str(ds.attrs.get("scenario_name", "results"))
        if is_comparison(ds):
            details = {d["point"]: d for d in arm_details(ds)}
            for p in points:
                sub = ds.isel(run=np.flatnonzero(point_of_run == p))
                arm = arm_name(ds, int(p))
                d = details.get(int(p))
                if d is not None:
                    sub = sub.assign_attrs(scenario_name=arm, scenario_toml=d["scenario_toml"],
                                           resolved_parameters=d["parameters"] or ds.attrs.get("resolved_parameters", ""))
                out.append((f"{label}: {arm}" if label else arm, sub))
            continue
        if points.size <= 1:
            out.append((label or name, ds))
            continue
        for p in points:
            sub = ds.isel(run=np.flatnonzero(point_of_run == p))
            prefix = label or name
            out.append((f"{prefix}: {point_label(ds, int(p))}", sub))
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(out):
            raise ValueError(f"{len(labels)} labels given for {len(out)} arms")
        out = [(lab, ds) for lab, (_, ds) in zip(labels, out)]
    return out


def _arm_coordinate(ds: xr.Dataset):
    """The coordinate holding a sweep's arm (swept path "arm"), or None."""
    for name, path in swept_parameters(ds).items():
        if path == "arm":
            return name
    return None


def _sweep_with_arms(results):
    """The Dataset of `results` when it is one sweep file with [sweep.arms] (not a comparison
    file), else None."""
    if isinstance(results, (list, tuple, dict)):
        return None
    ds = results if isinstance(results, xr.Dataset) else open_results(results)
    if is_comparison(ds) or _arm_coordinate(ds) is None:
        return None
    return ds


def _sweep_arms(ds: xr.Dataset, labels=None):
    """([(arm name, its runs)] in file order, the pairing coordinates): the arms of a sweep
    with [sweep.arms], each with every design point; runs pair on the design's swept
    parameters and the replicate."""
    name = _arm_coordinate(ds)
    values = np.asarray(ds[name].values).tolist()
    out = []
    for arm in dict.fromkeys(values):
        runs = np.flatnonzero([v == arm for v in values])
        out.append((str(arm), ds.isel(run=runs).assign_attrs(scenario_name=str(arm))))
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(out):
            raise ValueError(f"{len(labels)} labels given for {len(out)} arms")
        out = [(lab, sub) for lab, (_, sub) in zip(labels, out)]
    by = tuple(c for c in swept_parameters(ds) if c != name) + ("replicate",)
    return out, by


def _final_values(ds: xr.Dataset, metric: str, sector=None) -> np.ndarray:
    da = final_year(ds, metric)
    if "sector" in da.dims:
        da = da.sel(sector=sector) if sector is not None else da.sum("sector")
    if "stage" in da.dims:
        da = da.sum("stage")
    return np.asarray(da.values, dtype=float)


def _pair_keys(ds: xr.Dataset, by) -> list:
    """Each run's pairing key: its `replicate` (by = ("replicate",)), or the tuple of the
    values of the coordinates `by` (a sweep's design point and the replicate)."""
    columns = [np.asarray(ds[c].values).tolist() for c in by]
    return columns[0] if len(columns) == 1 else list(zip(*columns))


def _pairing(base_label: str, base: xr.Dataset, label: str, arm: xr.Dataset,
             by=("replicate",)) -> tuple[np.ndarray, np.ndarray]:
    """Run indices (into base, into arm) matched on `replicate` (or on the coordinates `by`:
    for the arms of a sweep, the swept parameters of the design and the replicate);
    ValueError saying why the two arms cannot be paired when they do not hold the same
    replicates with equal seeds."""
    why = f"cannot pair {label!r} with {base_label!r}"
    what = "replicate" if tuple(by) == ("replicate",) else "design point and replicate"
    for lab, ds in ((base_label, base), (label, arm)):
        if "seed" not in ds.coords:
            raise ValueError(f"{why}: {lab!r} records no seeds, so common random numbers cannot be checked; "
                             f"compare them unpaired (paired=False)")
        keys = _pair_keys(ds, by)
        if len(set(keys)) != len(keys):
            raise ValueError(f"{why}: {lab!r} holds the same {what} more than once (runs of several "
                             f"scenarios or sweep points?); paired differences need one run per {what}")
    rb, ra = _pair_keys(base, by), _pair_keys(arm, by)
    if set(rb) != set(ra):
        only_b = sorted(set(rb) - set(ra))
        only_a = sorted(set(ra) - set(rb))
        raise ValueError(f"{why}: they do not hold the same {what}s (only in {base_label!r}: {only_b}; only in "
                         f"{label!r}: {only_a}; an unfinished run dropped?); paired differences need every "
                         f"{what} in both arms, or compare them unpaired (paired=False)")
    ib = np.array(sorted(range(len(rb)), key=rb.__getitem__), dtype=np.int64)
    where = {key: k for k, key in enumerate(ra)}
    ia = np.array([where[rb[k]] for k in ib], dtype=np.int64)
    sb, sa = np.asarray(base["seed"].values)[ib], np.asarray(arm["seed"].values)[ia]
    differ = np.flatnonzero(sb != sa)
    if differ.size:
        key = rb[ib[differ[0]]]
        r = f"replicate {int(key)}" if what == "replicate" else f"{what} {key}"
        raise ValueError(f"{why}: {r} has seed {sa[differ[0]]} in {label!r} but {sb[differ[0]]} in "
                         f"{base_label!r} ({differ.size} of {sb.size} replicates differ): the runs do not share "
                         f"common random numbers, so their differences are not paired. Run the scenarios with "
                         f"`xsector compare`, or compare them unpaired (paired=False)")
    return ib, ia


def verdict(metric: str, lower: float, upper: float) -> str:
    """A paired difference's 95% interval in words: "not distinguishable from no change"
    when it includes 0; else "narrows the gap" / "widens the gap" for public_sector_gap
    and "lower" / "higher" for other metrics."""
    if not (np.isfinite(lower) and np.isfinite(upper)):
        return "no interval (fewer than two paired replicates)"
    if lower <= 0.0 <= upper:
        return "not distinguishable from no change"
    if metric == "public_sector_gap":
        return "narrows the gap" if upper < 0.0 else "widens the gap"
    return "lower" if upper < 0.0 else "higher"


def compare(results, metric: str = "public_sector_gap", sector=None, labels=None, level: float = 0.95,
            paired=None) -> pd.DataFrame:
    """Final-year mean and t-interval of `metric` for each arm (see `arms`).

    For a per-sector metric pass `sector` (e.g. "government"); otherwise sectors are summed.
    Columns: label, n, mean, std, lower, upper.

    paired : True adds each arm's difference from the first arm (the base), paired on
        `replicate`: columns delta (mean over replicates of arm − base), delta_lower and
        delta_upper (its `level` Student t interval, from the spread of the per-replicate
        differences), n_pairs and verdict (`verdict`: "not distinguishable from no change",
        "narrows the gap"/"widens the gap" for the gap, "lower"/"higher" otherwise; "base"
        for the first arm, whose delta is 0 and has no interval). Arms are paired only if
        they hold the same replicates with equal seeds (common random numbers, as in the
        file of `xsector compare`, or runs of scenarios with the same simulation.seed);
        otherwise ValueError says why. None (default) pairs when `results` is a single
        comparison file — the file is made for it, and pairing removes most of the
        seed-to-seed noise from the differences — and does not otherwise.
        A sweep with `[sweep.arms]` (one file) and paired=True compares its arms instead of
        its points: each arm holds all its design points, and replicate r of design point k
        has the same seed under every arm, so the pairs are (design point, replicate) and
        delta is the mean over the design's points and replicates of arm − base arm.
    """
    by = ("replicate",)
    sweep = _sweep_with_arms(results) if paired is True else None
    if sweep is not None:
        arm_list, by = _sweep_arms(sweep, labels)
    else:
        arm_list = arms(results, labels)
    if paired is None:
        items = len(results) if isinstance(results, (list, tuple, dict)) else 1
        paired = items == 1 and len(arm_list) > 1 and all(is_comparison(ds) for _, ds in arm_list)
    rows, values = [], []
    for label, ds in arm_list:
        v = _final_values(ds, metric, sector)
        values.append(v)
        rows.append((label,) + interval(v, level))
    out = pd.DataFrame(rows, columns=["label", "n", "mean", "std", "lower", "upper"])
    if paired:
        base_label, base = arm_list[0]
        deltas = []
        for k, (label, ds) in enumerate(arm_list):
            if k == 0:
                deltas.append((0.0, math.nan, math.nan, int(np.isfinite(values[0]).sum()), "base"))
                continue
            ib, ia = _pairing(base_label, base, label, ds, by)
            n, mean, _, lo, hi = interval(values[k][ia] - values[0][ib], level)
            deltas.append((mean, lo, hi, n, verdict(metric, lo, hi)))
        out = pd.concat([out, pd.DataFrame(deltas, columns=["delta", "delta_lower", "delta_upper", "n_pairs",
                                                            "verdict"])], axis=1)
    out.attrs.update(metric=metric, level=level, paired=bool(paired),
                     base=arm_list[0][0] if arm_list else None)
    return out


DELTA_METRICS = ("public_sector_gap", "public_participation_share", "public_support_share")


def _signed(v: float) -> str:
    return ("+" if v > 0 else "") + format_value(v)


def _bounds(lo: float, hi: float, level: float) -> str:
    return f"{level:.0%} interval {format_value(lo)} to {format_value(hi)}"


def comparison_verdicts(results, level: float = 0.95, labels=None) -> list[dict]:
    """The verdict of each arm after the first (the base), in sentences: the paired
    difference of the final-year public sector gap with its interval, then how the two
    shares behind it moved (government share of participation and of support spending).
    A list of dicts {label, verdict, sentence}; `compare(..., paired=True)` for each of
    DELTA_METRICS gives the numbers (ValueError if the arms cannot be paired)."""
    tables = {m: compare(results, metric=m, labels=labels, level=level, paired=True) for m in DELTA_METRICS}
    gap = tables["public_sector_gap"]
    base = gap["label"].iloc[0]
    out = []
    for k in range(1, len(gap)):
        row = gap.iloc[k]
        pairs = f"{int(row['n_pairs'])} paired replicate{'s' if row['n_pairs'] != 1 else ''}"
        if row["verdict"] in ("narrows the gap", "widens the gap"):
            size = sorted((abs(row["delta_lower"]), abs(row["delta_upper"])))
            first = (f"{row['label']} {row['verdict'].split()[0]} the public sector gap by "
                     f"{format_value(abs(row['delta']))} ({_bounds(*size, level)}) compared with {base} in the "
                     f"final year ({pairs}).")
        elif row["verdict"] == "not distinguishable from no change":
            first = (f"{row['label']}: the final-year public sector gap is not distinguishable from no change "
                     f"compared with {base} (Δ {_signed(row['delta'])}, {_bounds(row['delta_lower'], row['delta_upper'], level)}; "
                     f"{pairs}).")
        else:
            first = (f"{row['label']}: the final-year public sector gap differs from {base} by "
                     f"{_signed(row['delta'])}, but with {pairs} there is no interval to judge it by.")
        parts = []
        for metric, what in (("public_participation_share", "the government's share of collaboration participation"),
                             ("public_support_share", "its share of support spending")):
            r = tables[metric].iloc[k]
            if r["verdict"] in ("higher", "lower"):
                parts.append(f"{what} is {r['verdict']} by {format_value(abs(r['delta']))} "
                             f"({_bounds(*sorted((abs(r['delta_lower']), abs(r['delta_upper']))), level)})")
            elif r["verdict"] == "not distinguishable from no change":
                parts.append(f"{what} is not distinguishable from no change (Δ {_signed(r['delta'])}, "
                             f"{_bounds(r['delta_lower'], r['delta_upper'], level)})")
            else:
                parts.append(f"{what} differs by {_signed(r['delta'])} (no interval)")
        second = "Behind it, " + " and ".join(parts) + "."
        out.append(dict(label=row["label"], verdict=row["verdict"], sentence=first + " " + second))
    return out


def cost_effectiveness(results, baseline=0, cost=None, cost_metric: str = "support_spending",
                       cost_sectors=(GOVERNMENT,), labels=None, level: float = 0.95) -> pd.DataFrame:
    """How much of the public sector gap each arm closes per dollar, relative to a baseline.

    Gap closed = baseline's final-year public_sector_gap − the arm's (positive: the
    public sector is less underserved). Means are over each arm's replicates.

    How cost is estimated. The model has no price tag for an intervention, so by default
    the cost of an arm is the extra money it puts into support for the public sector:
    the arm's `cost_metric` (default support_spending, USD per tick, which counts every
    engagement bought at full price, paid from budgets, grants or vouchers) summed over
    every tick of the run and over `cost_sectors` (default government), minus the same
    total in the baseline, averaged over replicates. This counts a government budget
    increase and foundation money reaching governments alike, as dollars of support the
    public sector received; it does not count money that was granted but never spent
    (see funds_expired, foundation_unspent), nor the cost of interventions that move no
    money in the model (graduate programs, dissemination, knowledge mobilisation,
    compliance toolkits) — for those pass `cost={label: dollars}`, which overrides the
    estimate for the arms it names.

    Columns: label, n, gap, gap_lower, gap_upper, gap_closed, gap_closed_lower,
    gap_closed_upper, extra_support_total, extra_cost, cost_source,
    gap_closed_per_million_usd, per_million_lower, per_million_upper, n_pairs, rank. The
    per-dollar figure is NaN when the extra cost is zero or negative (nothing to divide by);
    `rank` orders the arms by it (1 = closes the most gap per dollar).

    Intervals, where the arms are paired (`compare`'s rule: the same replicates with equal
    seeds, as in a comparison file): gap_closed_lower/upper is the `level` paired Student t
    interval of the per-replicate gap closed (base − arm), and
    per_million_lower/upper is Fieller's interval for the ratio of the mean gap closed to
    the mean extra cost, both taken per replicate pair (with a given cost, that cost is
    fixed and the interval is the gap closed's divided by it). Fieller's interval is
    unbounded, and given as NaN, when the extra cost itself is not distinguishable from 0;
    NaN too with fewer than two pairs or for arms that cannot be paired (n_pairs 0). A rank
    means little where these intervals overlap: treat such arms as tied.
    """
    arm_list = arms(results, labels)
    names = [lab for lab, _ in arm_list]
    base_index = names.index(baseline) if isinstance(baseline, str) else int(baseline)
    cost = dict(cost or {})
    stats = []
    for label, ds in arm_list:
        finals = np.asarray(final_year(ds, "public_sector_gap").values, dtype=float)
        gap = interval(finals, level)
        spend = total(ds, cost_metric)
        if "sector" in spend.dims:
            all_support = float(spend.sum("sector").mean("run"))
            spend = spend.sel(sector=list(cost_sectors)).sum("sector")
        else:
            all_support = float(spend.mean("run"))
        stats.append((label, gap, float(spend.mean("run")), all_support, finals,
                      np.asarray(spend.values, dtype=float), ds))
    base = stats[base_index]
    rows = []
    for k, (label, gap, spent, all_support, finals, spends, ds) in enumerate(stats):
        if label in cost:
            extra, source = float(cost[label]), "given"
        else:
            extra, source = spent - base[2], f"estimated: extra {cost_metric} ({'+'.join(cost_sectors)})"
        closed = base[1][1] - gap[1]
        per_million = closed / (extra / 1e6) if extra > 0 else math.nan
        closed_ci, per_ci, pairs = (math.nan, math.nan), (math.nan, math.nan), 0
        if k != base_index:
            try:
                ib, ia = _pairing(base[0], base[6], label, ds)
            except ValueError:
                ib = ia = None
            if ib is not None:
                closed_pairs = base[4][ib] - finals[ia]
                cost_pairs = np.full(ia.size, extra) if label in cost else spends[ia] - base[5][ib]
                pairs, _, _, lo, hi = interval(closed_pairs, level)
                closed_ci = (lo, hi)
                if extra > 0:
                    per_ci = ratio_interval(closed_pairs, cost_pairs / 1e6, level)
        rows.append(dict(label=label, n=gap[0], gap=gap[1], gap_lower=gap[3], gap_upper=gap[4],
                         gap_closed=closed, gap_closed_lower=closed_ci[0], gap_closed_upper=closed_ci[1],
                         extra_support_total=all_support - base[3], extra_cost=extra,
                         cost_source=source, gap_closed_per_million_usd=per_million,
                         per_million_lower=per_ci[0], per_million_upper=per_ci[1], n_pairs=pairs))
    out = pd.DataFrame(rows)
    out["rank"] = out["gap_closed_per_million_usd"].rank(ascending=False, method="min")
    out.attrs.update(baseline=names[base_index], cost_metric=cost_metric, level=level)
    return out


def ratio_interval(numerator, denominator, level: float = 0.95) -> tuple[float, float]:
    """Fieller's `level` interval for mean(numerator) / mean(denominator) from paired
    observations (one pair per replicate; pairs with a NaN are left out): the values R
    with (n̄ − R·d̄)² ≤ t²·Var(n̄ − R·d̄), t the Student t quantile with n − 1 degrees
    of freedom. (NaN, NaN) with fewer than two pairs, or when the denominator's mean is
    not distinguishable from 0 (the interval is then unbounded). With a constant
    denominator it is the t-interval of the numerator's mean divided by it."""
    a = np.asarray(numerator, dtype=float)
    b = np.asarray(denominator, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    n = a.size
    if n < 2:
        return math.nan, math.nan
    t = t_quantile(0.5 + level / 2.0, n - 1)
    ma, mb = float(a.mean()), float(b.mean())
    vaa = float(a.var(ddof=1)) / n
    vbb = float(b.var(ddof=1)) / n
    vab = float(((a - ma) * (b - mb)).sum() / (n - 1)) / n
    qa = mb * mb - t * t * vbb
    if qa <= 0:
        return math.nan, math.nan
    qb = ma * mb - t * t * vab
    qc = ma * ma - t * t * vaa
    root = math.sqrt(max(qb * qb - qa * qc, 0.0))
    return (qb - root) / qa, (qb + root) / qa


# --- words and numbers for people -----------------------------------------------------------

LABELS = {
    "public_sector_gap": "public sector gap",
    "public_support_share": "government share of support spending",
    "public_participation_share": "government share of collaboration participation",
    "public_support_ratio": "support share ÷ participation share (government)",
    "support_spending": "support spending",
    "collab_participation": "collaboration participation (member-ticks)",
}


def human_label(metric: str, ds: xr.Dataset | None = None) -> str:
    """What a metric is called where people read it: a fixed name for the gap indicators,
    else the metric's long_name (without its parenthetical remarks), else the name with
    spaces for underscores."""
    if metric in LABELS:
        return LABELS[metric]
    long_name = str(ds[metric].attrs.get("long_name", "")) if ds is not None and metric in ds else ""
    long_name = long_name.split(" (")[0].strip()
    return long_name or metric.replace("_", " ")


def human_units(units: str) -> str:
    """Units as shown to people: '' for dimensionless, 'USD per year' → '$ per year'."""
    units = str(units or "")
    if units in ("", "1"):
        return ""
    return units.replace("USD", "$")


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def format_value(value, units: str = "") -> str:
    """A number for a table: money as '$80,000', large counts with thousands separators,
    shares and other small numbers to 3 significant digits; '–' for NaN. Numbers below
    0.0001 in size are written with a power of ten, '-2.1×10⁻⁵', never as '-2.1e-05'."""
    if value is None:
        return ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "–"
    if str(units).startswith("USD"):
        return f"-${abs(v):,.0f}" if v < 0 else f"${v:,.0f}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if v == 0:
        return "0"
    if float(v).is_integer() and abs(v) < 1000:
        return f"{v:.0f}"
    if abs(v) >= 1e-4:
        return f"{v:.3g}"
    text = f"{v:.3g}"
    if "e" not in text:                            # 9.999e-05 rounds up to 0.0001
        return text
    mantissa, exponent = text.split("e")           # '-2.1', '-05'
    return f"{mantissa}×10{str(int(exponent)).translate(SUPERSCRIPT)}"


def _horizon(ds: xr.Dataset) -> float:
    from .io import _toml
    sim = _toml(ds.attrs.get("resolved_parameters")).get("simulation", {}) or \
        _toml(ds.attrs.get("scenario_toml")).get("simulation", {})
    return ds.sizes["tick"] / ticks_per_year(ds) if "tick" in ds.sizes else float(sim.get("years", 0))


def _windows(resolved: dict, scenario: dict, horizon: float, swept_paths: set) -> list[dict]:
    items = resolved.get("intervention") or scenario.get("intervention") or []
    sim = resolved.get("simulation", {}) or scenario.get("simulation", {})
    out = []
    for k, item in enumerate(i for i in items if isinstance(i, dict)):
        start = float(item.get("start_year", 0.0))
        end = float(item.get("end_year", sim.get("years", horizon)))
        out.append(dict(type=str(item.get("type", "?")), start=start, end=min(end, horizon) if horizon else end,
                        swept=bool({f"intervention.{k}.start_year", f"intervention.{k}.end_year"} & swept_paths)))
    return out


def intervention_windows(ds: xr.Dataset) -> list[dict]:
    """The scenario's interventions with their active years: a list of dicts
    {type, start, end, swept}. start/end come from the resolved parameters (else the
    scenario file): start_year defaults to 0, end_year to the horizon (simulation.years),
    and an intervention is active while start ≤ t / ticks_per_year < end (MODEL.md 7.7).
    `swept` is True when the sweep varies its start or end, so no single window applies.
    For a comparison file these are the base's (see `arm_details` for every arm's)."""
    from .io import _toml
    return _windows(_toml(ds.attrs.get("resolved_parameters")), _toml(ds.attrs.get("scenario_toml")),
                    _horizon(ds), set(swept_parameters(ds).values()))


def intervals_along(values, axis: int = 0, level: float = 0.95):
    """Vectorised `interval` over one axis of an array (NaNs ignored): arrays n, mean,
    lower, upper with that axis removed. lower/upper are NaN where n < 2."""
    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    n = finite.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(finite, v, 0.0).sum(axis=axis) / n
        dev = np.where(finite, v - np.expand_dims(mean, axis), 0.0)
        std = np.sqrt((dev ** 2).sum(axis=axis) / (n - 1))
        tq = np.full(n.shape, np.nan)
        for k in np.unique(n[n >= 2]):
            tq[n == k] = t_quantile(0.5 + level / 2.0, int(k) - 1)
        half = tq * std / np.sqrt(n)
    mean = np.where(n > 0, mean, np.nan)
    return n, mean, mean - half, mean + half


def binned_means(x, values, bins: int = 10, level: float = 0.95) -> pd.DataFrame:
    """Mean of `values` in equal-width bins of `x` (a numeric parameter), with t-intervals:
    columns left, right, center, n, mean, lower, upper (empty bins left out)."""
    x = np.asarray(x, dtype=float)
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(x)
    if not ok.any():
        return pd.DataFrame(columns=["left", "right", "center", "n", "mean", "lower", "upper"])
    lo, hi = float(x[ok].min()), float(x[ok].max())
    edges = np.linspace(lo, hi, bins + 1) if hi > lo else np.array([lo, lo])
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    rows = []
    for b in range(len(edges) - 1):
        sel = ok & (which == b)
        if sel.any():
            n, mean, _, lower, upper = interval(v[sel], level)
            rows.append((edges[b], edges[b + 1], 0.5 * (edges[b] + edges[b + 1]), n, mean, lower, upper))
    return pd.DataFrame(rows, columns=["left", "right", "center", "n", "mean", "lower", "upper"])
