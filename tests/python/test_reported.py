"""What the model must report rather than do silently (MODEL.md 5 and 8, issue 14).

* A generated network whose tie probability is capped at 1 in some block falls short of
  network.mean_degree: `run`, `sweep` and `validate` warn, and the results file says which
  blocks in the root attribute `sbm_capped_blocks` (an empty list when none).
* `sweep` writes no per-agent snapshots: it refuses output.snapshots (tests/python/
  test_bad_inputs.py checks the message), and the run it points to writes the snapshot.
"""
import subprocess

import h5py
import pytest

# Three providers that want 60 ties each, half of them among themselves by the SBM's
# mixing: E_pp = D'_p^2 / D' for 3 providers is far above the 3 provider pairs.
SMALL = """
[simulation]
years = 1
ticks_per_year = 2

[population]
government = 20
business = 200
nonprofit = 60
provider = {providers}
foundation = 2

[network.mean_degree]
provider = {degree}
"""


def xsector(xsector_bin, *args, code=0):
    proc = subprocess.run([str(xsector_bin), *map(str, args)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == code, f"xsector {' '.join(map(str, args))}: exit {proc.returncode}\n{proc.stderr}"
    return proc


def capped_attribute(path):
    with h5py.File(path, "r") as f:
        return [v.decode() if isinstance(v, bytes) else str(v) for v in f.attrs["sbm_capped_blocks"]]


def test_capped_blocks_are_warned_and_recorded(xsector_bin, tmp_path):
    scenario = tmp_path / "capped.toml"
    scenario.write_text(SMALL.format(providers=3, degree=60))
    # Expected ties among providers, by MODEL.md 5: D_a = N_a k_a, D'_a = (1 - h_a) D_a
    # (h = 0.5 for clients, 0 for providers), E_pp = D'_p^2 / D', ties = E_pp / 2.
    mass = {"government": 20 * 10, "business": 200 * 6, "nonprofit": 60 * 8, "provider": 3 * 60, "foundation": 2 * 40}
    open_mass = {k: (0.5 if k in ("government", "business", "nonprofit") else 1.0) * m for k, m in mass.items()}
    wanted = open_mass["provider"] ** 2 / sum(open_mass.values()) / 2
    assert wanted > 3  # the test's premise: more ties wanted than the 3 pairs hold

    validated = xsector(xsector_bin, "validate", scenario)
    assert "warning: the generated network falls short of network.mean_degree" in validated.stderr
    assert "provider-provider" in validated.stderr and ": ok (" in validated.stdout

    ran = xsector(xsector_bin, "run", scenario, "-o", tmp_path / "capped.h5", "-q")
    assert "provider-provider" in ran.stderr
    capped = capped_attribute(tmp_path / "capped.h5")
    provider_blocks = [c for c in capped if c.startswith("provider-provider:")]
    assert len(provider_blocks) == 1, capped
    assert f"{wanted:.4g} ties wanted, 3 pairs possible" in provider_blocks[0]


def test_a_network_within_its_degrees_reports_nothing(xsector_bin, source_dir, tmp_path):
    ran = xsector(xsector_bin, "run", source_dir / "scenarios" / "baseline.toml", "-o", tmp_path / "b.h5", "-q",
                  "--set", "simulation.years=1")
    assert "falls short" not in ran.stderr
    assert capped_attribute(tmp_path / "b.h5") == []


def test_a_sweep_says_in_how_many_points_a_block_is_capped(xsector_bin, tmp_path):
    scenario = tmp_path / "capped_sweep.toml"
    # Provider degree 60 caps provider-provider (above); degree 5 does not (0.1 ties wanted
    # for 3 pairs). The two foundations' one pair is capped at both degrees, but with other
    # targets (D' = 1200 and 1035: 80^2 / D' / 2 = 2.667 and 3.092 ties): two entries.
    scenario.write_text(SMALL.format(providers=3, degree=60) +
                        '\n[sweep]\nreplicates = 1\n\n[sweep.parameters]\n"network.mean_degree.provider" = [60, 5]\n')
    ran = xsector(xsector_bin, "sweep", scenario, "-o", tmp_path / "s.h5", "-q")
    assert "(in 1 of 2 points)" in ran.stderr
    capped = capped_attribute(tmp_path / "s.h5")
    assert any(c.startswith("provider-provider:") and c.endswith("(in 1 of 2 points)") for c in capped), capped
    assert "foundation-foundation: 2.667 ties wanted, 1 pairs possible (in 1 of 2 points)" in capped, capped
    assert "foundation-foundation: 3.092 ties wanted, 1 pairs possible (in 1 of 2 points)" in capped, capped


def test_the_run_a_sweep_points_to_writes_the_snapshot(xsector_bin, source_dir, tmp_path):
    sweep_file = source_dir / "tests" / "data" / "bad_inputs" / "sweep_snapshots.toml"
    refused = xsector(xsector_bin, "sweep", sweep_file, "-o", tmp_path / "s.h5", "-q", code=2)
    assert "--point K --replicate R --snapshots" in refused.stderr
    assert not (tmp_path / "s.h5").exists()
    xsector(xsector_bin, "run", sweep_file, "--point", 1, "--replicate", 1, "--snapshots", "-o", tmp_path / "one.h5",
            "-q")
    with h5py.File(tmp_path / "one.h5", "r") as f:
        assert f["snapshot/capacity"].shape == (5 + 20 + 5 + 2 + 2,)
