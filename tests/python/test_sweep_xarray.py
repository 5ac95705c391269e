"""A sweep file made by the real binary opens in plain xarray (engine="h5netcdf") and can be
grouped by a swept parameter in one line (issue 4).

Needs XSECTOR_BIN (the xsector executable; ctest sets it); skipped with that reason
otherwise. The sweep: foundation.public_share in {0.0, 0.25, 0.5} x public_channel in
{grant, voucher}, 2 replicates, population.scale 0.02, 2 years: 12 runs.
"""
import os
import subprocess

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

SHARES = [0.0, 0.25, 0.5]
CHANNELS = ["grant", "voucher"]
REPLICATES = 2

SCENARIO = f"""
[simulation]
years = 2
seed = 3

[population]
scale = 0.02

[sweep]
method = "grid"
replicates = {REPLICATES}

[sweep.parameters]
"foundation.public_share" = [{", ".join(map(str, SHARES))}]
"foundation.public_channel" = [{", ".join(f'"{c}"' for c in CHANNELS)}]
"""


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    binary = os.environ.get("XSECTOR_BIN")
    if not binary:
        pytest.skip("XSECTOR_BIN is not set: this test reads a sweep made by the real xsector binary "
                    "(run it through ctest, or set XSECTOR_BIN=build/sim/xsector)")
    tmp = tmp_path_factory.mktemp("sweep_xarray")
    toml = tmp / "xarray_sweep.toml"
    toml.write_text(SCENARIO, encoding="utf-8")
    out = tmp / "sweep.h5"
    proc = subprocess.run([binary, "sweep", str(toml), "-o", str(out), "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def test_group_by_a_swept_parameter_in_one_line(sweep_file):
    ds = xr.open_dataset(sweep_file, engine="h5netcdf")
    gap = ds["public_sector_gap"].isel(tick=-1).groupby("param:foundation.public_share").mean()
    assert gap.sizes["param:foundation.public_share"] == len(SHARES)
    assert np.allclose(gap["param:foundation.public_share"].values, SHARES)


def test_run_coordinates_are_present(sweep_file):
    ds = xr.open_dataset(sweep_file, engine="h5netcdf")
    runs = len(SHARES) * len(CHANNELS) * REPLICATES
    assert ds.sizes["run"] == runs
    for name in ("point", "replicate", "seed", "done", "wall_time",
                 "param:foundation.public_share", "param:foundation.public_channel"):
        assert name in ds.variables, name
        assert ds[name].dims == ("run",), name
    # Metrics carry the run coordinates, so grouping works on any metric.
    assert "param:foundation.public_share" in ds["support_spending"].coords
    assert ds["point"].values.tolist() == [r // REPLICATES for r in range(runs)]
    assert ds["replicate"].values.tolist() == [r % REPLICATES for r in range(runs)]
    assert (ds["done"].values == 1).all()
    assert np.isfinite(ds["wall_time"].values).all() and (ds["wall_time"].values > 0).all()
    assert len(set(ds["seed"].values.tolist())) == runs
    # First axis slowest: share changes every len(CHANNELS) * REPLICATES runs.
    share = ds["param:foundation.public_share"].values
    assert share.tolist() == [SHARES[r // (len(CHANNELS) * REPLICATES)] for r in range(runs)]
    channel = [c.decode() if isinstance(c, bytes) else str(c) for c in ds["param:foundation.public_channel"].values]
    assert channel == [CHANNELS[(r // REPLICATES) % len(CHANNELS)] for r in range(runs)]
    assert ds.attrs["kind"] == "sweep"


def test_group_by_the_string_parameter(sweep_file):
    ds = xr.open_dataset(sweep_file, engine="h5netcdf")
    spending = ds["support_spending"].sum("tick").groupby("param:foundation.public_channel").mean()
    assert spending.sizes["param:foundation.public_channel"] == len(CHANNELS)
