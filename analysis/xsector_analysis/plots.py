"""Figures for papers and reports. Each function returns a matplotlib Figure.

Figures are built with matplotlib's object API on an Agg canvas (no pyplot, no GUI, no
global state), so they work headless, in the report and in notebooks alike
(`fig.savefig("gap.png", dpi=200)`; in Jupyter a Figure displays itself).
Bands are 95% t-intervals of the mean over replicates (see summary.py); with one
replicate only the mean is drawn.
"""
from __future__ import annotations

import matplotlib
import numpy as np
import xarray as xr
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .io import swept_parameters
from .summary import compare, final_year, interval, point_label, summarize

SECTOR_COLORS = {"government": "#1b6ca8", "business": "#e07b39", "nonprofit": "#3a9d5d"}
MAX_LEGEND = 10
GAP_LABEL = "public sector gap\n(participation share − support share)"


def _figure(width=7.0, height=4.2) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _label(metric: str, units: str = "") -> str:
    text = metric.replace("_", " ")
    return f"{text} [{units}]" if units and units != "1" else text


def _points(ds: xr.Dataset) -> np.ndarray:
    return np.unique(np.asarray(ds["point"].values))


def _select_point(ds: xr.Dataset, point):
    points = _points(ds)
    if point is None:
        point = int(points[0])
    if point not in points:
        raise ValueError(f"no runs of point {point} in this file (points: {points.tolist()})")
    return ds.isel(run=np.flatnonzero(np.asarray(ds["point"].values) == point)), int(point)


def _title_suffix(ds, point):
    return "" if len(_points(ds)) <= 1 and not swept_parameters(ds) else f" — {point_label(ds, point)}"


def plot_gap(ds: xr.Dataset, metric: str = "public_sector_gap", points=None) -> Figure:
    """The gap over time: the mean over replicates per tick for each sweep point, with a
    band for its 95% interval. `points`: which points to draw (default all; with more than
    ten, lines are coloured along a colour map and the legend is left out)."""
    table = summarize(ds, metric, by="point", time="tick")
    wanted = _points(ds) if points is None else np.asarray(points)
    fig = _figure()
    ax = fig.add_subplot()
    many = len(wanted) > MAX_LEGEND
    for i, p in enumerate(wanted):
        rows = table[table["point"] == p]
        color = matplotlib.colormaps["viridis"](i / max(1, len(wanted) - 1)) if many else None
        (line,) = ax.plot(rows["year"], rows["mean"], color=color, lw=1.6,
                          label=point_label(ds, int(p)) if not many else None)
        if rows["lower"].notna().any():
            ax.fill_between(rows["year"], rows["lower"], rows["upper"], color=line.get_color(), alpha=0.2, lw=0)
    ax.axhline(0.0, color="0.4", lw=0.8, ls="--")
    ax.set_xlabel("year")
    ax.set_ylabel(GAP_LABEL if metric == "public_sector_gap" else _label(metric, ds[metric].attrs.get("units", "")))
    reps = int(table["n"].max()) if len(table) else 0
    ax.set_title(f"{ds.attrs.get('scenario_name', '')}: {metric.replace('_', ' ')} over time"
                 f" (mean of {reps} replicate{'s' if reps != 1 else ''}"
                 f"{', band: 95% interval' if reps > 1 else ''})", fontsize=10)
    if not many and len(wanted) > 1:
        ax.legend(fontsize=8)
    return fig


def plot_support_share(ds: xr.Dataset, point=None) -> Figure:
    """Support spending share by sector over time, stacked (one sweep point, mean over
    its replicates: each sector's mean spending divided by the mean total)."""
    sub, point = _select_point(ds, point)
    spend = np.asarray(sub["support_spending"].values, dtype=float)  # run, tick, sector
    mean = np.nanmean(spend, axis=0)
    totals = mean.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(totals > 0, mean / totals, np.nan)
    sectors = [str(s) for s in sub["sector"].values]
    fig = _figure()
    ax = fig.add_subplot()
    ax.stackplot(np.asarray(sub["year"].values), share.T, labels=sectors,
                 colors=[SECTOR_COLORS.get(s) for s in sectors], alpha=0.85)
    ax.set_xlabel("year")
    ax.set_ylabel("share of support spending")
    ax.set_ylim(0, 1)
    ax.set_title("Who receives support: spending share by client sector" + _title_suffix(ds, point), fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    return fig


def plot_capacity(ds: xr.Dataset, point=None) -> Figure:
    """Collaboration capacity by sector over time: the mean capacity (line) and the band
    between the 10th and 90th percentile of organisations (one sweep point, each averaged
    over its replicates)."""
    sub, point = _select_point(ds, point)
    years = np.asarray(sub["year"].values)
    mean = np.nanmean(np.asarray(sub["capacity_mean"].values, dtype=float), axis=0)
    p10 = np.nanmean(np.asarray(sub["capacity_p10"].values, dtype=float), axis=0)
    p90 = np.nanmean(np.asarray(sub["capacity_p90"].values, dtype=float), axis=0)
    fig = _figure()
    ax = fig.add_subplot()
    for k, sector in enumerate(str(s) for s in sub["sector"].values):
        color = SECTOR_COLORS.get(sector)
        ax.plot(years, mean[:, k], color=color, lw=1.8, label=f"{sector} (mean)")
        ax.fill_between(years, p10[:, k], p90[:, k], color=color, alpha=0.15, lw=0)
    ax.set_xlabel("year")
    ax.set_ylabel("collaboration capacity (0–1)")
    ax.set_ylim(0, 1)
    ax.set_title("Collaboration capacity by sector (band: 10th–90th percentile)" + _title_suffix(ds, point),
                 fontsize=10)
    ax.legend(fontsize=8)
    return fig


def plot_response(ds: xr.Dataset, params=None, metric: str = "public_sector_gap") -> Figure:
    """Final-year `metric` against swept parameters.

    One parameter: a response curve (mean over the runs at each value, 95% interval bars;
    if other parameters were swept too, their runs are pooled: the marginal response).
    Two parameters: a heat map of the mean at each pair of values.
    params : coordinate names or dotted paths; default every swept parameter (1 or 2)."""
    swept = swept_parameters(ds)
    if params is None:
        params = list(swept)
    params = [params] if isinstance(params, str) else list(params)
    by_path = {path: name for name, path in swept.items()}
    params = [by_path.get(p, p) for p in params]
    if not params or len(params) > 2 or any(p not in swept for p in params):
        raise ValueError(f"choose one or two swept parameters among {list(swept.values()) or 'none (not a sweep)'}")
    values = final_year(ds, metric)
    units = ds[metric].attrs.get("units", "")
    ylabel = f"final-year {metric.replace('_', ' ')}" + (f" [{units}]" if units and units != "1" else "")
    for extra in [d for d in values.dims if d != "run"]:
        values = values.sum(extra)
    v = np.asarray(values.values, dtype=float)
    fig = _figure()
    ax = fig.add_subplot()
    if len(params) == 1:
        x = np.asarray(ds[params[0]].values)
        levels = sorted(set(x.tolist()), key=lambda a: (str(type(a)), a))
        stats = [interval(v[x == level]) for level in levels]
        numeric = all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in levels)
        pos = np.asarray(levels, dtype=float) if numeric else np.arange(len(levels))
        mean = np.array([s[1] for s in stats])
        lo = np.array([s[3] for s in stats])
        hi = np.array([s[4] for s in stats])
        ax.scatter(pos[[levels.index(a) for a in x.tolist()]] if numeric else [levels.index(a) for a in x.tolist()],
                   v, s=10, color="0.6", alpha=0.6, label="runs", zorder=1)
        err = np.vstack([mean - lo, hi - mean])
        ax.errorbar(pos, mean, yerr=np.where(np.isfinite(err), err, 0.0), fmt="o-", color="#1b6ca8", capsize=3,
                    label="mean, 95% interval", zorder=2)
        if not numeric:
            ax.set_xticks(pos, [str(a) for a in levels])
        ax.set_xlabel(swept[params[0]])
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8)
        ax.set_title(f"Response of the final-year {metric.replace('_', ' ')} to {swept[params[0]]}", fontsize=10)
        return fig
    x = np.asarray(ds[params[0]].values)
    y = np.asarray(ds[params[1]].values)
    xl = sorted(set(x.tolist()), key=lambda a: (str(type(a)), a))
    yl = sorted(set(y.tolist()), key=lambda a: (str(type(a)), a))
    grid = np.full((len(yl), len(xl)), np.nan)
    for i, b in enumerate(yl):
        for j, a in enumerate(xl):
            sel = (x == a) & (y == b)
            if sel.any():
                grid[i, j] = interval(v[sel])[1]
    if grid.size and np.isfinite(grid).mean() >= 0.5:
        mesh = ax.imshow(grid, origin="lower", aspect="auto", cmap="RdBu_r", interpolation="nearest")
        ax.set_xticks(range(len(xl)), [f"{a:.3g}" if isinstance(a, float) else str(a) for a in xl])
        ax.set_yticks(range(len(yl)), [f"{b:.3g}" if isinstance(b, float) else str(b) for b in yl])
    else:  # scattered samples (lhs): colour each run by its value
        mesh = ax.scatter(x, y, c=v, cmap="RdBu_r", s=25)
    fig.colorbar(mesh, ax=ax, label=ylabel)
    ax.set_xlabel(swept[params[0]])
    ax.set_ylabel(swept[params[1]])
    ax.set_title(f"Final-year {metric.replace('_', ' ')} (mean over replicates)", fontsize=10)
    return fig


def plot_comparison(results, metric: str = "public_sector_gap", sector=None, labels=None) -> Figure:
    """Bars of the final-year mean of `metric` with 95% interval error bars, one bar per
    arm: several result files (labelled by scenario_name), a dict {label: file}, or the
    points of one sweep (see summary.arms)."""
    table = compare(results, metric=metric, sector=sector, labels=labels)
    fig = _figure(width=max(5.0, 1.1 * len(table) + 2.5))
    ax = fig.add_subplot()
    pos = np.arange(len(table))
    err = np.vstack([table["mean"] - table["lower"], table["upper"] - table["mean"]])
    ax.bar(pos, table["mean"], yerr=np.where(np.isfinite(err), err, 0.0), capsize=4, color="#1b6ca8", alpha=0.85)
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xticks(pos, [str(lab) for lab in table["label"]], rotation=20 if len(table) > 3 else 0,
                  ha="right" if len(table) > 3 else "center", fontsize=8)
    ax.set_xlabel("scenario")
    what = metric.replace("_", " ") + (f" ({sector})" if sector else "")
    ax.set_ylabel(f"final-year {what}")
    ax.set_title(f"Final-year {what} by scenario (mean, 95% interval)", fontsize=10)
    return fig
