"""Replicates of a single scenario in one file (issue 16): `xsector run --replicates N` and
`[simulation] replicates`.

Replicate r has the seed of sweep point 0, replicate r (MODEL.md 9: a run's seed depends on
(scenario seed, point, replicate) only), so replicate 0 is the plain run and every
replicate equals that run of a sweep. The summary gives a Student-t interval for n >= 2
(checked here against an interval computed from the file with scipy), and says that a
single run has none.
"""
import re
import subprocess

import h5py
import numpy as np
import pytest
from scipy import stats

METRICS = ["support_spending", "collab_participation", "capacity_p50", "public_sector_gap"]


def xsector(xsector_bin, *args, code=0):
    proc = subprocess.run([str(xsector_bin), *map(str, args)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == code, f"xsector {' '.join(map(str, args))}: exit {proc.returncode}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def files(xsector_bin, source_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replicates")
    base = source_dir / "scenarios" / "baseline.toml"
    five = xsector(xsector_bin, "run", base, "--set", "simulation.years=3", "--replicates", 5, "-o", tmp / "five.h5")
    one = xsector(xsector_bin, "run", base, "--set", "simulation.years=3", "-o", tmp / "one.h5")
    sweep_toml = tmp / "sweep.toml"
    sweep_toml.write_text(base.read_text() + '\n[sweep]\nreplicates = 5\n\n[sweep.parameters]\n'
                          '"foundation.public_share" = [0.05]\n')
    xsector(xsector_bin, "sweep", sweep_toml, "--set", "simulation.years=3", "-o", tmp / "sweep.h5", "-q")
    return tmp, five.stdout, one.stdout


def test_replicates_share_one_file_with_a_run_axis(files):
    tmp, _, _ = files
    with h5py.File(tmp / "five.h5", "r") as f:
        assert f["run"].shape == (5,)
        assert list(f["replicate"][:]) == [0, 1, 2, 3, 4]
        assert list(f["point"][:]) == [0] * 5
        assert len(set(f["seed"][:])) == 5
        assert all(f["done"][:])
        gaps = f["public_sector_gap"][:]
        assert not all(np.array_equal(gaps[0], gaps[r], equal_nan=True) for r in range(1, 5))


def test_replicate_zero_is_the_plain_run_and_each_equals_the_sweep_run(files):
    tmp, _, _ = files
    with h5py.File(tmp / "five.h5", "r") as five, h5py.File(tmp / "one.h5", "r") as one, \
            h5py.File(tmp / "sweep.h5", "r") as sweep:
        assert five["seed"][0] == one["seed"][0]
        assert list(five["seed"][:]) == list(sweep["seed"][:])
        for m in METRICS:
            assert np.array_equal(five[m][0], one[m][0], equal_nan=True), m
            assert np.array_equal(five[m][:], sweep[m][:], equal_nan=True), m


def final_year_gap(f, run, tpy=4):
    spend = f["support_spending"][run, -tpy:, :].sum(axis=0)
    part = f["collab_participation"][run, -tpy:, :].sum(axis=0)
    return part[0] / part.sum() - spend[0] / spend.sum()


def test_replicate_r_alone_is_replicate_r_of_the_file_and_of_a_comparison(files, xsector_bin, source_dir):
    """`run --replicate R` (no [sweep]) reproduces one replicate of `run --replicates N` and of
    `compare` (whose arm k replicate r has the seed of replicate r) on its own."""
    tmp, _, _ = files
    base = source_dir / "scenarios" / "baseline.toml"
    xsector(xsector_bin, "run", base, "--set", "simulation.years=3", "--replicate", 3, "-o", tmp / "r3.h5", "-q")
    (tmp / "policy_mix.toml").write_text((source_dir / "scenarios" / "policy_mix.toml").read_text())
    xsector(xsector_bin, "compare", tmp / "policy_mix.toml", base, "--set", "simulation.years=3", "--replicates", 4,
            "-o", tmp / "cmp.h5", "-q")
    with h5py.File(tmp / "five.h5", "r") as five, h5py.File(tmp / "r3.h5", "r") as alone, \
            h5py.File(tmp / "cmp.h5", "r") as cmp:
        assert list(alone["replicate"][:]) == [3]
        assert alone["seed"][0] == five["seed"][3] == cmp["seed"][3] == cmp["seed"][4 + 3]
        for m in METRICS:
            assert np.array_equal(alone[m][0], five[m][3], equal_nan=True), m
            assert np.array_equal(alone[m][0], cmp[m][4 + 3], equal_nan=True), m


def test_summary_interval_is_the_student_t_interval_of_the_replicates(files):
    tmp, five_out, one_out = files
    with h5py.File(tmp / "five.h5", "r") as f:
        gaps = np.array([final_year_gap(f, r) for r in range(5)])
    mean, half = gaps.mean(), stats.t.ppf(0.975, 4) * gaps.std(ddof=1) / np.sqrt(5)
    m = re.search(r"mean ([-+]\d\.\d+), 95% interval \[([-+]\d\.\d+), ([-+]\d\.\d+)\] \(Student t, n = 5", five_out)
    assert m, five_out
    assert [float(x) for x in m.groups()] == pytest.approx([mean, mean - half, mean + half], abs=6e-5)
    assert "mean of 5 replicates" in five_out
    assert "a single stochastic run, no interval" in one_out


def test_scenario_key_and_refusals(xsector_bin, source_dir, tmp_path):
    scenario = tmp_path / "three.toml"
    scenario.write_text("[simulation]\nyears = 1\nreplicates = 3\n")
    xsector(xsector_bin, "run", scenario, "-o", tmp_path / "three.h5", "-q")
    with h5py.File(tmp_path / "three.h5", "r") as f:
        assert f["run"].shape == (3,)
    # Snapshots hold one run's agents: refused with several replicates, by run and validate.
    refused = xsector(xsector_bin, "run", scenario, "--snapshots", "-o", tmp_path / "s.h5", code=2)
    assert "output.snapshots with simulation.replicates = 3" in refused.stderr, refused.stderr
    with_snapshots = tmp_path / "with_snapshots.toml"
    with_snapshots.write_text(scenario.read_text() + "\n[output]\nsnapshots = true\n")
    refused = xsector(xsector_bin, "validate", with_snapshots, code=2)
    assert "with_snapshots.toml" in refused.stderr and "simulation.replicates = 3" in refused.stderr
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(scenario.read_text() + '\n[sweep]\n\n[sweep.parameters]\n"foundation.public_share" = [0.1]\n')
    for command in (["validate", sweep], ["sweep", sweep, "-o", tmp_path / "sw.h5"]):
        refused = xsector(xsector_bin, *command, code=2)
        assert re.search(r"sweep\.toml:3: simulation\.replicates", refused.stderr), refused.stderr
        assert "sweep.replicates" in refused.stderr
    bad = xsector(xsector_bin, "run", scenario, "--replicates", 0, "-o", tmp_path / "z.h5", code=2)
    assert "--replicates" in bad.stderr


def test_a_comparison_of_single_runs_promises_no_interval(xsector_bin, source_dir, tmp_path):
    base = source_dir / "scenarios" / "baseline.toml"
    (tmp_path / "policy_mix.toml").write_text((source_dir / "scenarios" / "policy_mix.toml").read_text())
    out = xsector(xsector_bin, "compare", base, tmp_path / "policy_mix.toml", "--set", "simulation.years=2",
                  "--replicates", 1, "-o", tmp_path / "c.h5").stdout
    assert "a single stochastic run per arm, so no interval" in out
    assert "95%" not in out and "[" not in out, out
