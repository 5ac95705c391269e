"""A self-contained HTML report of one results file (images embedded as base64 PNG).

A comparison file (`xsector compare`, kind "comparison") gets its own page
(`_comparison_page`): the arms that were compared, the gap over time per arm, each arm's
paired difference from the base with its interval, and the verdicts in words; the sections
for swept parameters are not shown for it (its `arm` is not a parameter).

Sampled sweeps (lhs, sobol, morris) also get the sections of sensitivity_report.py: Sobol'
indices or Morris effects of the final-year gap, and PRIM's boxes where the gap is small."""
from __future__ import annotations

import base64
import html
import io as _io
import os

import numpy as np

from .io import metrics, open_results, run_info, swept_parameters
from .plots import (MAX_LEVELS, PARAMETER_UNITS, _arm_windows, _levels, parameter_axis_label, parameter_label,
                    parameter_units, plot_capacity, plot_comparison, plot_deltas, plot_distribution, plot_gap,
                    plot_response, plot_response_grid, plot_support_share)
from .summary import (DELTA_METRICS, arm_details, binned_means, compare, comparison_verdicts, final_year,
                      format_value, human_label, human_units, intervention_windows, interval, is_comparison,
                      point_label)

MAX_POINT_TABLES = 5      # per-sector tables shown for at most this many sweep points
MAX_COMPARISON_BARS = 30  # the comparison figure is left out for larger sweeps

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 960px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; } th { background: #f3f5f7; }
.small { font-size: 0.85em; color: #555; } table.words td { text-align: left; }
.warn { background: #fff6e0; border-left: 4px solid #e0a030; padding: 0.5em 0.8em; } pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
"""


def _png(fig) -> str:
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _num(v, units: str = "") -> str:
    if v is None:
        return ""
    if isinstance(v, (float, np.floating, int, np.integer)) and not isinstance(v, bool):
        return html.escape(format_value(v, units))
    return html.escape(str(v))


def _table(header, rows) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _ci(stats, units: str = "") -> str:
    """'mean [lower, upper]' for n ≥ 2; the bare value for a single run (no interval)."""
    n, mean, _, lo, hi = stats
    return f"{_num(mean, units)} [{_num(lo, units)}, {_num(hi, units)}]" if n > 1 else _num(mean, units)


MAX_LISTED_VALUES = 8  # a swept parameter with more values is shown as its range


def _values_text(vals, path: str = "") -> str:
    units = PARAMETER_UNITS.get(path, "")  # money as "$15,000"
    if len(vals) > MAX_LISTED_VALUES and _numeric(vals):
        return f"from {_num(min(vals), units)} to {_num(max(vals), units)} ({len(vals)} distinct values)"
    return ", ".join(_num(v, units) for v in vals)


def _param_words(path: str, ds=None) -> str:
    """A swept parameter in a sentence: its name for people, then its dotted path (as a
    scenario file spells it) and its unit: 'government budget share for collaboration
    support (<code>sector.government.support_share</code>, in share of the budget per year)'."""
    unit = parameter_units(path)
    return (f"{html.escape(parameter_label(path, ds))} (<code>{html.escape(path)}</code>"
            + (f", in {html.escape(unit)}" if unit else "") + ")")


def _numeric(vals) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals)


def _sample_size_text(info) -> str:
    if info.replicates <= 1:
        if info.points <= 1:
            return ("<p class='warn'><strong>This is a single stochastic run.</strong> Another seed would give a "
                    "different history; with one run there is no estimate of that spread, so no interval is "
                    "shown. Repeat the run with other seeds (replicates) before drawing conclusions.</p>")
        return ("<p class='warn'><strong>Each parameter point is a single stochastic run</strong> (one replicate): "
                "no intervals are shown for a point; differences between nearby points mix the effect of the "
                "parameters with run-to-run noise.</p>")
    return (f"<p>Each point has n = {info.replicates} replicates (independent seeds): means come with 95% "
            f"Student t intervals of the mean, mean ± t(0.975, n−1)·s/√n.</p>")


def _what_was_run(ds, info) -> str:
    e = html.escape
    name = f"<strong>{e(info.scenario_name)}</strong>"
    years = f"{info.years:g} simulated year{'s' if info.years != 1 else ''} at {info.ticks_per_year} ticks per year"
    parts = []
    if info.swept:
        varied = "; ".join(f"{_param_words(p, ds)} {'' if len(vals) > MAX_LISTED_VALUES else 'over '}"
                           f"{_values_text(vals, p)}" for p, vals in info.swept.items())
        parts.append(f"<p>A <strong>sweep</strong> of scenario {name}: {info.runs_in_file} runs, "
                     f"{info.points} parameter point{'s' if info.points != 1 else ''} × {info.replicates} "
                     f"replicate{'s' if info.replicates != 1 else ''} ({e(info.sweep_method or 'grid')} design), "
                     f"varying {varied}. Each run covers {years}.</p>")
    else:
        parts.append(f"<p>{info.runs_in_file} run{'s' if info.runs_in_file != 1 else ''} of scenario {name}, "
                     f"covering {years}.</p>")
    parts.append(_sample_size_text(info))
    if info.description:
        parts.append(f"<p>Scenario description: <em>{e(info.description)}</em></p>")
    seed = "not recorded" if info.seed is None else e(str(info.seed))
    parts.append(f"<p>Scenario seed {seed}; each run's own seed is derived from the scenario seed, its point "
                 f"and its replicate, so any point can be re-run alone and gives the same series. "
                 + (f"Population scale {_num(info.population_scale)}. " if info.population_scale is not None else "")
                 + f"Made by xsector version <code>{e(info.program_version)}</code>"
                 + (f" between {e(info.start_time)} and {e(info.end_time)}" if info.start_time else "")
                 + (f" with {e(str(info.threads))} thread(s)" if info.threads is not None else "") + ".</p>")
    windows = intervention_windows(ds)
    if windows:
        items = [f"{e(w['type'].replace('_', ' '))} (" + ("window varies across the sweep" if w["swept"] else
                 f"active from year {_num(w['start'])} to year {_num(w['end'])}") + ")" for w in windows]
        parts.append("<p>Interventions: " + "; ".join(items) + ". Figures over time shade the years in which an "
                     "intervention is active.</p>")
    else:
        parts.append("<p>Interventions: none.</p>")
    parts.append("<p>" + ("Command-line overrides: " + ", ".join(f"<code>{e(o)}</code>" for o in info.overrides) + "."
                          if info.overrides else "No command-line overrides.") + "</p>")
    if info.runs_done < info.runs_in_file:
        parts.append(f"<p><strong>Only {info.runs_done} of {info.runs_in_file} runs finished</strong>; the "
                     f"unfinished runs are left out of everything below.</p>")
    return "\n".join(parts)


HOW_TO_READ = """<p>The <strong>public sector gap</strong> is the government's share of participation in
cross-sector collaborations minus its share of the money spent on collaboration support. Above zero, the
public sector receives less support than its part in collaboration would suggest; zero means it is served in
proportion. {time_text} The <em>final year</em> is the last complete simulated year. Where runs were repeated
with different seeds (replicates), figures and tables show the mean over replicates and a 95% confidence
interval for it (Student t, n stated); with a single run there is no interval, only the value of that run.</p>"""

YEARLY_TEXT = ("Values are <strong>yearly</strong>: flows (spending, collaborations, grants) are added up over "
               "each year and stocks (capacity, funds) taken at the end of the year; the gap of a year is "
               "computed from that year's totals of spending and participation (not an average of quarterly "
               "gaps: unspent government money expires each fiscal year, which makes the quarterly gap a "
               "sawtooth). Each yearly value is drawn at the middle of its year.")
TICK_TEXT = ("Figures over time show the values <strong>as recorded, per tick</strong> (e.g. quarterly); the gap "
             "of a tick moves in a sawtooth within each fiscal year because unspent government money expires "
             "at its end. Tables use yearly values: flows added up over the year, stocks at its end, the gap "
             "from the year's totals.")


def _window_caption(ds) -> str:
    shown = [w for w in intervention_windows(ds) if not w["swept"] and w["end"] > w["start"]]
    if not shown:
        return ""
    spans = sorted({(w["start"], w["end"]) for w in shown})
    return " Shaded: " + "; ".join(f"years {_num(a)}–{_num(b)}" for a, b in spans) + ", intervention active."


def build_report(path, out=None, title=None, time: str = "year") -> str:
    """Write the HTML report of results file `path` to `out` (default: path with .html).
    time: "year" (default: figures over time show yearly values) or "tick" (as recorded,
    e.g. quarterly). Returns the output path. Overwrites `out` (the command line refuses
    to unless --force is given)."""
    path = os.fspath(path)
    out = os.fspath(out) if out else os.path.splitext(path)[0] + ".html"
    if time not in ("year", "tick"):
        raise ValueError("time must be 'year' or 'tick'")
    ds = open_results(path)
    info = run_info(ds)
    if ds.sizes.get("run", 0) == 0:
        raise ValueError(f"{path}: no finished runs to report on ({info.runs_in_file} runs in the file)")
    if is_comparison(ds):
        return _write(out, _comparison_page(ds, info, title, time))
    swept = swept_parameters(ds)
    point_of_run = np.asarray(ds["point"].values)
    points = np.unique(point_of_run)
    large = len(points) > MAX_COMPARISON_BARS
    first = int(points[0])
    where = f" (sweep point {first}: {html.escape(point_label(ds, first))})" if len(points) > 1 else ""
    shade = _window_caption(ds)
    word = "Yearly values" if time == "year" else "Values per tick"
    if len(points) > 10:
        gap_caption = (f"{word}: median over the {len(points)} sweep points and the band between their 10th and "
                       f"90th percentiles (the spread of the sweep, not a confidence interval).")
    elif info.replicates > 1:
        gap_caption = f"{word}: mean over n = {info.replicates} replicates; the band is the 95% interval of the mean."
    else:
        gap_caption = f"{word} of a single stochastic run{' per point' if len(points) > 1 else ''}; no interval."

    figures = [
        ("fig-gap", "The public sector gap over time", gap_caption + shade, plot_gap(ds, time=time)),
        ("fig-support-share", "Who receives support",
         f"Share of support spending by client sector{where}. {word}." + shade, plot_support_share(ds, time=time)),
        ("fig-capacity", "Collaboration capacity by sector",
         f"Mean collaboration capacity; the band spans the 10th to 90th percentile of organisations{where}."
         + shade, plot_capacity(ds, time=time)),
    ]
    many_values = any(len(set(np.asarray(ds[n].values).tolist())) > MAX_LEVELS for n in swept)
    if swept and (large or many_values or len(swept) > 2):
        figures.append(("fig-distribution", "Distribution of the final-year gap",
                        f"Final-year public sector gap of each of the {ds.sizes['run']} runs.",
                        plot_distribution(ds)))
        figures.append(("fig-response-grid", "The final-year gap against each swept parameter",
                        "Each dot is a run; the line joins the mean gap in equal-width bins of the parameter "
                        "(bars: 95% interval of the bin's mean; a parameter of few values or of names, such as an "
                        "arm, shows the mean at each value). The other parameters vary within each bin.",
                        plot_response_grid(ds)))
    else:
        for name, dotted in swept.items():
            figures.append((f"fig-response-{name}", f"Response to the {parameter_label(dotted, ds)}",
                            f"Final-year gap against the {_param_words(dotted, ds)}"
                            + (" (runs at each value pooled over the other swept parameters)" if len(swept) > 1 else "")
                            + ("; bars: 95% interval." if info.replicates > 1 or len(swept) > 1
                               else "; one stochastic run per value, no interval."),
                            plot_response(ds, [name])))
        if len(swept) == 2:
            figures.append(("fig-heatmap", "Final-year gap over both swept parameters",
                            "Mean final-year gap for each pair of values.", plot_response(ds, list(swept))))
    if not large:
        figures.append(("fig-comparison", "Final-year gap by scenario" + (" point" if len(points) > 1 else ""),
                        ("Mean final-year gap with 95% interval (n = " + str(info.replicates) + ")"
                         if info.replicates > 1 else "Final-year gap of a single stochastic run"
                         + (" per point" if len(points) > 1 else "") + "; no interval")
                        + (" for each sweep point." if len(points) > 1 else "."),
                        plot_comparison(ds)))

    sections = []
    for fid, heading, caption, fig in figures:
        sections.append(f'<figure id="{fid}"><img alt="{html.escape(heading)}" src="data:image/png;base64,{_png(fig)}">'
                        f"<figcaption><strong>{html.escape(heading)}.</strong> {caption}</figcaption></figure>")

    # Final-year values per sector, one table per point (at most MAX_POINT_TABLES).
    by_sector = [m for m in metrics(ds) if ds[m].dims[2:] == ("sector",)]
    sectors = [str(s) for s in ds["sector"].values]
    finals = {m: final_year(ds, m) for m in by_sector}
    tables = []
    table_points = points[:1] if large else points[:MAX_POINT_TABLES]
    for p in table_points:
        runs = np.flatnonzero(point_of_run == p)
        rows = []
        for m in by_sector:
            units = str(finals[m].attrs.get("units", ""))
            vals = np.asarray(finals[m].values)[runs]
            rows.append([html.escape(human_label(m, ds)), html.escape(human_units(units) or "share / index")]
                        + [_ci(interval(vals[:, k]), units) for k in range(len(sectors))])
        head = f"<h3>{html.escape(point_label(ds, int(p)))}</h3>" if len(points) > 1 else ""
        tables.append(head + _table(["metric", "units"] + sectors, rows))
    if len(points) > len(table_points):
        tables.append(f"<p class='small'>Tables for the first {len(table_points)} of {len(points)} points only.</p>")

    gap_names = ["public_sector_gap", "public_support_share", "public_participation_share", "public_support_ratio"]
    gap_names = [g for g in gap_names if g in ds]
    final_gaps = {g: final_year(ds, g) for g in gap_names}
    gaps = {g: np.asarray(da.values, dtype=float) for g, da in final_gaps.items()}
    gap_headers = [human_label(g) for g in gap_names]
    if large:
        rows = []
        for g in gap_names:
            v = gaps[g][np.isfinite(gaps[g])]
            q = np.percentile(v, [10, 50, 90]) if v.size else [np.nan] * 3
            rows.append([html.escape(human_label(g)), str(v.size), _num(float(v.mean()) if v.size else np.nan)]
                        + [_num(float(a)) for a in q])
        gap_table = ("<p>Over all runs of the sweep (the spread across parameter points, not an interval):</p>"
                     + _table(["indicator", "runs", "mean", "10th percentile", "median", "90th percentile"], rows))
    else:
        scalar_rows = []
        for p in points:
            runs = np.flatnonzero(point_of_run == p)
            scalar_rows.append([html.escape(point_label(ds, int(p))), str(runs.size)]
                               + [_ci(interval(gaps[g][runs])) for g in gap_names])
        gap_table = (("<p>Gap indicators in the final year (mean [95% interval], n per row):</p>"
                      if info.replicates > 1 else
                      "<p>Gap indicators in the final year (single stochastic run per row; no interval):</p>")
                     + _table(["point" if len(points) > 1 else "scenario", "runs"] + gap_headers, scalar_rows))

    response = ""
    if swept:
        blocks = []
        gap = gaps.get("public_sector_gap")
        for name, dotted in swept.items():
            x = np.asarray(ds[name].values)
            levels = _levels(x)             # numbers in order, names (arms) in file order
            units = PARAMETER_UNITS.get(dotted, "")
            label = parameter_label(dotted, ds)
            if len(levels) > MAX_LEVELS and _numeric(levels):
                table = binned_means(x, gap)
                rows = [[f"{_num(r.left, units)} – {_num(r.right, units)}", str(int(r.n)),
                         _ci((int(r.n), r.mean, None, r.lower, r.upper))] for r in table.itertuples()]
                first_col = f"{parameter_axis_label(dotted, ds)} (bin)"
                means = list(table["mean"])
                ends = (table["center"].iloc[0], table["center"].iloc[-1]) if len(table) else (None, None)
            else:
                stats = [interval(gap[x == level]) for level in levels]
                rows = [[_num(level, units), str(s[0]), _ci(s)] for level, s in zip(levels, stats)]
                first_col = parameter_axis_label(dotted, ds)
                means = [s[1] for s in stats]
                ends = (levels[0], levels[-1]) if levels else (None, None)
            trend = ""
            if len(means) > 1 and _numeric(levels) and np.all(np.isfinite([means[0], means[-1]])):
                direction = "narrows" if means[-1] < means[0] else "widens" if means[-1] > means[0] else "does not change"
                unit = parameter_units(dotted)
                trend = (f"<p>As the {html.escape(label)} goes from about {_num(ends[0], units)} to "
                         f"{_num(ends[1], units)}{' (' + html.escape(unit) + ')' if unit and not units else ''}, "
                         f"the mean final-year gap {direction} (from {_num(means[0])} to {_num(means[-1])}).</p>")
            blocks.append(f"<h3>{html.escape(label)} <code>{html.escape(dotted)}</code></h3>{trend}"
                          + _table([first_col, "runs", "final-year gap, mean [95% interval] (value if 1 run)"], rows))
        response = "<h2>Response to each swept parameter</h2>" + "".join(blocks)

    # Sampled sweeps: which parameters drive the gap (sobol, morris) and where it is small (PRIM).
    from .sensitivity_report import sensitivity_sections  # here: that module imports this one's helpers
    sensitivity = sensitivity_sections(ds, info, final_gaps.get("public_sector_gap"))

    toml = html.escape(str(ds.attrs.get("scenario_toml", "")))
    prov_keys = ["format_version", "program_version", "kind", "scenario_digest", "threads", "start_time", "end_time",
                 "command_line", "source_path"]
    prov = _table(["attribute", "value"],
                  [[html.escape(k), html.escape(str(ds.attrs.get(k, "")))] for k in prov_keys if k in ds.attrs])
    heading = title or f"xsector report: {info.scenario_name}"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(heading)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>{html.escape(heading)}</h1>
<p class="small">Scenario <strong id="scenario-name">{html.escape(info.scenario_name)}</strong> ·
seed {html.escape(str(info.seed))} · xsector {html.escape(info.program_version)} ·
{info.runs_done} finished run{'s' if info.runs_done != 1 else ''} · {info.years:g} years</p>
<h2>What was run</h2>
{_what_was_run(ds, info)}
<h2>How to read this</h2>
{HOW_TO_READ.format(time_text=YEARLY_TEXT if time == "year" else TICK_TEXT)}
<h2>Figures</h2>
{''.join(sections)}
{sensitivity}
<h2>Final-year values</h2>
{gap_table}
<p>Per client sector ({'mean [95% interval] over replicates' if info.replicates > 1 else 'single stochastic run, no interval'}; flows are totals over the year, money in US dollars):</p>
{''.join(tables)}
{response}
<h2>Provenance</h2>
{prov}
<details><summary>Scenario file as read</summary><pre>{toml}</pre></details>
</body></html>
"""
    return _write(out, page)


def _write(out: str, page: str) -> str:
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.replace(tmp, out)
    return out


# --- the page of a comparison file (xsector compare) ----------------------------------------

def _figure_html(fid, heading, caption, fig) -> str:
    return (f'<figure id="{fid}"><img alt="{html.escape(heading)}" src="data:image/png;base64,{_png(fig)}">'
            f"<figcaption><strong>{html.escape(heading)}.</strong> {caption}</figcaption></figure>")


def _windows_text(windows) -> str:
    if not windows:
        return "none"
    return "; ".join(f"{html.escape(w['type'].replace('_', ' '))} (years {_num(w['start'])}–{_num(w['end'])})"
                     for w in windows)


def _delta_ci(row) -> str:
    d, lo, hi = row["delta"], row["delta_lower"], row["delta_upper"]
    sign = lambda v: ("+" if v > 0 else "") + format_value(v)  # noqa: E731
    if not np.isfinite(lo):
        return html.escape(sign(d)) + " (no interval)"
    return html.escape(f"{sign(d)} [{sign(lo)}, {sign(hi)}]")


COMPARISON_HOW_TO_READ = """<p>The <strong>public sector gap</strong> is the government's share of participation
in cross-sector collaborations minus its share of the money spent on collaboration support. Above zero, the
public sector receives less support than its part in collaboration would suggest; zero means it is served in
proportion; a change that <em>narrows</em> the gap brings it closer to (or below) zero.</p>
<p>Each scenario (an <em>arm</em>) was run {n} time{s} with different random seeds (replicates), and replicate
<em>r</em> of every arm used the <strong>same seed</strong>: the arms meet the same chance events, so within a
replicate the difference between an arm and the base is the effect of the scenario, with most of the
run-to-run noise taken out. <strong>Δ</strong> is that difference, arm minus base, averaged over the
replicates; {interval_text} {time_text}</p>"""
INTERVAL_TEXT = """its 95% interval (Student t, from the spread of the {n} paired differences) says how sure we
are of it. When the interval includes 0 the arm is <em>not distinguishable from no change</em>: these runs
cannot tell its effect from none (which is not proof that it has none)."""
NO_INTERVAL_TEXT = """with a <strong>single stochastic run</strong> of each arm there is one pair, hence no
interval: the spread of the differences is unknown, so a Δ, however large, cannot be told from chance."""


def _comparison_page(ds, info, title, time) -> str:
    e = html.escape
    details = arm_details(ds)
    names = [d["name"] for d in details]
    base = names[0] if names else info.scenario_name
    n = info.replicates
    word = "Yearly values" if time == "year" else "Values per tick"

    # What was compared.
    rows = []
    for d in details:
        rows.append([f"<strong>{e(d['name'])}</strong>" + (" (base)" if d["point"] == 0 else ""),
                     e(d["description"]) or "<span class='small'>no description</span>",
                     _windows_text(d["interventions"])])
    compared = (f"<p>{len(details)} scenarios compared side by side: <strong>{e(base)}</strong> is the base, "
                f"and each other arm is set against it. Each arm was run {n} time{'s' if n != 1 else ''} "
                f"(paired replicates: replicate <em>r</em> of every arm has the same seed), covering "
                f"{info.years:g} simulated years at {info.ticks_per_year} ticks per year.</p>"
                + _table(["arm", "scenario description", "interventions (active years)"], rows)
                .replace("<table>", "<table class='words' id='arms-compared'>", 1))
    if info.overrides:
        compared += ("<p>Command-line overrides (every arm): " + ", ".join(f"<code>{e(o)}</code>" for o in info.overrides)
                     + ".</p>")
    if info.runs_done < info.runs_in_file:
        compared += (f"<p class='warn'><strong>Only {info.runs_done} of {info.runs_in_file} runs finished</strong>; "
                     f"the unfinished runs are left out of everything below.</p>")
    if n <= 1:
        compared += ("<p class='warn'><strong>Each arm is a single stochastic run.</strong> With one replicate "
                     "there is no interval: no difference below can be told apart from chance. Rerun with "
                     "<code>--replicates 10</code> or more.</p>")

    # Verdicts and the Δ chart (both need the arms paired).
    try:
        verdicts = comparison_verdicts(ds)
        tables = {m: compare(ds, metric=m, paired=True) for m in DELTA_METRICS if m in ds}
        pairing_error = None
    except ValueError as err:
        verdicts, tables, pairing_error = [], {}, str(err)
    if pairing_error:
        found = (f"<p class='warn'>The arms cannot be compared replicate by replicate: {e(pairing_error)}. "
                 f"Only each arm's own mean is shown below.</p>")
    elif verdicts:
        found = ("<ul id='verdicts'>" + "".join(f"<li class='verdict'>{e(v['sentence'])}</li>" for v in verdicts)
                 + "</ul><p class='small'>Final year = the last complete simulated year; "
                 + ("intervals are 95% paired Student t intervals of the mean difference from the base.</p>" if n > 1
                    else "one replicate pair per arm, so no interval (a single stochastic run of each arm).</p>"))
    else:
        found = "<p>Only one arm: nothing to compare.</p>"

    figures = []
    shade = ""
    _, own = _arm_windows(ds, {d["point"]: None for d in details})
    common = [w for w in (details[0]["interventions"] if details else [])
              if all(w in d["interventions"] for d in details) and w["end"] > w["start"]]
    if common:
        shade += " Grey: " + "; ".join(f"years {_num(w['start'])}–{_num(w['end'])}" for w in common) + \
                 ", an intervention every arm has."
    if own:
        shade += (" Coloured strips along the top (and a light veil of the same colour): the years in which an "
                  "intervention of that arm alone is active.")
    figures.append(_figure_html(
        "fig-arms-gap", "The public sector gap over time, per arm",
        (f"{word}: mean over the n = {n} replicates of each arm; the band is the 95% interval of the mean (of the "
         f"arm alone, not of its difference from the base)." if n > 1 else
         f"{word} of the single stochastic run of each arm; no interval.")
        + shade, plot_gap(ds, time=time)))
    if tables:
        figures.append(_figure_html(
            "fig-deltas", "Δ: each arm minus the base, final year",
            f"The change from {e(base)} in the final year of the public sector gap and of the two shares it is "
            f"made of (the government's share of collaboration participation and of support spending): "
            + (f"a point per arm at the mean of the {n} paired differences, bars its 95% paired interval; the "
               f"dashed line at 0 is no change. A hollow point is not distinguishable from no change."
               if n > 1 else
               "a point per arm at its difference in the single stochastic run (one replicate pair, no interval: "
               "no bars); the dashed line at 0 is no change. Every point is hollow: with one pair no difference can "
               "be told from chance."), plot_deltas(ds)))

    # Final-year values per arm: means and, per arm, Δ from the base.
    gap_names = [m for m in DELTA_METRICS if m in ds]
    per_arm = {m: compare(ds, metric=m, paired=False) for m in gap_names}
    rows = []
    for k, name in enumerate(names):
        row = [f"<strong>{e(name)}</strong>" if k == 0 else e(name), str(int(per_arm[gap_names[0]]["n"].iloc[k]))]
        for m in gap_names:
            r = per_arm[m].iloc[k]
            row.append(_ci((int(r["n"]), r["mean"], None, r["lower"], r["upper"])))
            if m in tables:
                row.append("base" if k == 0 else _delta_ci(tables[m].iloc[k]))
        if "public_sector_gap" in tables:
            row.append("" if k == 0 else e(tables["public_sector_gap"]["verdict"].iloc[k]))
        rows.append(row)
    header = ["arm", "runs"]
    for m in gap_names:
        header.append(human_label(m) + (", mean [95% interval]" if n > 1 else ", single run (no interval)"))
        if m in tables:
            header.append("Δ from base [95% paired interval]" if n > 1 else "Δ from base, single pair (no interval)")
    if "public_sector_gap" in tables:
        header.append("verdict on the gap")
    values_table = _table(header, rows)
    values_text = (f"Gap indicators in the final year, per arm: mean [95% interval] over its {n} replicates, and its "
                   f"difference from {e(base)} [95% paired interval]." if n > 1 else
                   f"Gap indicators in the final year, per arm: the value of its single stochastic run, and its "
                   f"difference from {e(base)} in that one replicate pair; no interval.")

    # Per client sector, one table per arm.
    by_sector = [m for m in metrics(ds) if ds[m].dims[2:] == ("sector",)]
    sectors = [str(s) for s in ds["sector"].values]
    finals = {m: final_year(ds, m) for m in by_sector}
    point_of_run = np.asarray(ds["point"].values)
    sector_tables = []
    for d in details[:MAX_POINT_TABLES]:
        runs = np.flatnonzero(point_of_run == d["point"])
        srows = []
        for m in by_sector:
            units = str(finals[m].attrs.get("units", ""))
            vals = np.asarray(finals[m].values)[runs]
            srows.append([e(human_label(m, ds)), e(human_units(units) or "share / index")]
                         + [_ci(interval(vals[:, k]), units) for k in range(len(sectors))])
        sector_tables.append(f"<h3>{e(d['name'])}</h3>" + _table(["metric", "units"] + sectors, srows))
    if len(details) > MAX_POINT_TABLES:
        sector_tables.append(f"<p class='small'>Tables for the first {MAX_POINT_TABLES} of {len(details)} arms "
                             f"only.</p>")

    prov_keys = ["format_version", "program_version", "kind", "scenario_digest", "threads", "start_time", "end_time",
                 "command_line", "source_path"]
    prov = _table(["attribute", "value"],
                  [[e(k), e(str(ds.attrs.get(k, "")))] for k in prov_keys if k in ds.attrs])
    files = "".join(f"<details><summary>Scenario file of {e(d['name'])}</summary><pre>{e(d['scenario_toml'])}</pre>"
                    f"</details>" for d in details)
    heading = title or f"xsector comparison: {', '.join(names[1:]) or base} against {base}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(heading)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>{e(heading)}</h1>
<p class="small">Comparison of <span id="arms">{e(", ".join(names))}</span> · base
<strong id="scenario-name">{e(base)}</strong> · seed {e(str(info.seed))} · {n} paired replicate{'s' if n != 1 else ''}
per arm · xsector {e(info.program_version)} · {info.runs_done} finished run{'s' if info.runs_done != 1 else ''} ·
{info.years:g} years</p>
<h2>What was compared</h2>
{compared}
<h2>What we found</h2>
{found}
<h2>How to read this</h2>
{COMPARISON_HOW_TO_READ.format(n=n, s="s" if n != 1 else "", time_text=YEARLY_TEXT if time == "year" else TICK_TEXT,
                                interval_text=INTERVAL_TEXT.format(n=n) if n > 1 else NO_INTERVAL_TEXT)}
<h2>Figures</h2>
{''.join(figures)}
<h2>Final-year values</h2>
<p>{values_text}</p>
{values_table}
<p>Per client sector ({'mean [95% interval] over replicates' if n > 1 else 'single stochastic run, no interval'};
flows are totals over the year, money in US dollars):</p>
{''.join(sector_tables)}
<h2>Provenance</h2>
{prov}
{files}
</body></html>
"""
