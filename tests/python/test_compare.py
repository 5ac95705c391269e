"""`xsector compare`: paired replicates of several scenarios in one file (docs/OUTPUT.md).

Checked independently of the program's own arithmetic:
- pairing: arm k's replicate r in the comparison file is bit for bit the run that
  `xsector run ARM.toml --replicates N` writes as its replicate r (same seed, same series);
- the printed Δ of each indicator equals the mean of the per-replicate differences computed
  here from the file's series, and its interval is the Student-t interval of those
  differences (scipy);
- the verdict: "not distinguishable from no change" exactly when the interval includes 0;
- the file: one `run` per arm and replicate with an `arm` coordinate that names the arm, and
  each arm's scenario text inside.
"""
import re
import subprocess

import h5py
import numpy as np
import pytest
from scipy import stats

BASE = """
[simulation]
years = 3
seed = 7

[population]
government = 30
business = 300
nonprofit = 90
provider = 4
foundation = 3
"""

BUDGET = BASE + """
[[intervention]]
type = "budget_change"
start_year = 1
sector = "government"
target = "support_share"
factor = 6.0
"""

N = 8


def run(args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, **kw)


@pytest.fixture(scope="module")
def comparison(xsector_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compare")
    (tmp / "base.toml").write_text(BASE)
    (tmp / "budget.toml").write_text(BUDGET)
    (tmp / "same.toml").write_text(BASE)
    proc = run([xsector_bin, "compare", tmp / "base.toml", tmp / "budget.toml", tmp / "same.toml",
                "--replicates", N, "-o", tmp / "cmp.h5"])
    assert proc.returncode == 0, proc.stderr
    return tmp, proc.stdout


def final_year(f, metric, run, ticks_per_year=4):
    return f[metric][run, -ticks_per_year:, :].sum(axis=0)


def indicators(f, run):
    spending = final_year(f, "support_spending", run)
    participation = final_year(f, "collab_participation", run)
    part = participation[0] / participation.sum()
    spend = spending[0] / spending.sum()
    return {"public sector gap": part - spend, "government share of participation": part,
            "government share of support spending": spend,
            "government capacity (mean)": f["capacity_mean"][run, -1, 0]}


def printed(stdout, indicator, arm):
    block = stdout.split("\n" + indicator + "\n", 1)[1].split("\n\n", 1)[0]
    line = next(l for l in block.splitlines() if l.split()[0] == arm)
    numbers = [float(x) for x in re.findall(r"[+-]\d+\.\d+", line)]
    return numbers  # mean, lower, upper [, Δ, Δ lower, Δ upper]


def test_file_has_named_arms_and_their_scenarios(comparison):
    tmp, _ = comparison
    with h5py.File(tmp / "cmp.h5") as f:
        assert f.attrs["kind"] == "comparison"
        assert list(f.attrs["arms"]) == ["base", "budget", "same"]
        assert "budget_change" in f.attrs["arm_scenarios"][1]
        arms = [a.decode() if isinstance(a, bytes) else a for a in f["param:arm"][()]]
        assert arms == ["base"] * N + ["budget"] * N + ["same"] * N
        assert list(f["replicate"][()]) == list(range(N)) * 3
    import xsector_analysis as xa
    ds = xa.open_results(str(tmp / "cmp.h5"))
    assert list(ds["arm"].values[::N]) == ["base", "budget", "same"]


def test_replicate_r_of_an_arm_is_that_arm_run_alone(comparison, xsector_bin):
    tmp, _ = comparison
    assert run([xsector_bin, "run", tmp / "budget.toml", "--replicates", N, "-o", tmp / "alone.h5", "-q"]).returncode == 0
    with h5py.File(tmp / "cmp.h5") as cmp, h5py.File(tmp / "alone.h5") as alone:
        np.testing.assert_array_equal(cmp["seed"][N:2 * N], alone["seed"][()])
        np.testing.assert_array_equal(cmp["seed"][:N], cmp["seed"][N:2 * N])     # paired: the same seeds
        for metric in ("support_spending", "collab_participation", "capacity_mean", "public_sector_gap"):
            np.testing.assert_array_equal(cmp[metric][N:2 * N], alone[metric][()], err_msg=metric)


def test_printed_deltas_are_paired_t_intervals_of_the_replicate_differences(comparison):
    tmp, stdout = comparison
    with h5py.File(tmp / "cmp.h5") as f:
        for arm_index, arm in ((1, "budget"), (2, "same")):
            for indicator in ("public sector gap", "government share of support spending",
                              "government capacity (mean)"):
                d = np.array([indicators(f, arm_index * N + r)[indicator] - indicators(f, r)[indicator]
                              for r in range(N)])
                numbers = printed(stdout, indicator, arm)
                mean, lower, upper = numbers[3:6] if len(numbers) >= 6 else (numbers[3], 0.0, 0.0)
                assert mean == pytest.approx(d.mean(), abs=6e-5), (arm, indicator)
                if d.std() > 0:
                    half = stats.t.ppf(0.975, N - 1) * d.std(ddof=1) / np.sqrt(N)
                    assert lower == pytest.approx(d.mean() - half, abs=6e-5), (arm, indicator)
                    assert upper == pytest.approx(d.mean() + half, abs=6e-5), (arm, indicator)


def test_verdicts(comparison):
    _, stdout = comparison
    # An arm identical to the base differs by exactly 0 in every replicate.
    assert re.search(r"^same: not distinguishable from no change: Δ gap \+0\.0000 \[\+0\.0000, \+0\.0000\]",
                     stdout, re.M), stdout
    budget = printed(stdout, "public sector gap", "budget")
    verdict = re.search(r"^budget: (.*)$", stdout, re.M).group(1)
    if budget[4] <= 0 <= budget[5]:
        assert verdict.startswith("not distinguishable from no change")
    else:
        assert verdict.startswith("narrows" if budget[5] < 0 else "widens")


@pytest.mark.parametrize("files, message", [
    (["base.toml"], "at least two scenario files"),
    (["base.toml", "sweep.toml"], "has a [sweep] table"),
    (["base.toml", "longer.toml"], "share one time axis"),
    (["base.toml", "base.toml"], "two arms are called `base`"),
])
def test_bad_comparisons_are_refused(xsector_bin, tmp_path, files, message):
    (tmp_path / "base.toml").write_text(BASE)
    (tmp_path / "sweep.toml").write_text(BASE + '\n[sweep]\n[sweep.parameters]\n"diffusion.q" = [0.1, 0.2]\n')
    (tmp_path / "longer.toml").write_text(BASE.replace("years = 3", "years = 4"))
    (tmp_path / "out.h5").write_bytes(b"keep me")
    proc = run([xsector_bin, "compare", *[tmp_path / f for f in files], "-o", tmp_path / "out.h5", "--force"])
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert (tmp_path / "out.h5").read_bytes() == b"keep me"


def test_one_command_gives_the_page_too(xsector_bin, tmp_path):
    (tmp_path / "base.toml").write_text(BASE)
    (tmp_path / "budget.toml").write_text(BUDGET)
    proc = run([xsector_bin, "compare", tmp_path / "base.toml", tmp_path / "budget.toml", "--replicates", 4,
                "-o", tmp_path / "cmp.h5", "--report"])
    assert proc.returncode == 0, proc.stderr
    assert "budget: " in proc.stdout and f"wrote {tmp_path / 'cmp.html'}" in proc.stdout
    page = (tmp_path / "cmp.html").read_text(encoding="utf-8")
    assert 'id="fig-deltas"' in page and "budget" in page
