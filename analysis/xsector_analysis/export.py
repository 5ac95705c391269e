"""A results file as one CSV table for spreadsheets: `xsector export FILE [-o OUT.csv]`.

Tidy long format, one row per run, time step, metric and component:

    run, point, replicate, seed, <each swept parameter, by its dotted path>, tick, year,
    metric, units, sector, stage, value

`sector` is filled for per-sector metrics and `stage` for per-stage ones (empty otherwise);
with yearly=True the rows are years (flows summed over each year, states at its end, the
gap indicators recomputed from the year's totals: `summary.yearly`) and `tick` is empty.
Unfinished runs (done = 0) are left out. Written under a temporary name and renamed into
place, so a failure leaves no partial file.
"""
from __future__ import annotations

import os

import numpy as np
import pandas as pd

from .io import metrics, open_results, swept_parameters
from .summary import to_frame

COLUMNS_AFTER_PARAMETERS = ["tick", "year", "metric", "units", "sector", "stage", "value"]


def export_frame(path, metric_names=None, yearly: bool = False) -> pd.DataFrame:
    ds = open_results(path)
    names = list(metric_names) if metric_names else metrics(ds)
    unknown = [m for m in names if m not in ds.data_vars]
    if unknown:
        raise ValueError(f"no metric {', '.join(unknown)} in {path}; it has {', '.join(metrics(ds))}")
    params = swept_parameters(ds)
    frames = []
    for name in names:
        frame = to_frame(ds, name, time="year" if yearly else "tick")
        frame = frame.rename(columns=params)  # swept parameters by their dotted paths
        frame.insert(0, "metric", name)
        units = str(ds[name].attrs.get("units", ""))
        frame["units"] = units.replace("per tick", "per year") if yearly else units  # flows summed per year
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    seeds = pd.Series(np.asarray(ds["seed"].values), index=np.asarray(ds["run"].values)) if "seed" in ds.coords \
        else None
    if seeds is not None:
        out["seed"] = out["run"].map(seeds)
    for column in ("tick", "sector", "stage", "seed"):
        if column not in out:
            out[column] = ""
    front = ["run", "point", "replicate", "seed"] + list(params.values())
    return out[front + COLUMNS_AFTER_PARAMETERS]


def export_csv(path, output, metric_names=None, yearly: bool = False) -> int:
    """Writes the table to `output` atomically; returns the number of rows."""
    frame = export_frame(path, metric_names, yearly)
    temp = f"{output}.tmp-{os.getpid()}"
    try:
        frame.to_csv(temp, index=False, float_format="%.17g")
        os.replace(temp, output)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
    return len(frame)
