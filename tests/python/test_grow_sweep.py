"""Growing a sweep: raise [sweep] replicates and `xsector sweep --resume` adds the new runs.

Checked: the grown file equals, dataset by dataset (wall_time aside), a fresh sweep with the
larger number of replicates; every run of the old file is bit for bit the run at its new
index (point × replicates + replicate), for grid and lhs designs; a change other than
replicates (a value list, more lhs samples) is still refused as a different sweep, saying
what differs, and leaves the file alone.
"""
import hashlib
import subprocess

import h5py
import numpy as np
import pytest

BASE = """
[simulation]
years = 2
seed = 5

[population]
government = 20
business = 200
nonprofit = 60
provider = 3
foundation = 2

[sweep]
replicates = {replicates}

[sweep.parameters]
"foundation.public_share" = [{values}]
"foundation.public_channel" = ["grant", "voucher"]
"""


def sweep(xsector_bin, scenario, out, *extra):
    return subprocess.run([str(xsector_bin), "sweep", str(scenario), "-o", str(out), "-q", *extra],
                          capture_output=True, text=True, timeout=600)


def datasets(path):
    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def test_more_replicates_keep_the_old_runs_and_equal_a_fresh_sweep(xsector_bin, tmp_path):
    scenario = tmp_path / "grow.toml"
    scenario.write_text(BASE.format(replicates=2, values="0.0, 0.3"))
    out = tmp_path / "grow.h5"
    assert sweep(xsector_bin, scenario, out).returncode == 0
    old = datasets(out)

    scenario.write_text(BASE.format(replicates=5, values="0.0, 0.3"))
    grown = sweep(xsector_bin, scenario, out, "--resume")
    assert grown.returncode == 0, grown.stderr
    new = datasets(out)
    assert len(new["run"]) == 4 * 5
    for r in range(len(old["run"])):
        point, replicate = old["point"][r], old["replicate"][r]
        j = point * 5 + replicate
        assert (new["point"][j], new["replicate"][j], new["seed"][j]) == (point, replicate, old["seed"][r])
        for name, values in old.items():
            if values.ndim >= 2:
                np.testing.assert_array_equal(new[name][j], values[r], err_msg=f"{name} run {r} -> {j}")

    fresh = tmp_path / "fresh.h5"
    assert sweep(xsector_bin, scenario, fresh).returncode == 0
    reference = datasets(fresh)
    assert set(reference) == set(new)
    for name in reference:
        if name != "wall_time":
            np.testing.assert_array_equal(new[name], reference[name], err_msg=name)


def test_other_changes_are_still_a_different_sweep(xsector_bin, tmp_path):
    scenario = tmp_path / "grow.toml"
    scenario.write_text(BASE.format(replicates=2, values="0.0, 0.3"))
    out = tmp_path / "grow.h5"
    assert sweep(xsector_bin, scenario, out).returncode == 0
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    scenario.write_text(BASE.format(replicates=4, values="0.0, 0.2"))
    refused = sweep(xsector_bin, scenario, out, "--resume")
    assert refused.returncode == 2
    assert "different scenario or sweep" in refused.stderr
    assert "the design's points differ" in refused.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before


LHS = BASE.split("[sweep]")[0] + """
[sweep]
method = "lhs"
samples = 3
replicates = 1

[sweep.parameters]
"foundation.public_share" = [0.0, 0.3]
"""


def test_an_lhs_sweep_grows_by_replicates_not_by_samples(xsector_bin, tmp_path):
    scenario = tmp_path / "lhs.toml"
    scenario.write_text(LHS)
    out = tmp_path / "lhs.h5"
    assert sweep(xsector_bin, scenario, out).returncode == 0
    old = datasets(out)
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    refused = sweep(xsector_bin, scenario, out, "--resume", "--set", "sweep.samples=6")
    assert refused.returncode == 2
    assert "a sweep grows only by more replicates" in refused.stderr, refused.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before
    grown = sweep(xsector_bin, scenario, out, "--resume", "--set", "sweep.replicates=2")
    assert grown.returncode == 0, grown.stderr
    new = datasets(out)
    assert len(new["run"]) == 3 * 2
    for r in range(3):
        np.testing.assert_array_equal(new["param:foundation.public_share"][2 * r],
                                      old["param:foundation.public_share"][r])
        np.testing.assert_array_equal(new["public_sector_gap"][2 * r], old["public_sector_gap"][r])


def test_set_sweep_replicates_grows_without_editing_the_file(xsector_bin, tmp_path):
    scenario = tmp_path / "grow.toml"
    scenario.write_text(BASE.format(replicates=2, values="0.0, 0.3"))
    out = tmp_path / "grow.h5"
    assert sweep(xsector_bin, scenario, out).returncode == 0
    grown = sweep(xsector_bin, scenario, out, "--resume", "--set", "sweep.replicates=3")
    assert grown.returncode == 0, grown.stderr
    fresh = tmp_path / "fresh.h5"
    scenario2 = tmp_path / "three.toml"
    scenario2.write_text(BASE.format(replicates=3, values="0.0, 0.3"))
    assert sweep(xsector_bin, scenario2, fresh).returncode == 0
    new, reference = datasets(out), datasets(fresh)
    for name in reference:
        if name != "wall_time":
            np.testing.assert_array_equal(new[name], reference[name], err_msg=name)


@pytest.mark.parametrize("setting, message", [
    ("sweep.samples=4", 'key `sweep.samples`: method = "grid" does not use samples'),
    ("sweep.replicates=0", "key `sweep.replicates`: 0 is out of range"),
    ("sweep.method=lhs", "--set reaches sweep.replicates"),
])
def test_bad_sweep_settings(xsector_bin, tmp_path, setting, message):
    scenario = tmp_path / "grow.toml"
    scenario.write_text(BASE.format(replicates=2, values="0.0, 0.3"))
    proc = subprocess.run([str(xsector_bin), "validate", str(scenario), "--set", setting], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert f"--set {setting}" in proc.stderr and message in proc.stderr, proc.stderr
