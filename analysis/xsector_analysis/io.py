"""Reading xsector results files (docs/OUTPUT.md) as lazy xarray Datasets.

`open_results` returns the file's metrics as data variables over the dimensions
`run`, `tick` and `sector` (or `stage`), with every per-run and per-tick dataset of the
file as a coordinate. Nothing is read from the metric datasets until it is used: the
Dataset wraps h5netcdf's lazily indexed arrays, so `ds.isel(run=17)` or
`ds["public_sector_gap"].sel(...)` reads only the chunks it needs. That is what keeps a
10,000-run sweep openable on a laptop (see analysis/bench_memory.py).

Swept parameters
----------------
The file stores one dataset `param:<dotted.path>` per swept parameter. `open_results`
turns each into a coordinate along `run` named after the path with every character that
is not a letter, digit or underscore replaced by `_`:

    param:foundation.public_share         -> foundation_public_share
    param:sector.government.support_share -> sector_government_support_share
    param:intervention.0.rate             -> intervention_0_rate

(if that name is already taken, `param_` is put in front). The dotted path is kept in
the coordinate's attribute `param_path`; `swept_parameters(ds)` returns the mapping
{coordinate name: dotted path} in sweep order (the file's `swept_parameters` attribute).
Values the engine stored as float64 but marked `value_type = "integer"` or `"boolean"`
come back as int64 or bool.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

PARAM_PREFIX = "param:"
# Datasets of the file that are coordinates rather than metrics.
RUN_COORDS = ("point", "replicate", "seed", "done", "wall_time")
TICK_COORDS = ("year",)
LABEL_DIMS = ("sector", "stage")


def _plain(value):
    """An attribute value as a plain Python str, number or list of those."""
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        items = [_plain(v) for v in value.tolist()]
        return items[0] if value.shape == () else items
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _friendly_name(path: str, taken: set[str]) -> str:
    name = re.sub(r"\W", "_", path)
    if name in taken:
        name = "param_" + name
    while name in taken:
        name += "_"
    return name


def _toml(text) -> dict:
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def open_results(path, *, drop_unfinished: bool = True, cache: bool = False, chunks=None) -> xr.Dataset:
    """Open an xsector results file lazily.

    Parameters
    ----------
    path : the `.h5` file written by `xsector run` or `xsector sweep`.
    drop_unfinished : keep only runs whose `done` flag is 1 (default). Unfinished runs
        read as NaN (the datasets' fill value); pass False to keep them, for example to
        see how far an interrupted sweep got.
    cache : let xarray keep arrays in memory once read. Off by default so that memory
        stays bounded when a large file is read piece by piece.
    chunks : passed to xarray (needs dask); e.g. {"run": 1} for dask-backed arrays.

    The Dataset's attrs are the file's root attributes (provenance) as plain str / int,
    plus `source_path`, `runs_in_file` and `runs_done`. Each metric keeps its `units` and
    `long_name` attributes.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such results file: {path}")
    options = dict(decode_times=False, decode_timedelta=False, cache=cache, chunks=chunks)
    try:
        ds = xr.open_dataset(path, engine="h5netcdf", **options)
    except OSError:
        # A file still being written by a sweep (or left by a killed writer) carries HDF5's
        # "open for writing" mark, which a plain reader refuses; the writer uses SWMR mode,
        # so a SWMR reader can open it (docs/OUTPUT.md, sim/output/file_access.cpp).
        import h5netcdf
        store = xr.backends.H5NetCDFStore(h5netcdf.File(path, "r", swmr=True))
        ds = xr.open_dataset(store, **options)
    ds.attrs = {k: _plain(v) for k, v in ds.attrs.items()}
    ds.attrs["source_path"] = os.path.abspath(path)

    # String labels: variable-length strings arrive as str, fixed-length ones as bytes.
    for dim in LABEL_DIMS:
        if dim in ds.coords and ds[dim].dtype.kind in "SO":
            ds = ds.assign_coords({dim: [_plain(v) for v in ds[dim].values]})

    # Swept parameters: rename param:<path> to a friendly coordinate name.
    param_vars = [v for v in ds.variables if str(v).startswith(PARAM_PREFIX)]
    order = _sweep_order(ds.attrs)
    param_vars.sort(key=lambda v: (order.index(v[len(PARAM_PREFIX):]) if v[len(PARAM_PREFIX):] in order
                                   else len(order), v))
    taken = set(map(str, ds.variables))
    renames = {}
    for var in param_vars:
        dotted = var[len(PARAM_PREFIX):]
        name = _friendly_name(dotted, taken)
        taken.add(name)
        renames[var] = name
    ds = ds.rename(renames)
    for var, name in renames.items():
        dotted = var[len(PARAM_PREFIX):]
        attrs = {k: _plain(v) for k, v in ds[name].attrs.items()}
        attrs.update(param_path=dotted, long_name=f"swept parameter {dotted}")
        values = np.asarray(ds[name].values)
        kind = attrs.get("value_type")  # how the engine stored an integer or boolean parameter
        if values.dtype.kind in "SO":
            values = np.array([_plain(v) for v in values], dtype=object)
        elif kind == "integer" and np.all(np.isfinite(values)):
            values = values.astype(np.int64)
        elif kind == "boolean":
            values = values != 0
        ds = ds.assign_coords({name: ("run", values, attrs)})

    coords = [c for c in RUN_COORDS + TICK_COORDS if c in ds.data_vars]
    ds = ds.set_coords(coords)

    n = ds.sizes.get("run", 0)
    if "point" not in ds.coords:
        ds = ds.assign_coords(point=("run", np.arange(n, dtype=np.int64)))
    if "replicate" not in ds.coords:
        ds = ds.assign_coords(replicate=("run", np.zeros(n, dtype=np.int64)))
    done = np.asarray(ds["done"].values, dtype=bool) if "done" in ds.coords else np.ones(n, dtype=bool)
    ds.attrs["runs_in_file"] = int(n)
    ds.attrs["runs_done"] = int(done.sum())
    if drop_unfinished and not done.all():
        ds = ds.isel(run=np.flatnonzero(done))
    return ds


def _sweep_order(attrs) -> list[str]:
    """Dotted paths of the swept parameters in sweep order: the file's `swept_parameters`
    attribute, else the order of the scenario's [sweep.parameters]."""
    paths = attrs.get("swept_parameters")
    if isinstance(paths, str):
        paths = [paths] if paths else []
    if not paths:
        paths = list(_toml(attrs.get("scenario_toml")).get("sweep", {}).get("parameters", {}))
    return [str(p) for p in paths]


def swept_parameters(ds: xr.Dataset) -> dict[str, str]:
    """{coordinate name: dotted parameter path} for every swept parameter, in sweep order."""
    found = {str(c): ds[c].attrs["param_path"] for c in ds.coords if "param_path" in ds[c].attrs}
    order = _sweep_order(ds.attrs)
    rank = {p: i for i, p in enumerate(order)}
    return dict(sorted(found.items(), key=lambda item: (rank.get(item[1], len(order)), item[1])))


def metrics(ds: xr.Dataset) -> list[str]:
    """Names of the metric variables (those over run and tick)."""
    return [str(v) for v in ds.data_vars if ds[v].dims[:2] == ("run", "tick")]


def run_coordinates(ds: xr.Dataset) -> list[str]:
    """Coordinates along `run` that describe a run (point, replicate, swept parameters)."""
    return ["point", "replicate"] + list(swept_parameters(ds))


def ticks_per_year(ds: xr.Dataset) -> int:
    """Ticks per simulated year: the file's attribute, the resolved parameters or `year`."""
    if isinstance(ds.attrs.get("ticks_per_year"), int) and ds.attrs["ticks_per_year"] > 0:
        return ds.attrs["ticks_per_year"]
    sim = _toml(ds.attrs.get("resolved_parameters")).get("simulation", {})
    if isinstance(sim.get("ticks_per_year"), int) and sim["ticks_per_year"] > 0:
        return sim["ticks_per_year"]
    if "year" in ds.coords and ds.sizes.get("tick", 0) > 1:
        step = float(ds["year"].values[1] - ds["year"].values[0])
        if step > 0:
            return max(1, int(round(1.0 / step)))
    return 1


@dataclass
class RunInfo:
    """What was run, in the words of the file's provenance attributes."""
    scenario_name: str = "unnamed"
    description: str = ""
    kind: str = "run"
    program_version: str = "unknown"
    seed: object = None
    years: float = 0.0
    ticks_per_year: int = 1
    population_scale: object = None
    runs_in_file: int = 0
    runs_done: int = 0
    points: int = 0
    replicates: int = 0
    swept: dict = field(default_factory=dict)        # path -> distinct values (numbers sorted, names in file order)
    sweep_method: str = ""
    overrides: list = field(default_factory=list)
    interventions: list = field(default_factory=list)  # type names, file order
    start_time: str = ""
    end_time: str = ""
    threads: object = None
    command_line: str = ""


def run_info(ds: xr.Dataset) -> RunInfo:
    """Collect the provenance of an opened results file into a RunInfo."""
    a = ds.attrs
    scenario = _toml(a.get("scenario_toml"))
    resolved = _toml(a.get("resolved_parameters"))
    sim = resolved.get("simulation", {}) or scenario.get("simulation", {})
    tpy = ticks_per_year(ds)
    overrides = a.get("overrides", [])
    if isinstance(overrides, str):
        overrides = [overrides] if overrides else []
    desc = scenario.get("scenario", {}).get("description", "") if isinstance(scenario.get("scenario"), dict) else ""
    interventions = resolved.get("intervention") or scenario.get("intervention") or []
    swept = {}
    for name, dotted in swept_parameters(ds).items():
        values = np.asarray(ds[name].values).tolist()
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        # numbers in order; names (an arm, a channel) in the order the runs use them (file order)
        swept[dotted] = sorted(set(values)) if numeric else list(dict.fromkeys(values))
    return RunInfo(
        scenario_name=str(a.get("scenario_name", "unnamed")),
        description=str(desc),
        kind=str(a.get("kind", "run")),
        program_version=str(a.get("program_version", "unknown")),
        seed=sim.get("seed"),
        years=ds.sizes.get("tick", 0) / tpy,
        ticks_per_year=tpy,
        population_scale=resolved.get("population", {}).get("scale"),
        runs_in_file=int(a.get("runs_in_file", ds.sizes.get("run", 0))),
        runs_done=int(a.get("runs_done", ds.sizes.get("run", 0))),
        points=int(np.unique(ds["point"].values).size) if ds.sizes.get("run", 0) else 0,
        replicates=int(np.unique(ds["replicate"].values).size) if ds.sizes.get("run", 0) else 0,
        swept=swept,
        sweep_method=str(scenario.get("sweep", {}).get("method", "grid" if swept else "")),
        overrides=list(overrides),
        interventions=[str(i.get("type", "?")) for i in interventions if isinstance(i, dict)],
        start_time=str(a.get("start_time", "")),
        end_time=str(a.get("end_time", "")),
        threads=a.get("threads"),
        command_line=str(a.get("command_line", "")),
    )
