"""Named policy arms in a sweep ([sweep.arms], docs/OUTPUT.md and MODEL.md 8 item 20).

An arm is a set of parameter settings applied to every point of the design, arms slowest.
Independent check: each arm's runs equal, in every metric, the same design swept without
arms with the arm's setting given by --set (same points, same seeds: replicate r of design
point k has the seed of design point k under every arm, so the arms are paired); `run
--point K --replicate R` reproduces a run of an arm; the `arm` coordinate names each run's arm. Interventions' keys work as arm settings (an arm
that multiplies a support budget changes government spending, the arm that leaves the
factor at 1 equals the scenario as it is). Bad arms are refused naming file, line and key.
"""
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

[[intervention]]
type = "budget_change"
sector = "government"
target = "support_share"
factor = 1.0
"""

ARMS = BASE + """
[sweep]
replicates = 2

[sweep.arms]
grant = { "foundation.public_channel" = "grant" }
voucher = { "foundation.public_channel" = "voucher" }

[sweep.parameters]
"foundation.public_share" = [0.1, 0.3]
"""

def sweep(xsector_bin, tmp_path, name, text, *extra):
    (tmp_path / f"{name}.toml").write_text(text)
    return subprocess.run([str(xsector_bin), "sweep", str(tmp_path / f"{name}.toml"), "-o",
                           str(tmp_path / f"{name}.h5"), "-q", *extra], capture_output=True, text=True, timeout=600)


def test_each_arm_is_the_design_run_with_its_settings_and_the_arms_are_paired(xsector_bin, tmp_path):
    assert sweep(xsector_bin, tmp_path, "arms", ARMS).returncode == 0
    # The same design without arms, once per arm's setting: the arm's runs must equal it.
    alone = BASE + '\n[sweep]\nreplicates = 2\n\n[sweep.parameters]\n"foundation.public_share" = [0.1, 0.3]\n'
    for channel in ("grant", "voucher"):
        assert sweep(xsector_bin, tmp_path, channel, alone, "--set", f"foundation.public_channel={channel}").returncode == 0
    with h5py.File(tmp_path / "arms.h5") as a:
        arms = [x.decode() if isinstance(x, bytes) else x for x in a["param:arm"][()]]
        assert arms == ["grant"] * 4 + ["voucher"] * 4
        seeds = a["seed"][()]
        np.testing.assert_array_equal(seeds[:4], seeds[4:])  # paired: design point k, replicate r share a seed
        for arm, runs in (("grant", slice(0, 4)), ("voucher", slice(4, 8))):
            with h5py.File(tmp_path / f"{arm}.h5") as g:
                np.testing.assert_array_equal(seeds[runs], g["seed"][()])
                for name in g:
                    if isinstance(g[name], h5py.Dataset) and g[name].ndim >= 2:
                        np.testing.assert_array_equal(a[name][runs], g[name][()], err_msg=f"{arm} {name}")
        one = subprocess.run([str(xsector_bin), "run", str(tmp_path / "arms.toml"), "--point", "3", "--replicate", "1",
                              "-o", str(tmp_path / "one.h5"), "-q"], capture_output=True, text=True, timeout=600)
        assert one.returncode == 0, one.stderr
        with h5py.File(tmp_path / "one.h5") as o:
            assert o["seed"][0] == seeds[7]
            np.testing.assert_array_equal(o["public_sector_gap"][0], a["public_sector_gap"][7])
    import xsector_analysis as xa
    ds = xa.open_results(str(tmp_path / "arms.h5"))
    assert list(ds["arm"].values) == arms


def test_an_arm_can_set_an_intervention(xsector_bin, tmp_path):
    text = BASE + """
[sweep]
replicates = 1

[sweep.arms]
same = {}
budget = { "intervention.0.factor" = 8.0 }
"""
    assert sweep(xsector_bin, tmp_path, "budget", text).returncode == 0
    with h5py.File(tmp_path / "budget.h5") as f:
        spending = f["support_spending"][()][:, :, 0].sum(axis=1)   # government, whole run
        assert spending[1] > spending[0]
    plain = subprocess.run([str(xsector_bin), "run", str(tmp_path / "budget.toml"), "--point", "0", "-o",
                            str(tmp_path / "p0.h5"), "-q"], capture_output=True, text=True, timeout=600)
    assert plain.returncode == 0, plain.stderr


@pytest.mark.parametrize("arms, message", [
    ('[sweep.arms]\nx = 3\n', "inline.toml:{line}:5: key `sweep.arms.x`: expected the arm's settings as a table"),
    ('[sweep.arms]\nx = { "foundation.publik_share" = 0.3 }\n', "did you mean `foundation.public_share`?"),
    ('[sweep.arms]\nx = { "foundation.public_share" = 3.0 }\n', "key `foundation.public_share`: 3.0 is out of range"),
    ('[sweep.arms]\nx = { "simulation.years" = 3 }\n', "cannot vary the number of ticks"),
    ('[sweep.arms]\n', "key `sweep.arms`: lists no arm"),
    ('[sweep.arms]\nx = { "diffusion.q" = 0.1 }\n[sweep.parameters]\n"diffusion.q" = [0.1, 0.2]\n',
     "arm `x` sets it too"),
])
def test_bad_arms(xsector_bin, tmp_path, arms, message):
    text = BASE + "\n[sweep]\n" + arms
    (tmp_path / "inline.toml").write_text(text)
    line = text.count("\n", 0, text.index("[sweep.arms]")) + 2
    proc = subprocess.run([str(xsector_bin), "validate", str(tmp_path / "inline.toml")], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2, proc.stdout
    assert message.format(line=line) in proc.stderr, proc.stderr


def test_arms_need_a_design_that_keeps_their_points_apart(xsector_bin, tmp_path):
    text = BASE + '\n[sweep]\nmethod = "sobol"\nsamples = 4\n[sweep.arms]\nx = {}\n[sweep.parameters]\n' \
                  '"diffusion.q" = [0.1, 0.2]\n'
    (tmp_path / "s.toml").write_text(text)
    proc = subprocess.run([str(xsector_bin), "validate", str(tmp_path / "s.toml")], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert 'only method = "grid" or "zip" or "lhs" uses arms' in proc.stderr
