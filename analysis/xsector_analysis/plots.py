"""Figures for papers and reports. Each function returns a matplotlib Figure.

Figures are built with matplotlib's object API on an Agg canvas (no pyplot, no GUI, no
global state), so they work headless, in the report and in notebooks alike
(`fig.savefig("gap.png", dpi=200)`; in Jupyter a Figure displays itself).

Time: yearly values by default (`time="year"`: flows summed over each year, states at the
end of the year, the gap indicators recomputed from the year's totals; see summary.py),
each drawn at the middle of its year; `time="tick"` draws the recorded per-tick values.
The years in which an intervention is active are shaded (grey; artists with gid
"intervention-window").

Sample size: bands and bars are 95% Student t intervals of the mean over replicates and
are drawn only where there are n ≥ 2 replicates; the title then says n. With a single
replicate (one stochastic run) no interval is drawn and the title says so.

Sensitivity figures take the tables of sensitivity.py: `plot_sobol` (S1 and ST bars with
intervals, ranked by ST), `plot_morris` (μ* and σ), `plot_prim_tradeoff` (a PRIM peeling
trajectory); swept parameters are named by `parameter_label`.
"""
from __future__ import annotations

import textwrap

import matplotlib
import numpy as np
import xarray as xr
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .io import swept_parameters, ticks_per_year
from .summary import (DELTA_METRICS, arm_details, binned_means, compare, final_year, format_value, human_label,
                      human_units, interval, intervals_along, intervention_windows, is_comparison, point_label,
                      yearly)

SECTOR_COLORS = {"government": "#1b6ca8", "business": "#e07b39", "nonprofit": "#3a9d5d"}
MAX_LEGEND = 10
MAX_LEVELS = 12          # a swept parameter with more distinct values is binned
GAP_LABEL = "public sector gap\n(participation share − support share)"
WINDOW_GID = "intervention-window"
SINGLE_RUN = "single stochastic run, no interval"


def _figure(width=7.0, height=4.2) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _label(metric: str, units: str = "", ds=None) -> str:
    text = human_label(metric, ds)
    units = human_units(units)
    return f"{text} [{units}]" if units else text


def _money_axis(axis, units: str) -> None:
    if str(units).startswith("USD"):
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"-${abs(v):,.0f}" if v < 0 else f"${v:,.0f}"))


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
    return "" if len(_points(ds)) <= 1 and not swept_parameters(ds) else "\n" + textwrap.fill(f"point {point}: {point_label(ds, point)}", 80)


def _check_time(time: str) -> str:
    if time in ("year", "yearly"):
        return "year"
    if time in ("tick", "quarter", "quarterly"):
        return "tick"
    raise ValueError("time must be 'year' (yearly values) or 'tick' (per tick, e.g. quarterly)")


def series(ds: xr.Dataset, metric: str, time: str = "year"):
    """(x, values, units): x in years since the start, values [run, time(, sector)].
    Yearly values are placed at the middle of their year; per-tick values at tick / ticks_per_year."""
    if _check_time(time) == "year":
        da = yearly(ds, metric)
        x = np.arange(da.sizes["year"]) + 0.5
    else:
        da = ds[metric]
        x = np.asarray(ds["year"].values, dtype=float) if "year" in ds.coords \
            else np.asarray(ds["tick"].values, dtype=float) / ticks_per_year(ds)
    return x, np.asarray(da.values, dtype=float), str(da.attrs.get("units", ""))


def _time_word(ds, time) -> str:
    if _check_time(time) == "year":
        return "yearly"
    tpy = ticks_per_year(ds)
    return {4: "quarterly", 12: "monthly", 1: "yearly"}.get(tpy, f"per tick ({tpy} a year)")


def shade_interventions(ax, ds: xr.Dataset) -> list:
    """Shade the years in which each intervention is active; returns the patches."""
    patches = []
    spans = sorted({(w["start"], w["end"]) for w in intervention_windows(ds)
                    if not w["swept"] and w["end"] > w["start"]})
    for k, (start, end) in enumerate(spans):  # overlapping windows are drawn once each span
        patch = ax.axvspan(start, end, color="0.55", alpha=0.13, lw=0, zorder=0,
                           label="intervention active" if k == 0 else None)
        patch.set_gid(WINDOW_GID)
        patches.append(patch)
    return patches


def _arm_windows(ds: xr.Dataset, colors: dict):
    """(common spans, [(arm details, its own spans, their kinds)]) for the arms in `colors`:
    windows every drawn arm has, and per arm the windows that not every arm has."""
    details = [d for d in arm_details(ds) if d["point"] in colors]
    keys = [{(w["type"], w["start"], w["end"]) for w in d["interventions"] if w["end"] > w["start"]}
            for d in details]
    common = set.intersection(*keys) if keys else set()
    own = [(d, sorted({(a, b) for _, a, b in k - common}), sorted({t.replace("_", " ") for t, _, _ in k - common}))
           for d, k in zip(details, keys)]
    return sorted({(a, b) for _, a, b in common}), [o for o in own if o[1]]


STRIP = 0.035  # height of an arm's window strip, as a fraction of the axes


def shade_arm_interventions(ax, ds: xr.Dataset, colors: dict) -> list:
    """For a comparison file: intervention windows that every drawn arm shares are shaded
    grey (as `shade_interventions`); a window only some arms have is shaded lightly in each
    such arm's colour, with a strip of that colour along the top of the axes (one row per
    arm) so overlapping windows of different arms stay apart. colors: {point: colour} of the
    arms drawn. Returns the patches (gid "intervention-window")."""
    common, own = _arm_windows(ds, colors)
    patches = []
    for k, (start, end) in enumerate(common):
        patch = ax.axvspan(start, end, color="0.55", alpha=0.13, lw=0, zorder=0,
                           label="intervention active (every arm)" if k == 0 else None)
        patch.set_gid(WINDOW_GID)
        patches.append(patch)
    for row, (d, spans, kinds) in enumerate(own):
        color = colors[d["point"]]
        for j, (start, end) in enumerate(spans):
            veil = ax.axvspan(start, end, color=color, alpha=0.05, lw=0, zorder=0)
            strip = ax.axvspan(start, end, ymin=1 - STRIP * (row + 1), ymax=1 - STRIP * row, color=color,
                               alpha=0.6, lw=0, zorder=1,
                               label=textwrap.shorten(f"{d['name']}: {', '.join(kinds)} active", 60) if j == 0
                               else None)
            for patch in (veil, strip):
                patch.set_gid(WINDOW_GID)
                patches.append(patch)
    return patches


def _finish_time_axis(ax, x) -> None:
    ax.set_xlabel("year")
    if len(x):
        ax.set_xlim(0, max(float(np.nanmax(x)) + 0.5, 1.0) if np.allclose(x % 1, 0.5) else float(np.nanmax(x)))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))


def _point_means(values, point_of_run, wanted) -> np.ndarray:
    """[len(wanted), ...]: the mean over each wanted point's runs, NaNs ignored (NaN where a
    point has no finite value). One pass over the runs, for sweeps of many points."""
    wanted = np.asarray(wanted)
    order = np.argsort(wanted, kind="stable")
    slot = np.minimum(np.searchsorted(wanted, point_of_run, sorter=order), wanted.size - 1)
    slot = order[slot]                              # index into `wanted` (or a miss, checked next)
    mine = wanted[slot] == point_of_run
    v = values[mine]
    finite = np.isfinite(v)
    sums = np.zeros((wanted.size,) + values.shape[1:])
    counts = np.zeros_like(sums)
    np.add.at(sums, slot[mine], np.where(finite, v, 0.0))
    np.add.at(counts, slot[mine], finite)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def plot_gap(ds: xr.Dataset, metric: str = "public_sector_gap", points=None, time: str = "year") -> Figure:
    """A metric over time (default the public sector gap, yearly). Up to ten sweep points
    (or arms of a comparison file, labelled by name; intervention windows shaded per arm
    where the arms differ, see `shade_arm_interventions`): one line per point, the mean over its replicates, with a band for the 95% interval when
    it has n ≥ 2 replicates. More points: the median over points and the band between their
    10th and 90th percentiles (the spread of the sweep, not an interval). `points`: which
    points to draw (default all). `time`: "year" (default) or "tick"."""
    x, values, units = series(ds, metric, time)
    if values.ndim > 2:
        values = values.sum(axis=tuple(range(2, values.ndim)))
    point_of_run = np.asarray(ds["point"].values)
    wanted = _points(ds) if points is None else np.asarray(points)
    fig = _figure()
    ax = fig.add_subplot()
    comparison = is_comparison(ds) and len(wanted) <= MAX_LEGEND
    unit = "arm" if comparison else "point"
    if comparison:  # one colour per arm, the same in plot_deltas
        colors = {int(p): f"C{int(p) % 10}" for p in wanted}
        shade_arm_interventions(ax, ds, colors)
    else:
        colors = {}
        shade_interventions(ax, ds)
    word = _time_word(ds, time)
    reps = 0
    if len(wanted) <= MAX_LEGEND:
        for p in wanted:
            n, mean, lo, hi = intervals_along(values[point_of_run == p], axis=0)
            reps = max(reps, int(n.max()) if n.size else 0)
            (line,) = ax.plot(x, mean, lw=1.6, marker="o" if word == "yearly" else None, ms=3.5,
                              color=colors.get(int(p)),
                              label=textwrap.shorten(point_label(ds, int(p)), 60) if len(wanted) > 1 else None)
            if np.isfinite(lo).any():
                ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
        if reps > 1:
            detail = f"mean of n = {reps} replicates{f' per {unit}' if len(wanted) > 1 else ''}, band: 95% interval"
        else:
            detail = SINGLE_RUN if len(wanted) == 1 else f"one stochastic run per {unit}, no interval"
    else:
        per_point = _point_means(values, point_of_run, wanted)
        with np.errstate(invalid="ignore"):
            q10, q50, q90 = np.nanpercentile(per_point, [10, 50, 90], axis=0)
        ax.fill_between(x, q10, q90, color="#1b6ca8", alpha=0.2, lw=0, label="10th–90th percentile of points")
        ax.plot(x, q50, color="#1b6ca8", lw=1.8, marker="o" if word == "yearly" else None, ms=3.5,
                label="median of points")
        detail = f"spread over {len(wanted)} sweep points (not an interval)"
    if metric in ("public_sector_gap",):
        ax.axhline(0.0, color="0.4", lw=0.8, ls="--")
    if comparison:  # head room for the arms' window strips above the data
        rows = len(_arm_windows(ds, colors)[1])
        if rows:
            lo, hi = ax.get_ylim()
            free = STRIP * rows + 0.02
            ax.set_ylim(lo, hi + (hi - lo) * free / (1 - free))
    _finish_time_axis(ax, x)
    ax.set_ylabel(GAP_LABEL if metric == "public_sector_gap" else _label(metric, units, ds))
    _money_axis(ax.yaxis, units)
    ax.set_title(f"{human_label(metric, ds).capitalize()}, {word}\n({detail})", fontsize=10)
    legend_outside(fig, ax)
    return fig


MAX_INSIDE_LEGEND = 4  # more entries than this go below the axes, where they hide no line


def legend_outside(fig, ax, fontsize: int = 8):
    """The legend of `ax`: inside (where it covers least) for up to MAX_INSIDE_LEGEND entries,
    else below the axes in columns, the figure made taller to hold it, so that it never
    covers the lines of many arms or points. Returns the Legend (None without labels)."""
    handles, labels = ax.get_legend_handles_labels()
    if not labels:
        return None
    from matplotlib.lines import Line2D
    order = sorted(range(len(labels)), key=lambda k: not isinstance(handles[k], Line2D))  # the lines first
    handles, labels = [handles[k] for k in order], [labels[k] for k in order]
    if len(labels) <= MAX_INSIDE_LEGEND:
        return ax.legend(handles, labels, fontsize=fontsize, loc="best")
    ncol = 2 if max(len(t) for t in labels) <= 48 else 1
    rows = -(-len(labels) // ncol)
    fig.set_figheight(fig.get_figheight() + 0.19 * rows + 0.3)
    return ax.legend(handles, labels, fontsize=fontsize, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=ncol,
                     frameon=False, borderaxespad=0.0)


def plot_support_share(ds: xr.Dataset, point=None, time: str = "year") -> Figure:
    """Support spending share by client sector over time, stacked (one sweep point; each
    sector's mean spending over replicates divided by the mean total). Yearly by default:
    the year's spending by sector over the year's total."""
    sub, point = _select_point(ds, point)
    x, spend, _ = series(sub, "support_spending", time)   # run, time, sector
    mean = np.nanmean(spend, axis=0)
    totals = mean.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(totals > 0, mean / totals, np.nan)
    sectors = [str(s) for s in sub["sector"].values]
    fig = _figure()
    ax = fig.add_subplot()
    ax.stackplot(x, share.T, labels=sectors, colors=[SECTOR_COLORS.get(s) for s in sectors], alpha=0.85)
    for patch in shade_interventions(ax, ds):  # over the stack: a light veil with a dark edge
        patch.set_zorder(3)
        patch.set_alpha(0.18)
        patch.set_facecolor("white")
        start, end = patch.get_xy()[0][0], patch.get_xy()[2][0]
        for edge in (start, end):
            ax.axvline(edge, color="0.1", lw=1.2, ls="--", zorder=4)
    _finish_time_axis(ax, x)
    ax.set_ylabel("share of support spending")
    ax.set_ylim(0, 1)
    n = sub.sizes["run"]
    ax.set_title(f"Who receives support: spending share by client sector, {_time_word(ds, time)}\n"
                 f"({SINGLE_RUN if n == 1 else f'mean of n = {n} replicates'})" + _title_suffix(ds, point),
                 fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


def plot_capacity(ds: xr.Dataset, point=None, time: str = "year") -> Figure:
    """Collaboration capacity by sector over time: the mean capacity (line) and the band
    between the 10th and 90th percentile of organisations (one sweep point, each averaged
    over its replicates; yearly: at the end of each year)."""
    sub, point = _select_point(ds, point)
    x, mean, _ = series(sub, "capacity_mean", time)
    _, p10, _ = series(sub, "capacity_p10", time)
    _, p90, _ = series(sub, "capacity_p90", time)
    mean, p10, p90 = (np.nanmean(a, axis=0) for a in (mean, p10, p90))
    fig = _figure()
    ax = fig.add_subplot()
    shade_interventions(ax, ds)
    for k, sector in enumerate(str(s) for s in sub["sector"].values):
        color = SECTOR_COLORS.get(sector)
        ax.plot(x, mean[:, k], color=color, lw=1.8, label=f"{sector} (mean)")
        ax.fill_between(x, p10[:, k], p90[:, k], color=color, alpha=0.15, lw=0)
    _finish_time_axis(ax, x)
    ax.set_ylabel("collaboration capacity (0–1)")
    ax.set_ylim(0, 1)
    n = sub.sizes["run"]
    ax.set_title(f"Collaboration capacity by sector, {_time_word(ds, time)}\n"
                 f"band: 10th–90th percentile of organisations\n"
                 f"({SINGLE_RUN if n == 1 else f'averaged over n = {n} replicates'})" + _title_suffix(ds, point),
                 fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _final_values(ds, metric):
    values = final_year(ds, metric)
    for extra in [d for d in values.dims if d != "run"]:
        values = values.sum(extra)
    return np.asarray(values.values, dtype=float)


def _resolve_params(ds, params):
    swept = swept_parameters(ds)
    if params is None:
        params = list(swept)
    params = [params] if isinstance(params, str) else list(params)
    by_path = {path: name for name, path in swept.items()}
    params = [by_path.get(p, p) for p in params]
    if not params or any(p not in swept for p in params):
        raise ValueError(f"choose swept parameters among {list(swept.values()) or 'none (not a sweep)'}")
    return swept, params


def _levels(x):
    """The distinct values of a parameter: numbers in order; text (e.g. arms) in the order
    the runs first use them (file order, the base arm first)."""
    values = x.tolist()
    if _is_numeric(values):
        return sorted(set(values))
    return list(dict.fromkeys(values))


def _is_numeric(levels):
    return all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in levels)


def _short(text, width: int) -> str:
    """`text` cut to `width` characters with an ellipsis (names without spaces included)."""
    text = str(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def category_ticks(ax, pos, levels, width: int = 24, axis: str = "x") -> None:
    """Label every category on a categorical axis: each level at its position, names
    shortened to `width` characters and, when many or long, rotated so none overlap."""
    labels = [_short(a, width) for a in levels]
    set_ticks = ax.set_xticks if axis == "x" else ax.set_yticks
    set_ticks(pos, labels)
    if axis == "x" and (len(levels) > 3 or sum(len(t) for t in labels) > 40):
        for t in ax.get_xticklabels():
            t.set_rotation(35)
            t.set_horizontalalignment("right")
            t.set_rotation_mode("anchor")


def _response_axes(ax, ds, name, v, ylabel, bins=10):
    """Draw the final-year values against one parameter on `ax`: few values → mean per
    value (interval bars where n ≥ 2); many numeric values → scatter and binned means."""
    x = np.asarray(ds[name].values)
    levels = _levels(x)
    numeric = _is_numeric(levels)
    if numeric and len(levels) > MAX_LEVELS:
        ax.scatter(x.astype(float), v, s=5, color="0.55", alpha=0.35, lw=0, label="runs", rasterized=True)
        table = binned_means(x, v, bins=bins)
        err = np.vstack([table["mean"] - table["lower"], table["upper"] - table["mean"]])
        has = np.isfinite(err).all(axis=0)
        ax.errorbar(table["center"], table["mean"], yerr=np.where(np.isfinite(err), err, 0.0) if has.any() else None,
                    fmt="o-", color="#1b6ca8", capsize=3, ms=4,
                    label=f"mean in {len(table)} bins" + (", 95% interval" if has.any() else ""))
        return
    stats = [interval(v[x == level]) for level in levels]
    pos = np.asarray(levels, dtype=float) if numeric else np.arange(len(levels))
    mean = np.array([s[1] for s in stats])
    lo = np.array([s[3] for s in stats])
    hi = np.array([s[4] for s in stats])
    index = {a: k for k, a in enumerate(levels)}
    runs_x = pos[[index[a] for a in x.tolist()]]
    ax.scatter(runs_x, v, s=10, color="0.6", alpha=0.6, label="runs", zorder=1)
    nmax = max((s[0] for s in stats), default=0)
    fmt = "o-" if numeric else "o"  # categories have no order to join
    if nmax > 1:
        err = np.vstack([mean - lo, hi - mean])
        ax.errorbar(pos, mean, yerr=np.where(np.isfinite(err), err, 0.0), fmt=fmt, color="#1b6ca8", capsize=3,
                    label=f"mean, 95% interval (n = {nmax} per value)", zorder=2)
    else:
        ax.plot(pos, mean, fmt, color="#1b6ca8", label="one stochastic run per value, no interval", zorder=2)
    if not numeric:
        category_ticks(ax, pos, levels)
        ax.set_xlim(-0.5, len(levels) - 0.5)


def plot_response(ds: xr.Dataset, params=None, metric: str = "public_sector_gap") -> Figure:
    """Final-year `metric` against swept parameters.

    One parameter: the mean over the runs at each value (95% interval bars where n ≥ 2; if
    other parameters were swept too, their runs are pooled: the marginal response); with
    more than twelve distinct values (lhs), a scatter of the runs and means in ten bins.
    Two parameters on a grid: a heat map of the mean at each pair of values (lhs: a scatter
    coloured by the value). More than two: one panel per parameter (`plot_response_grid`).
    params : coordinate names or dotted paths; default every swept parameter."""
    swept, params = _resolve_params(ds, params)
    if len(params) > 2:
        return plot_response_grid(ds, params, metric)
    v = _final_values(ds, metric)
    units = ds[metric].attrs.get("units", "")
    ylabel = "final-year " + _label(metric, units, ds)
    fig = _figure()
    ax = fig.add_subplot()
    if len(params) == 1:
        path = swept[params[0]]
        _response_axes(ax, ds, params[0], v, ylabel)
        ax.set_xlabel(parameter_axis_label(path, ds, 70))
        _parameter_axis(ax.xaxis, path)
        ax.set_ylabel(ylabel)
        _money_axis(ax.yaxis, units)
        ax.legend(fontsize=8)
        ax.set_title(textwrap.fill(f"Final-year {human_label(metric, ds)} against {parameter_label(path, ds)}", 80),
                     fontsize=10)
        return fig
    x = np.asarray(ds[params[0]].values)
    y = np.asarray(ds[params[1]].values)
    xl, yl = _levels(x), _levels(y)
    grid = np.full((len(yl), len(xl)), np.nan)
    if len(xl) * len(yl) <= 400:
        for i, b in enumerate(yl):
            for j, a in enumerate(xl):
                sel = (x == a) & (y == b)
                if sel.any():
                    grid[i, j] = interval(v[sel])[1]
    if len(xl) * len(yl) <= 400 and np.isfinite(grid).mean() >= 0.5:
        mesh = ax.imshow(grid, origin="lower", aspect="auto", cmap="RdBu_r", interpolation="nearest")
        category_ticks(ax, range(len(xl)), [format_value(a) if isinstance(a, float) else str(a) for a in xl])
        category_ticks(ax, range(len(yl)), [format_value(b) if isinstance(b, float) else str(b) for b in yl],
                       axis="y")
    else:  # scattered samples (lhs): colour each run by its value
        mesh = ax.scatter(x, y, c=v, cmap="RdBu_r", s=25)
        _parameter_axis(ax.xaxis, swept[params[0]])
        _parameter_axis(ax.yaxis, swept[params[1]])
    fig.colorbar(mesh, ax=ax, label=ylabel)
    ax.set_xlabel(parameter_axis_label(swept[params[0]], ds, 60))
    ax.set_ylabel(parameter_axis_label(swept[params[1]], ds, 40))
    ax.set_title(f"Final-year {human_label(metric, ds)} (mean over replicates)", fontsize=10)
    return fig


def plot_response_grid(ds: xr.Dataset, params=None, metric: str = "public_sector_gap", bins: int = 10) -> Figure:
    """One panel per swept parameter (any number): the final-year `metric` of every run
    against the parameter, with means in `bins` bins (or per value, for few values)."""
    swept, params = _resolve_params(ds, params)
    v = _final_values(ds, metric)
    units = ds[metric].attrs.get("units", "")
    ncols = min(3, len(params))
    nrows = -(-len(params) // ncols)
    fig = _figure(width=3.3 * ncols + 0.6, height=2.7 * nrows + 0.7)
    axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
    for k, name in enumerate(params):
        ax = axes[k // ncols][k % ncols]
        _response_axes(ax, ds, name, v, "", bins=bins)
        if metric == "public_sector_gap":
            ax.axhline(0.0, color="0.4", lw=0.8, ls="--")
        ax.set_xlabel(parameter_axis_label(swept[name], ds, 38), fontsize=9)
        if _is_numeric(_levels(np.asarray(ds[name].values))):  # a categorical axis keeps every category
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
            _parameter_axis(ax.xaxis, swept[name])
        ax.tick_params(labelsize=8)
        if k % ncols == 0:
            ax.set_ylabel("final-year\n" + _label(metric, units, ds), fontsize=9)
            _money_axis(ax.yaxis, units)
        if k == 0:
            ax.legend(fontsize=7, loc="best")
    for k in range(len(params), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    fig.suptitle(f"Final-year {human_label(metric, ds)} against each swept parameter "
                 f"({v.size} runs; line: binned means)", fontsize=10)
    return fig


def plot_distribution(ds: xr.Dataset, metric: str = "public_sector_gap", bins: int = 30) -> Figure:
    """Histogram of the final-year `metric` over all runs of the file (the spread of
    outcomes across a sweep), with its median marked."""
    v = _final_values(ds, metric)
    v = v[np.isfinite(v)]
    units = ds[metric].attrs.get("units", "")
    fig = _figure(height=3.6)
    ax = fig.add_subplot()
    ax.hist(v, bins=bins, color="#1b6ca8", alpha=0.8)
    if v.size:
        med = float(np.median(v))
        ax.axvline(med, color="#c0392b", lw=1.5, label=f"median {format_value(med, units)}")
        ax.legend(fontsize=8)
    if metric == "public_sector_gap":
        ax.axvline(0.0, color="0.3", lw=0.8, ls="--")
    ax.set_xlabel("final-year " + _label(metric, units, ds))
    _money_axis(ax.xaxis, units)
    ax.set_ylabel("runs")
    ax.set_title(f"Distribution of the final-year {human_label(metric, ds)} over {v.size} runs", fontsize=10)
    return fig


def plot_comparison(results, metric: str = "public_sector_gap", sector=None, labels=None) -> Figure:
    """Bars of the final-year mean of `metric`, one bar per arm: several result files
    (labelled by scenario_name), a dict {label: file}, or the points of one sweep (see
    summary.arms). 95% interval bars only for arms with n ≥ 2 replicates; an arm with one
    run is labelled as a single stochastic run."""
    table = compare(results, metric=metric, sector=sector, labels=labels, paired=False)
    fig = _figure(width=max(5.0, 1.1 * len(table) + 2.5))
    ax = fig.add_subplot()
    pos = np.arange(len(table))
    err = np.vstack([table["mean"] - table["lower"], table["upper"] - table["mean"]])
    has = np.isfinite(err).all(axis=0)
    ax.bar(pos, table["mean"], color="#1b6ca8", alpha=0.85)
    if has.any():
        ax.errorbar(pos[has], table["mean"][has], yerr=err[:, has], fmt="none", ecolor="0.15", capsize=4)
    ax.axhline(0.0, color="0.3", lw=0.8)
    many = len(table) > 3
    ax.set_xticks(pos, [textwrap.fill(str(lab), 22) for lab in table["label"]], rotation=25 if many else 0,
                  ha="right" if many else "center", fontsize=8)
    ax.set_xlabel("scenario")
    what = human_label(metric) + (f" ({sector})" if sector else "")
    ax.set_ylabel(f"final-year {what}")
    ns = sorted(set(int(n) for n in table["n"]))
    if ns == [1]:
        detail = SINGLE_RUN if len(table) == 1 else "one stochastic run each, no interval"
    elif ns and ns[0] >= 2:
        detail = f"mean, 95% interval, n = {ns[0] if len(ns) == 1 else ', '.join(map(str, ns))}"
    else:
        detail = "mean; 95% interval only where n ≥ 2"
    ax.set_title(f"Final-year {what} by scenario\n({detail})", fontsize=10)
    return fig


def plot_deltas(results, metrics=DELTA_METRICS, level: float = 0.95, labels=None) -> Figure:
    """Each arm minus the base (the first arm), final year: one panel per metric (default
    the public sector gap and the government's shares of participation and of support
    spending), a point per arm at the mean paired difference with its `level` paired
    Student t interval as error bar (`compare(..., paired=True)`; ValueError if the arms
    cannot be paired), and the line of no change at 0. Arms keep the colours of
    `plot_gap`; a hollow marker is an arm not distinguishable from no change."""
    tables = [compare(results, metric=m, level=level, labels=labels, paired=True) for m in metrics]
    rows = tables[0].iloc[1:]
    k = len(rows)
    if k == 0:
        raise ValueError("plot_deltas needs at least two arms (a base and one arm)")
    fig = _figure(width=2.9 * len(metrics) + 2.2, height=2.1 + 0.5 * k)
    axes = fig.subplots(1, len(metrics), sharey=True, squeeze=False)[0]
    pos = np.arange(k)
    for ax, metric, table in zip(axes, metrics, tables):
        t = table.iloc[1:]
        ax.axvline(0.0, color="0.25", lw=1.0, ls="--", zorder=1, label="no change")
        for j, (_, r) in enumerate(t.iterrows()):
            color = f"C{(j + 1) % 10}"
            err = _xerr([r["delta"]], [r["delta_lower"]], [r["delta_upper"]])
            same = r["verdict"] not in ("narrows the gap", "widens the gap", "lower", "higher")
            ax.errorbar([r["delta"]], [j], xerr=err, fmt="o", ms=7, color=color, capsize=4, lw=1.5, zorder=3,
                        mfc="white" if same else color)
            ax.annotate(signed_value(r["delta"]), (r["delta"], j), xytext=(0, 7), textcoords="offset points",
                        ha="center", fontsize=7, color="0.2")
        lo = np.nanmin(np.r_[t["delta_lower"].to_numpy(dtype=float), t["delta"].to_numpy(dtype=float), 0.0])
        hi = np.nanmax(np.r_[t["delta_upper"].to_numpy(dtype=float), t["delta"].to_numpy(dtype=float), 0.0])
        pad = 0.12 * (hi - lo) if hi > lo else 0.01
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_xlabel(textwrap.fill(f"Δ final-year {human_label(metric)}", 30) + "\n(arm − base)", fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_value(v)))  # 2×10⁻⁵, not 1e-5 aside
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", color="0.9", lw=0.6)
    axes[0].set_yticks(pos, [textwrap.fill(str(lab), 24, break_long_words=False) for lab in rows["label"]],
                       fontsize=8)
    axes[0].set_ylim(k - 0.5, -0.6)
    axes[0].legend(fontsize=7, loc="lower left")
    n = sorted(set(int(v) for v in rows["n_pairs"]))
    fig.suptitle(f"Change from {tables[0]['label'].iloc[0]} in the final year, each arm minus the base\n"
                 + textwrap.fill(f"({deltas_detail(n, level)})", 150), fontsize=10)
    return fig


def deltas_detail(n_pairs, level: float = 0.95) -> str:
    """What the Δ chart shows, given the numbers of replicate pairs of its arms: an interval
    is promised only where there are n ≥ 2 pairs."""
    n = sorted(set(int(v) for v in n_pairs))
    if not n or n[-1] < 2:
        return "a single stochastic run per arm (one replicate pair): no interval, no difference can be told from chance"
    n_text = ", ".join(map(str, n))
    if n[0] < 2:
        return (f"mean of paired differences, n = {n_text} replicate pairs; bars: {level:.0%} paired interval only "
                f"where n ≥ 2; hollow: not distinguishable from no change or no interval")
    return (f"mean of paired differences, bars: {level:.0%} paired interval, n = {n_text} replicate pairs; "
            f"hollow: not distinguishable from no change")


def signed_value(v) -> str:
    """format_value with a sign: '+0.0123', '-2.1×10⁻⁵', '0'."""
    text = format_value(v)
    return "+" + text if np.isfinite(v) and v > 0 else text


# --- sensitivity analysis and scenario discovery (sensitivity.py) ---------------------------

# What a swept parameter is called where people read it (the dotted path stays beside it in
# tables). Parameters not listed get their path in words (`parameter_label`).
PARAMETER_LABELS = {
    "foundation.public_share": "foundations' share of capacity money to the public sector",
    "foundation.public_channel": "how foundation money reaches the public sector",
    "foundation.giving_median": "median annual foundation giving",
    "foundation.capacity_share": "foundations' share of giving to capacity building",
    "foundation.voucher_rate": "share of the price paid by the voucher pool",
    "sector.government.support_share": "government budget share for collaboration support",
    "sector.government.carryover": "unspent government support funds carry over",
    "market.public_bonus": "providers' preference for government clients",
    "market.gain": "capacity gain of a support engagement",
    "diffusion.q": "toolkit imitation rate",
    "diffusion.capacity_gain": "capacity gained by adopting the toolkit",
    "collab.beta_support": "effect of bought support on passing a stage",
    "collab.beta_capacity": "effect of capacity on passing a stage",
    "collab.beta_compliance": "penalty of compliance on passing a stage",
    "network.homophily": "network homophily",
    "provider.price_median": "median price of a support engagement",
    "arm": "policy arm",
}


_SECTORS = ("government", "business", "nonprofit")
_AGENTS = _SECTORS + ("provider", "foundation")

# The units of the parameters that have one: the `unit` column of `xsector params`
# (docs/PARAMETERS.md) as the engine writes it. Dimensionless parameters ("1") and switches
# ("-") are not listed. tests/python/test_analysis.py checks this table against the binary's.
PARAMETER_UNITS = {
    "simulation.years": "years",
    "simulation.ticks_per_year": "ticks per year",
    "simulation.replicates": "runs",
    **{f"population.{a}": "agents" for a in _AGENTS},
    **{f"sector.{s}.{key}": unit for s in _SECTORS for key, unit in (
        ("budget_median", "USD per year"), ("support_share", "1 (share of B per year)"),
        ("toolkit_initial", "probability"), ("diffusion_p", "per tick"), ("collab_rate", "per year"),
        ("turnover", "per year"))},
    "foundation.giving_median": "USD per year",
    "foundation.voucher_rate": "1 (share of price)",
    "provider.price_median": "USD per engagement",
    "provider.slots": "engagements per tick",
    "provider.adaptation": "per year",
    "network.file": "path",
    **{f"network.mean_degree.{a}": "edges per agent" for a in _AGENTS},
    "diffusion.q": "per tick",
    "collab.max_active": "collaborations",
    "collab.partners": "agents",
    "collab.ticks_per_stage": "ticks",
    "collab.value": "public value units",
    **{f"collab.{b}": "log-odds" for b in ("beta0", "beta_capacity", "beta_trust", "beta_compliance",
                                           "beta_support")},
    "market.visible": "providers",
    "market.rounds": "rounds",
    "market.public_bonus": "score units",
}
# The keys of an [[intervention]] (paths intervention.K.key) that have a unit.
INTERVENTION_UNITS = {"start_year": "years", "end_year": "years", "p_extra": "per tick", "rate": "per year"}
# The engine's unit as people read it (human_units also turns USD into $).
UNIT_WORDS = {"1 (share of B per year)": "share of the budget per year", "1 (share of price)": "share of the price",
              "path": ""}


def _intervention_type(path: str, ds) -> str:
    """The `type` of the intervention that `intervention.K.key` names, from the file's
    resolved parameters or scenario ("" if unknown)."""
    parts = path.split(".")
    if ds is None or len(parts) != 3 or not parts[1].isdigit():
        return ""
    from .io import _toml
    for text in (ds.attrs.get("resolved_parameters"), ds.attrs.get("scenario_toml")):
        items = _toml(text).get("intervention") or []
        if int(parts[1]) < len(items) and isinstance(items[int(parts[1])], dict):
            return str(items[int(parts[1])].get("type", ""))
    return ""


def parameter_label(path: str, ds=None) -> str:
    """A swept parameter's name for people: PARAMETER_LABELS, else its dotted path in words
    ("sector.business.support_share" → "business support share"; with the results `ds`,
    "intervention.0.factor" → "budget change factor", after the intervention's type)."""
    path = str(path)
    if path in PARAMETER_LABELS:
        return PARAMETER_LABELS[path]
    parts = path.split(".")
    if parts[0] == "sector" and len(parts) > 2:
        parts = parts[1:]
    if parts[0] == "intervention" and len(parts) == 3 and (kind := _intervention_type(path, ds)):
        parts = [kind, parts[2]]
    return " ".join(p.replace("_", " ") for p in parts)


def parameter_units(path: str) -> str:
    """A parameter's unit for people ("$ per year", "per tick", "share of the budget per
    year"); "" for dimensionless parameters, switches and strings."""
    parts = str(path).split(".")
    if parts[0] == "intervention" and len(parts) == 3:
        unit = INTERVENTION_UNITS.get(parts[2], "")
    else:
        unit = PARAMETER_UNITS.get(str(path), "")
    return human_units(UNIT_WORDS.get(unit, unit))


def parameter_axis_label(path: str, ds=None, width: int = 0) -> str:
    """'label [unit]' for an axis (wrapped at `width` characters when given)."""
    label = parameter_label(path, ds)
    unit = parameter_units(path)
    text = f"{label} [{unit}]" if unit else label
    return textwrap.fill(text, width, break_long_words=False) if width else text


def _parameter_axis(axis, path: str) -> None:
    """Money parameters get dollar tick labels."""
    if str(PARAMETER_UNITS.get(str(path), "")).startswith("USD"):
        _money_axis(axis, "USD")


def _tick_label(path: str, width: int = 34) -> str:
    return textwrap.fill(parameter_label(path), width) + f"\n({path})"


def _xerr(value, lower, upper) -> np.ndarray:
    """Error bar lengths (2, n) from interval bounds; a percentile-bootstrap bound can lie on
    the wrong side of the estimate, so lengths are clipped at 0 (and NaN drawn as 0)."""
    value, lower, upper = (np.asarray(a, dtype=float) for a in (value, lower, upper))
    err = np.vstack([value - lower, upper - value])
    return np.clip(np.nan_to_num(err, nan=0.0), 0.0, None)


SOBOL_AXIS = (-0.5, 1.5)  # the widest x range of plot_sobol


def plot_sobol(table, metric_label: str = "final-year public sector gap") -> Figure:
    """Horizontal bars of first-order (S1) and total (ST) Sobol' indices with their
    intervals, one pair per parameter, ranked by ST (largest on top), from the table of
    `sensitivity.sobol_indices` (its `path` column names the parameters)."""
    table = table.sort_values("ST", ascending=False, kind="stable")
    k = len(table)
    paths = list(table["path"]) if "path" in table else [str(i) for i in table.index]
    fig = _figure(width=7.6, height=1.6 + 0.62 * k)
    ax = fig.add_subplot()
    pos = np.arange(k)
    h = 0.38
    for col, offset, color, name in (("ST", -h / 2, "#1b6ca8", "total (ST): alone and in interactions"),
                                     ("S1", h / 2, "#e07b39", "first order (S1): alone")):
        ax.barh(pos + offset, table[col], height=h, color=color, alpha=0.85, label=name)
        ax.errorbar(table[col], pos + offset, xerr=_xerr(table[col], table[f"{col}_lower"], table[f"{col}_upper"]),
                    fmt="none", ecolor="0.15", capsize=3, lw=1)
    ax.axvline(0.0, color="0.3", lw=0.8)
    ax.set_yticks(pos, [_tick_label(p) for p in paths], fontsize=8)
    ax.invert_yaxis()
    # An index lies in [0, 1]; noisy estimates and their intervals can stray far outside it:
    # the axis stops at SOBOL_AXIS and longer error bars run off its edge.
    lo = min(0.0, float(np.nanmin(table[["S1_lower", "ST_lower"]].to_numpy(), initial=0.0)))
    hi = max(1.0, float(np.nanmax(table[["S1_upper", "ST_upper"]].to_numpy(), initial=1.0)))
    ax.set_xlim(max(lo, SOBOL_AXIS[0]) - 0.02, min(hi, SOBOL_AXIS[1]) + 0.02)
    ax.set_xlabel(f"share of the variance of the {metric_label}")
    level = table.attrs.get("level", 0.95)
    ax.set_title(f"Sobol' indices of the {metric_label}, ranked by ST\n"
                 f"(bars: {level:.0%} bootstrap interval, {table.attrs.get('resamples', '?')} resamples "
                 f"over N = {table.attrs.get('N', '?')} rows)", fontsize=10)
    # Ranked by ST, the bottom right is where the bars are shortest.
    ax.legend(fontsize=8, loc="lower right")
    return fig


def plot_morris(table, metric_label: str = "final-year public sector gap", noise_level=None) -> Figure:
    """Morris screening from the table of `sensitivity.morris`: left, μ* and σ per parameter
    with their intervals, ranked by μ*; right, σ against μ* (a parameter far right matters,
    one high up acts non-linearly or through interactions). `noise_level`: the μ* that seed
    noise alone would give a parameter without effect, drawn as a dashed line."""
    table = table.sort_values("mu_star", ascending=False, kind="stable")
    k = len(table)
    paths = list(table["path"]) if "path" in table else [str(i) for i in table.index]
    fig = _figure(width=10.0, height=1.6 + 0.62 * k)
    left, right = fig.subplots(1, 2, width_ratios=[1.5, 1.0])
    pos = np.arange(k)
    h = 0.38
    for col, offset, color, name in (("mu_star", -h / 2, "#1b6ca8", "μ*: mean |elementary effect|"),
                                     ("sigma", h / 2, "#7f7f7f", "σ: spread of the effects")):
        left.barh(pos + offset, table[col], height=h, color=color, alpha=0.85, label=name)
        left.errorbar(table[col], pos + offset, xerr=_xerr(table[col], table[f"{col}_lower"], table[f"{col}_upper"]),
                      fmt="none", ecolor="0.15", capsize=3, lw=1)
    if noise_level is not None and np.isfinite(noise_level):
        left.axvline(noise_level, color="#c0392b", ls="--", lw=1, label="μ* of seed noise alone")
    left.set_yticks(pos, [f"{k_ + 1}. " + _tick_label(p, 28) for k_, p in enumerate(paths)], fontsize=8)
    left.invert_yaxis()
    left.set_xlabel(f"change of the {metric_label}\nover the parameter's whole range")
    left.legend(fontsize=7, loc="lower right")
    right.scatter(table["mu_star"], table["sigma"], color="#1b6ca8", zorder=3)
    for k_ in range(k):  # numbered as in the ranking on the left
        right.annotate(str(k_ + 1), (table["mu_star"].iloc[k_], table["sigma"].iloc[k_]), fontsize=8,
                       xytext=(4, 3), textcoords="offset points")
    top = float(np.nanmax(np.r_[table["mu_star"].to_numpy(), table["sigma"].to_numpy(), 0.0]))
    top = 1.12 * top if top > 0 else 1.0
    right.plot([0, top], [0, top], color="0.6", lw=0.8, ls=":", label="σ = μ*")
    right.set_xlim(0, top)
    right.set_ylim(0, top)
    right.set_xlabel("μ* (numbers: rank on the left)")
    right.set_ylabel("σ")
    right.legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Morris elementary effects on the {metric_label}, ranked by μ* (r = {table.attrs.get('r', '?')} "
                 f"trajectories; bars: {table.attrs.get('level', 0.95):.0%} bootstrap interval)", fontsize=10)
    return fig


def plot_prim_tradeoff(result) -> Figure:
    """The coverage–density trade-off of a PRIM peeling trajectory (`sensitivity.prim`):
    each box of the trajectory (from the whole sweep, right, to the smallest box, left) and
    the chosen box marked."""
    traj = result.trajectory
    fig = _figure(width=6.6, height=4.2)
    ax = fig.add_subplot()
    ax.plot(traj["coverage"], traj["density"], color="0.6", lw=1, zorder=1)
    points = ax.scatter(traj["coverage"], traj["density"], c=traj["mass"], cmap="viridis", s=18, zorder=2)
    fig.colorbar(points, ax=ax, label="mass (share of the sweep's points in the box)")
    ax.scatter([result.coverage], [result.density], s=160, facecolors="none", edgecolors="#c0392b", lw=2, zorder=3,
               label=f"chosen box (step {result.chosen}): coverage {result.coverage:.0%}, "
                     f"density {result.density:.0%}")
    ax.axhline(float(traj["density"].iloc[0]), color="0.4", ls="--", lw=0.8,
               label=f"density of the whole sweep ({float(traj['density'].iloc[0]):.0%})")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage: share of all cases of interest inside the box")
    ax.set_ylabel("density: share of the box's points\nthat are cases of interest")
    ax.set_title(f"PRIM peeling trajectory ({len(traj)} boxes, α = {result.alpha:g} peeled per step)", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    return fig
