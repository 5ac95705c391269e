"""A self-contained HTML report of one results file (images embedded as base64 PNG)."""
from __future__ import annotations

import base64
import html
import io as _io
import os

import numpy as np

from .io import metrics, open_results, run_info, swept_parameters
from .plots import plot_capacity, plot_comparison, plot_gap, plot_response, plot_support_share
from .summary import final_year, interval, point_label

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
.small { font-size: 0.85em; color: #555; } pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
"""


def _png(fig) -> str:
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _num(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (float, np.floating)):
        return "–" if not np.isfinite(v) else f"{float(v):,.4g}"
    return html.escape(str(v))


def _table(header, rows) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _ci(stats) -> str:
    n, mean, _, lo, hi = stats
    return f"{_num(mean)} [{_num(lo)}, {_num(hi)}]" if n > 1 else _num(mean)


def _what_was_run(ds, info) -> str:
    e = html.escape
    name = f"<strong>{e(info.scenario_name)}</strong>"
    years = f"{info.years:g} simulated year{'s' if info.years != 1 else ''} at {info.ticks_per_year} ticks per year"
    parts = []
    if info.swept:
        varied = "; ".join(f"<code>{e(p)}</code> over {e(', '.join(_num(v) for v in vals))}"
                           for p, vals in info.swept.items())
        parts.append(f"<p>A <strong>sweep</strong> of scenario {name}: {info.runs_in_file} runs, "
                     f"{info.points} parameter point{'s' if info.points != 1 else ''} × {info.replicates} "
                     f"replicate{'s' if info.replicates != 1 else ''} ({e(info.sweep_method or 'grid')} design), "
                     f"varying {varied}. Each run covers {years}.</p>")
    else:
        parts.append(f"<p>{info.runs_in_file} run{'s' if info.runs_in_file != 1 else ''} of scenario {name}, "
                     f"covering {years}.</p>")
    if info.description:
        parts.append(f"<p>Scenario description: <em>{e(info.description)}</em></p>")
    seed = "not recorded" if info.seed is None else e(str(info.seed))
    parts.append(f"<p>Scenario seed {seed}; each run's own seed is derived from the scenario seed, its point "
                 f"and its replicate, so any point can be re-run alone and gives the same series. "
                 + (f"Population scale {_num(info.population_scale)}. " if info.population_scale is not None else "")
                 + f"Made by xsector version <code>{e(info.program_version)}</code>"
                 + (f" between {e(info.start_time)} and {e(info.end_time)}" if info.start_time else "")
                 + (f" with {e(str(info.threads))} thread(s)" if info.threads is not None else "") + ".</p>")
    parts.append("<p>Interventions: " + (e(", ".join(info.interventions)) if info.interventions else "none") + ". "
                 + ("Command-line overrides: " + ", ".join(f"<code>{e(o)}</code>" for o in info.overrides) + "."
                    if info.overrides else "No command-line overrides.") + "</p>")
    if info.runs_done < info.runs_in_file:
        parts.append(f"<p><strong>Only {info.runs_done} of {info.runs_in_file} runs finished</strong>; the "
                     f"unfinished runs are left out of everything below.</p>")
    return "\n".join(parts)


HOW_TO_READ = """<p>The <strong>public sector gap</strong> is the government's share of participation in
cross-sector collaborations minus its share of the money spent on collaboration support. Above zero, the
public sector receives less support than its part in collaboration would suggest; zero means it is served in
proportion. Yearly values add up each year's flows (spending, collaborations, grants) and take stocks
(capacity, funds) at the end of the year; the gap of a year is computed from that year's totals. The
<em>final year</em> is the last complete simulated year. Where runs were repeated with different seeds
(replicates), figures and tables show the mean over replicates and a 95% confidence interval for it
(Student t); with a single replicate there is no interval.</p>"""


def build_report(path, out=None, title=None) -> str:
    """Write the HTML report of results file `path` to `out` (default: path with .html).
    Returns the output path."""
    path = os.fspath(path)
    out = os.fspath(out) if out else os.path.splitext(path)[0] + ".html"
    ds = open_results(path)
    info = run_info(ds)
    if ds.sizes.get("run", 0) == 0:
        raise ValueError(f"{path}: no finished runs to report on ({info.runs_in_file} runs in the file)")
    swept = swept_parameters(ds)
    points = np.unique(np.asarray(ds["point"].values))
    first = int(points[0])
    where = f" (sweep point {first}: {html.escape(point_label(ds, first))})" if len(points) > 1 else ""

    figures = [
        ("fig-gap", "The public sector gap over time",
         "Mean over replicates for each sweep point; the band is the 95% interval of the mean.", plot_gap(ds)),
        ("fig-support-share", "Who receives support",
         f"Share of support spending by client sector{where}.", plot_support_share(ds)),
        ("fig-capacity", "Collaboration capacity by sector",
         f"Mean collaboration capacity; the band spans the 10th to 90th percentile of organisations{where}.",
         plot_capacity(ds)),
    ]
    for name, dotted in swept.items():
        figures.append((f"fig-response-{name}", f"Response to {dotted}",
                        f"Final-year gap against <code>{html.escape(dotted)}</code>"
                        + (" (runs at each value pooled over the other swept parameters)" if len(swept) > 1 else "")
                        + "; bars: 95% interval.", plot_response(ds, [name])))
    if len(swept) == 2:
        figures.append(("fig-heatmap", "Final-year gap over both swept parameters",
                        "Mean final-year gap for each pair of values.", plot_response(ds, list(swept))))
    if len(points) <= MAX_COMPARISON_BARS:
        figures.append(("fig-comparison", "Final-year gap by scenario" + (" point" if len(points) > 1 else ""),
                        "Mean final-year gap with 95% interval" + (" for each sweep point." if len(points) > 1 else "."),
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
    for p in points[:MAX_POINT_TABLES]:
        runs = np.flatnonzero(np.asarray(ds["point"].values) == p)
        rows = []
        for m in by_sector:
            vals = np.asarray(finals[m].values)[runs]
            rows.append([f"{html.escape(m)}", html.escape(finals[m].attrs.get("units", ""))]
                        + [_ci(interval(vals[:, k])) for k in range(len(sectors))])
        head = f"<h3>{html.escape(point_label(ds, int(p)))}</h3>" if len(points) > 1 else ""
        tables.append(head + _table(["metric", "units"] + sectors, rows))
    if len(points) > MAX_POINT_TABLES:
        tables.append(f"<p class='small'>Tables for the first {MAX_POINT_TABLES} of {len(points)} points only.</p>")

    gap_names = ["public_sector_gap", "public_support_share", "public_participation_share", "public_support_ratio"]
    gap_names = [g for g in gap_names if g in ds]
    gaps = {g: final_year(ds, g) for g in gap_names}
    scalar_rows = []
    for p in points:
        runs = np.flatnonzero(np.asarray(ds["point"].values) == p)
        scalar_rows.append([html.escape(point_label(ds, int(p))), str(runs.size)]
                           + [_ci(interval(np.asarray(gaps[g].values)[runs])) for g in gap_names])
    gap_table = _table(["point" if len(points) > 1 else "scenario", "runs"] + gap_names, scalar_rows)

    response = ""
    if swept:
        blocks = []
        gap = np.asarray(gaps["public_sector_gap"].values) if "public_sector_gap" in gaps else None
        for name, dotted in swept.items():
            x = np.asarray(ds[name].values)
            levels = sorted(set(x.tolist()), key=lambda a: (str(type(a)), a))
            rows = [[_num(level), str(int((x == level).sum())), _ci(interval(gap[x == level]))] for level in levels]
            means = [interval(gap[x == level])[1] for level in levels]
            trend = ""
            if len(levels) > 1 and np.all(np.isfinite([means[0], means[-1]])):
                direction = "narrows" if means[-1] < means[0] else "widens" if means[-1] > means[0] else "does not change"
                trend = (f"<p>Going from {html.escape(dotted)} = {_num(levels[0])} to {_num(levels[-1])}, the "
                         f"final-year gap {direction} (from {_num(means[0])} to {_num(means[-1])}).</p>")
            blocks.append(f"<h3>{html.escape(dotted)}</h3>{trend}"
                          + _table([dotted, "runs", "final-year gap, mean [95% interval]"], rows))
        response = "<h2>Response to each swept parameter</h2>" + "".join(blocks)

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
{HOW_TO_READ}
<h2>Figures</h2>
{''.join(sections)}
<h2>Final-year values</h2>
<p>Gap indicators in the final year (mean [95% interval]):</p>
{gap_table}
<p>Per client sector (mean [95% interval] over replicates; flows are totals over the year):</p>
{''.join(tables)}
{response}
<h2>Provenance</h2>
{prov}
<details><summary>Scenario file as read</summary><pre>{toml}</pre></details>
</body></html>
"""
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.replace(tmp, out)
    return out
