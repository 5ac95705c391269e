"""The results file of docs/OUTPUT.md, read the way users read it: h5py and xarray.

The main tests run the real binary (`xsector run ... -o out.h5`). The same checks run on
any file named by XSECTOR_SAMPLE_FILE, e.g. the sample the C++ tests write:
    XSECTOR_SAMPLE_OUT=/tmp/sample.h5 build/tests/test_output --gtest_filter='*Sample*'
    XSECTOR_SAMPLE_FILE=/tmp/sample.h5 /usr/bin/python3 -m pytest tests/python/test_output_format.py
"""
import math
import os
import re
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

METRICS_HPP = Path(__file__).resolve().parents[2] / "sim" / "model" / "metrics.hpp"
SECTORS = ["government", "business", "nonprofit"]
STAGES = ["diagnose", "design", "implement", "evaluate"]
TRAILING_DIM = {"by_sector": ("sector", 3), "by_stage": ("stage", 4), "scalar": None}


def metric_table():
    """(name, shape, units) of every row of kMetrics in sim/model/metrics.hpp, in table order,
    so that the metric list here can never drift from the C++ one."""
    text = METRICS_HPP.read_text()
    table = text[text.index("kMetrics"):]
    rows = re.findall(r'\{"(\w+)",\s*MetricShape::(\w+),\s*"([^"]*)"', table)
    assert rows, f"no metric rows found in {METRICS_HPP}"
    return rows


def run_xsector(xsector_bin, *args):
    result = subprocess.run([str(xsector_bin), *map(str, args)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (
        f"xsector {' '.join(map(str, args))} exited {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def run_file(xsector_bin, source_dir, tmp_path_factory):
    """A two-year baseline run written by the real binary."""
    out = tmp_path_factory.mktemp("output") / "out.h5"
    run_xsector(xsector_bin, "run", source_dir / "scenarios" / "baseline.toml", "-o", out,
                "--set", "simulation.years=2", "--quiet")
    assert out.exists(), "xsector run reported success but wrote no file"
    assert not list(out.parent.glob("out.h5.tmp-*")), "the temporary file was left behind"
    return out


@pytest.fixture(scope="module")
def sample_file():
    value = os.environ.get("XSECTOR_SAMPLE_FILE")
    if not value:
        pytest.skip("XSECTOR_SAMPLE_FILE is not set (a sample results file to check)")
    return Path(value)


# ---------------------------------------------------------------------------------------
# The checks, shared by the real run and the sample file

def check_with_h5py(path):
    with h5py.File(path, "r") as f:
        attrs = f.attrs
        assert attrs["format_version"] == 1
        for name in ["program_version", "scenario_name", "scenario_toml", "resolved_parameters",
                     "command_line", "start_time", "end_time", "kind", "scenario_digest"]:
            assert isinstance(attrs[name], str), f"root attribute {name} should read as str"
        assert attrs["scenario_toml"].strip(), "scenario_toml is empty"
        assert attrs["program_version"], "program_version is empty"
        assert attrs["kind"] in ("run", "sweep")
        assert attrs["ticks_per_year"] >= 1
        assert int(attrs["threads"]) >= 1
        for name in ["overrides", "swept_parameters"]:
            assert all(isinstance(s, str) for s in attrs[name]), f"{name} should be a list of str"

        runs, ticks = len(f["run"]), len(f["tick"])
        assert runs >= 1 and ticks >= 1
        assert list(f["run"][:]) == list(range(runs))
        assert list(f["tick"][:]) == list(range(ticks))
        assert list(f["sector"].asstr()[:]) == SECTORS
        assert list(f["stage"].asstr()[:]) == STAGES
        np.testing.assert_array_equal(f["year"][:], np.arange(ticks) / attrs["ticks_per_year"])
        for name, dtype in [("point", np.int64), ("replicate", np.int64), ("seed", np.uint64),
                            ("done", np.uint8), ("wall_time", np.float64)]:
            assert f[name].shape == (runs,), name
            assert f[name].dtype == dtype, name
        for swept in attrs["swept_parameters"]:
            assert f[f"param:{swept}"].shape == (runs,)

        for name, shape, units in metric_table():
            assert name in f, f"metric {name} missing"
            ds = f[name]
            trailing = TRAILING_DIM[shape]
            assert ds.shape == (runs, ticks) + ((trailing[1],) if trailing else ()), name
            assert ds.dtype == np.float64, name
            assert ds.chunks[0] == 1, f"{name}: one run per chunk"
            assert ds.compression is None, f"{name}: uncompressed (docs/OUTPUT.md, crash safety)"
            assert math.isnan(ds.fillvalue), f"{name}: fill value NaN"
            assert ds.attrs["units"] == units, name
            assert isinstance(ds.attrs["long_name"], str) and ds.attrs["long_name"], name
        return dict(f.attrs), f["done"][:]


def check_with_xarray(path):
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        for dim in ["run", "tick", "sector", "stage"]:
            assert dim in ds.dims, f"dimension {dim} not named"
        assert list(ds["sector"].values) == SECTORS
        assert all(type(s) is str for s in ds["sector"].values), "sector labels should be str"
        assert list(ds["stage"].values) == STAGES
        for coord in ["year", "point", "replicate", "seed", "done", "wall_time"]:
            assert coord in ds.coords, f"{coord} should be a coordinate"
        assert ds["year"].dims == ("tick",)
        for swept in ds.attrs["swept_parameters"]:
            assert f"param:{swept}" in ds.coords
        for name, shape, units in metric_table():
            var = ds[name]
            trailing = TRAILING_DIM[shape]
            assert var.dims == ("run", "tick") + ((trailing[0],) if trailing else ()), name
            assert var.attrs["units"] == units, name
            assert var.dtype == np.float64, name
        # A typical selection works by label.
        ds["support_spending"].sel(sector="business").isel(run=0).values


# ---------------------------------------------------------------------------------------
# The real binary

def test_run_file_h5py(run_file):
    attrs, done = check_with_h5py(run_file)
    assert attrs["kind"] == "run"
    assert attrs["end_time"], "a finished run has an end_time"
    assert list(done) == [1]
    assert re.search(r"^\s*years\s*=\s*2\s*$", attrs["resolved_parameters"], re.M), "--set simulation.years=2"
    assert "simulation.years=2" in attrs["overrides"]


def test_run_file_xarray(run_file):
    check_with_xarray(run_file)
    with xr.open_dataset(run_file, engine="h5netcdf") as ds:
        assert ds.sizes["tick"] == 2 * int(ds.attrs["ticks_per_year"]), "simulation.years=2"
        assert float(ds["year"][-1]) < 2.0
        assert not np.isnan(ds["support_spending"].values).all(), "the run wrote no series"


def test_info_reads_the_run_file(xsector_bin, run_file):
    text = run_xsector(xsector_bin, "info", run_file).stdout
    for part in ["format version:    1", "runs done:         1 / 1", "support_spending", "resolved parameters:"]:
        assert part in text, f"'{part}' missing from `xsector info`:\n{text}"


# ---------------------------------------------------------------------------------------
# A sample file (for checking these tests before the binary exists)

def test_sample_file_h5py(sample_file):
    check_with_h5py(sample_file)


def test_sample_file_xarray(sample_file):
    check_with_xarray(sample_file)
