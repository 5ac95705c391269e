"""`xsector repair`: a file left by a killed writer opens in plain h5py and xarray afterwards.

A real sweep is killed with SIGKILL once some runs are done. Before repair, plain h5py
refuses the file (the superblock's "open for writing" mark) and `xsector info` says how to
make it openable; after `xsector repair`, h5py and xarray (h5netcdf) open it without SWMR,
every run that was done is still done with the same values, and `--resume` completes it.
"""
import os
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest
import xarray as xr

SCENARIO = """
[simulation]
years = 10

[population]
government = 40
business = 800
nonprofit = 240
provider = 4
foundation = 4

[sweep]
replicates = 60
"""


def done_runs(path):
    try:
        with h5py.File(path, "r", swmr=True) as f:
            return int(f["done"][()].sum())
    except (OSError, KeyError):
        return 0


def test_repair_makes_a_killed_writers_file_open_everywhere(xsector_bin, tmp_path):
    (tmp_path / "s.toml").write_text(SCENARIO)
    out = tmp_path / "s.h5"
    proc = subprocess.Popen([str(xsector_bin), "sweep", str(tmp_path / "s.toml"), "-o", str(out), "-q",
                             "--threads", "1"])
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and done_runs(out) < 3:
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail("the sweep ended before it could be killed; make it longer")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with pytest.raises(OSError):
        h5py.File(out, "r")  # the mark: plain readers refuse the file
    with h5py.File(out, "r", swmr=True) as f:
        done_before = f["done"][()].copy()
        gap_before = f["public_sector_gap"][()].copy()
    assert 0 < done_before.sum() < len(done_before)

    info = subprocess.run([str(xsector_bin), "info", str(out)], capture_output=True, text=True, timeout=60)
    assert info.returncode == 0 and f"xsector repair {out}" in info.stdout

    repaired = subprocess.run([str(xsector_bin), "repair", str(out)], capture_output=True, text=True, timeout=60)
    assert repaired.returncode == 0, repaired.stderr
    assert "repaired" in repaired.stdout and f"{int(done_before.sum())} of {len(done_before)} runs are done" in \
        repaired.stdout
    with h5py.File(out, "r") as f:  # plain, no SWMR
        np.testing.assert_array_equal(f["done"][()], done_before)
        finished = done_before.astype(bool)
        np.testing.assert_array_equal(f["public_sector_gap"][()][finished], gap_before[finished])
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.sizes["run"] == len(done_before)

    again = subprocess.run([str(xsector_bin), "repair", str(out)], capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "nothing to repair" in again.stdout
