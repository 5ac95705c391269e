"""The sampled sweep designs (issue 17): `xsector sweep FILE --dry-run --design D.csv`
writes each point's parameter values; these tests check them against independent
references and evaluate them on functions with known answers, without the model.

- sobol: Saltelli's layout [A, B, AB_1 … AB_k] over points 1 … N of the unscrambled
  Joe–Kuo Sobol' sequence, which scipy.stats.qmc.Sobol(scramble=False) also generates
  (its point 0 is the origin, which Boost's generator skips); Sobol' indices of the
  Ishigami and G functions computed on the design must contain the analytic values (the
  tolerances are argued in test_sensitivity.py's docstring, for the same N = 4096).
- morris: trajectories of k + 1 points, each step moving one parameter by Δ = p/(2(p−1))
  of its range, every parameter once; μ* on a linear function ranks its coefficients.
- distributions (lhs): a Latin hypercube puts exactly one u in each stratum
  [i/n, (i+1)/n), so the i-th smallest value must lie between the quantiles at i/n and
  (i+1)/n, which scipy computes independently (truncnorm.ppf, the log-uniform and integer
  formulas); choices and integers come out in exactly equal counts when n is a multiple.
"""
import csv
import math
import subprocess

import numpy as np
import pytest
from scipy import stats
from scipy.stats import qmc

from xsector_analysis import sensitivity as sa

from test_sensitivity import assert_within

BASE = """
[simulation]
years = 1
seed = 3

[population]
government = 20
business = 200
nonprofit = 60
provider = 3
foundation = 2
"""


def design(xsector_bin, tmp_path, sweep_toml: str, name="design"):
    """(paths, rows) of the CSV that `sweep --dry-run --design` writes for BASE + sweep_toml."""
    scenario = tmp_path / f"{name}.toml"
    scenario.write_text(BASE + sweep_toml)
    out = tmp_path / f"{name}.csv"
    proc = subprocess.run([str(xsector_bin), "sweep", str(scenario), "--dry-run", "--design", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with open(out, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    assert header[0] == "point"
    assert [int(r[0]) for r in rows] == list(range(len(rows)))
    return header[1:], [r[1:] for r in rows]


def numbers(rows) -> np.ndarray:
    return np.array([[float(v) for v in r] for r in rows])


def sobol_sweep(paths_and_ranges, n: int) -> str:
    lines = [f'"{p}" = [{lo!r}, {hi!r}]' for p, (lo, hi) in paths_and_ranges.items()]
    return f'\n[sweep]\nmethod = "sobol"\nsamples = {n}\n\n[sweep.parameters]\n' + "\n".join(lines) + "\n"


UNIT3 = {"foundation.public_share": (0.0, 1.0), "diffusion.q": (0.0, 1.0), "market.gain": (0.0, 1.0)}


def test_sobol_design_is_saltelli_over_the_joe_kuo_sequence(xsector_bin, tmp_path):
    n, k = 64, 3
    paths, rows = design(xsector_bin, tmp_path, sobol_sweep(UNIT3, n))
    assert paths == list(UNIT3)
    X = numbers(rows)
    assert X.shape == (n * (k + 2), k)
    u = qmc.Sobol(d=2 * k, scramble=False).random(2 * n)[1:n + 1]   # 2n: a power of 2, as scipy wants
    np.testing.assert_array_equal(X[:n], u[:, :k])          # A: exact (dyadic rationals)
    np.testing.assert_array_equal(X[n:2 * n], u[:, k:])     # B
    np.testing.assert_array_equal(X, sa.saltelli_design(u[:, :k], u[:, k:]))


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami_indices_from_the_sweep_design(xsector_bin, tmp_path):
    # Three parameters that take any real, swept over Ishigami's [-π, π]^3.
    ranges = {p: (-math.pi, math.pi) for p in ("collab.beta0", "collab.beta_capacity", "collab.beta_trust")}
    _, rows = design(xsector_bin, tmp_path, sobol_sweep(ranges, 4096))
    table = sa.sobol_array(ishigami(numbers(rows)), 3, level=0.95, resamples=500, seed=1)
    assert_within(table, [0.3139, 0.4424, 0.0], [0.5576, 0.4424, 0.2437], max_width=0.12)


def test_g_function_indices_from_the_sweep_design(xsector_bin, tmp_path):
    a = np.array([0.0, 1.0, 4.5, 9.0])
    ranges = {p: (0.0, 1.0) for p in ("foundation.public_share", "diffusion.q", "market.gain", "foundation.capacity_share")}
    _, rows = design(xsector_bin, tmp_path, sobol_sweep(ranges, 4096))
    x = numbers(rows)
    y = np.prod((np.abs(4 * x - 2) + a) / (1 + a), axis=1)
    v = 1 / (3 * (1 + a) ** 2)
    total = np.prod(1 + v) - 1
    s1 = v / total
    st = np.array([v[i] * np.prod(np.delete(1 + v, i)) for i in range(4)]) / total
    table = sa.sobol_array(y, 4, level=0.95, resamples=500, seed=2)
    assert_within(table, s1, st, max_width=0.12)


def test_morris_design_moves_one_parameter_by_delta_and_ranks_a_linear_function(xsector_bin, tmp_path):
    ranges = {"foundation.public_share": (0.0, 1.0), "market.public_bonus": (-2.0, 2.0),
              "diffusion.q": (0.0, 0.5), "collab.beta0": (-1.0, 3.0)}
    r, k, levels = 20, 4, 4
    lines = "\n".join(f'"{p}" = [{lo!r}, {hi!r}]' for p, (lo, hi) in ranges.items())
    _, rows = design(xsector_bin, tmp_path, f'\n[sweep]\nmethod = "morris"\ntrajectories = {r}\nlevels = {levels}\n'
                     f'seed = 11\n\n[sweep.parameters]\n{lines}\n')
    X = numbers(rows)
    assert X.shape == (r * (k + 1), k)
    lo = np.array([v[0] for v in ranges.values()])
    span = np.array([v[1] - v[0] for v in ranges.values()])
    unit = (X - lo) / span
    grid = unit * (levels - 1)
    np.testing.assert_allclose(grid, np.round(grid), atol=1e-9)   # every point on the p-level grid
    delta = levels / (2 * (levels - 1))
    for t in range(r):
        steps = np.diff(unit[t * (k + 1):(t + 1) * (k + 1)], axis=0)
        moved = np.abs(steps) > 1e-12
        assert (moved.sum(axis=1) == 1).all()                    # one parameter per step
        assert (moved.sum(axis=0) == 1).all()                    # each parameter once
        np.testing.assert_allclose(np.abs(steps[moved]), delta)
    coefficients = np.array([0.5, -3.0, 0.0, 1.5])
    table = sa.morris_array(unit, unit @ coefficients, levels=levels, resamples=200, seed=0)
    assert list(table.sort_values("mu_star", ascending=False).index) == ["x2", "x4", "x1", "x3"]
    np.testing.assert_allclose(table.loc[["x1", "x2", "x3", "x4"], "mu_star"].values, np.abs(coefficients), atol=1e-9)


def test_lhs_distributions_follow_their_quantiles(xsector_bin, tmp_path):
    n = 600
    sweep = f"""
[sweep]
method = "lhs"
samples = {n}
seed = 5

[sweep.parameters]
"diffusion.q" = {{ distribution = "normal", mean = 0.08, sd = 0.03, low = 0.02, high = 0.2 }}
"sector.government.support_share" = {{ distribution = "log-uniform", low = 0.0001, high = 0.01 }}
"population.provider" = {{ distribution = "integer", low = 1, high = 6 }}
"foundation.public_channel" = {{ choices = ["voucher", "grant"] }}
"""
    paths, rows = design(xsector_bin, tmp_path, sweep)
    assert paths == ["diffusion.q", "sector.government.support_share", "population.provider",
                     "foundation.public_channel"]
    columns = list(zip(*rows))
    edges = np.arange(n + 1) / n

    def assert_one_per_stratum(values, quantile):
        v = np.sort(np.array(values, dtype=float))
        q = quantile(edges)
        assert np.all(v >= q[:-1] - 1e-12 * np.abs(q[:-1])) and np.all(v <= q[1:] + 1e-12 * np.abs(q[1:]))

    a, b = (0.02 - 0.08) / 0.03, (0.2 - 0.08) / 0.03
    assert_one_per_stratum(columns[0], lambda p: stats.truncnorm.ppf(p, a, b, loc=0.08, scale=0.03))
    assert_one_per_stratum(columns[1], lambda p: 0.0001 * (0.01 / 0.0001) ** p)
    assert sorted(set(columns[2])) == ["1", "2", "3", "4", "5", "6"]
    assert all(columns[2].count(str(i)) == n // 6 for i in range(1, 7))
    assert columns[3].count("voucher") == columns[3].count("grant") == n // 2
