"""The sensitivity estimators (analysis/xsector_analysis/sensitivity.py) on functions with
known answers, independent of the model (issue 17).

Sobol' designs are built here from a scrambled Sobol' sequence (scipy.stats.qmc.Sobol,
fixed seeds) in the layout [A, B, AB_1 … AB_k] that the sweep's `method = "sobol"` writes.

Why N = 4096 base rows (N(k+2) = 20,480 points for Ishigami, 32,768 for G): the 95%
bootstrap intervals are then 0.03–0.09 wide, narrower than the distances between the
analytic indices that a wrong estimator would produce (swapping A and B in S1 turns
Ishigami's S1 = 0.314 into 1 − ST = 0.442; using B in Jansen's ST gives 1 − S1), so
"analytic value inside the interval" is a test that can fail; each interval's width is
also checked so that a uselessly wide interval cannot pass. The intervals are
conservative for a Sobol' sequence (the bootstrap treats its rows as independent, the
sequence is more even than that): over 5 design seeds and N = 2^10 … 2^13 every analytic
index fell inside its interval, with errors below 0.003 at N = 4096, so checking a dozen
intervals does not carry a 1 − 0.95^12 chance of a spurious failure.
"""
import math
import sys

import numpy as np
import pytest
import xarray as xr
from scipy.stats import qmc

from xsector_analysis import sensitivity as sa

N_BASE = 2 ** 12
LEVEL = 0.95
SEED = 20240517


def sobol_design(k: int, seed: int, m: int = 12) -> np.ndarray:
    """Saltelli layout on [0, 1]^k from the two halves of a scrambled 2k-dimensional Sobol' sequence."""
    u = qmc.Sobol(d=2 * k, scramble=True, seed=seed).random_base2(m)
    return sa.saltelli_design(u[:, :k], u[:, k:])


def assert_within(table, analytic_s1, analytic_st, max_width, names=None):
    """Each analytic index lies in its interval, and every interval is narrower than max_width.
    names: the parameters in the order of the analytic arrays (default x1, x2, ...)."""
    table = table.loc[names or [f"x{i + 1}" for i in range(len(analytic_s1))]]
    for col, analytic in (("S1", analytic_s1), ("ST", analytic_st)):
        lower, upper = table[f"{col}_lower"].to_numpy(), table[f"{col}_upper"].to_numpy()
        assert np.all(lower <= analytic) and np.all(analytic <= upper), (
            f"{col}: analytic {np.round(analytic, 4)} outside [{np.round(lower, 4)}, {np.round(upper, 4)}]")
        assert np.all(upper - lower < max_width), f"{col} intervals too wide: {np.round(upper - lower, 3)}"


# --- Ishigami: a = 7, b = 0.1, x ~ U(-pi, pi)^3 ---------------------------------------------

A_ISH, B_ISH = 7.0, 0.1


def ishigami(x):
    return np.sin(x[:, 0]) + A_ISH * np.sin(x[:, 1]) ** 2 + B_ISH * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices():
    """Analytic S1, ST and V (Ishigami & Homma 1990; Sobol' & Levitan 1999)."""
    v1 = 0.5 * (1 + B_ISH * math.pi ** 4 / 5) ** 2
    v2 = A_ISH ** 2 / 8
    v13 = B_ISH ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v, v


def to_ishigami_domain(u):
    return -math.pi + 2 * math.pi * u


def test_ishigami_analytic_indices_lie_in_the_bootstrap_intervals():
    s1, st, _ = ishigami_indices()
    assert np.allclose(s1, [0.314, 0.442, 0.0], atol=5e-4) and np.allclose(st, [0.558, 0.442, 0.244], atol=5e-4)
    x = to_ishigami_domain(sobol_design(3, SEED))
    table = sa.sobol_array(ishigami(x), 3, ["x1", "x2", "x3"], level=LEVEL, seed=1)
    assert table.attrs["N"] == N_BASE and table.attrs["resamples"] == 1000
    assert_within(table, s1, st, max_width=0.1)
    assert list(table.index) == ["x1", "x2", "x3"]          # ranked by ST: 0.558, 0.442, 0.244


# --- Sobol's G function: G = prod (|4x_i - 2| + a_i) / (1 + a_i), x ~ U(0, 1)^k -------------

A_G = np.array([0.0, 1.0, 4.5, 9.0, 99.0, 99.0])


def g_function(x):
    return np.prod((np.abs(4 * x - 2) + A_G) / (1 + A_G), axis=1)


def g_indices():
    """V_i = 1 / (3 (1 + a_i)^2), V = prod(1 + V_i) - 1, S1_i = V_i / V,
    ST_i = V_i prod_{j != i}(1 + V_j) / V (Saltelli & Sobol' 1995)."""
    vi = 1.0 / (3.0 * (1.0 + A_G) ** 2)
    v = np.prod(1 + vi) - 1
    return vi / v, vi * np.prod(1 + vi) / (1 + vi) / v


def test_g_function_analytic_indices_lie_in_the_bootstrap_intervals():
    s1, st = g_indices()
    names = [f"x{i + 1}" for i in range(A_G.size)]
    table = sa.sobol_array(g_function(sobol_design(A_G.size, SEED + 1)), A_G.size, names, level=LEVEL, seed=2)
    assert_within(table, s1, st, max_width=0.1)
    # Smaller a_i, more important: the ranking follows a (the last two tie at ST ~ 1e-4).
    assert list(table.index[:4]) == ["x1", "x2", "x3", "x4"]
    assert (table["ST"] >= table["S1"] - 0.01).all()


def test_saltelli_layout_and_refusals():
    a = np.arange(6.0).reshape(3, 2)
    b = -a
    d = sa.saltelli_design(a, b)
    assert d.shape == (12, 2)
    assert np.array_equal(d[:3], a) and np.array_equal(d[3:6], b)
    assert np.array_equal(d[6:9], np.c_[b[:, 0], a[:, 1]]) and np.array_equal(d[9:], np.c_[a[:, 0], b[:, 1]])
    with pytest.raises(ValueError, match="not a Saltelli design"):
        sa.sobol_array(np.zeros(13), 2)
    # A missing point drops its whole row (A, B and every AB_i), and says so.
    x = to_ishigami_domain(sobol_design(3, SEED, m=8))
    y = ishigami(x)
    y[5] = np.nan
    assert sa.sobol_array(y, 3, resamples=50).attrs["rows_dropped"] == 1


# --- replicates: pure seed noise ----------------------------------------------------------

REPLICATES = 4


def noisy_runs(sigma, seed=7):
    """Ishigami plus a fourth, inert parameter (analytic S1 = ST = 0), REPLICATES runs per
    point, each with independent N(0, sigma^2) 'seed' noise: (points, replicates)."""
    x = to_ishigami_domain(sobol_design(4, SEED + 2))
    f = ishigami(x)
    noise = np.random.default_rng(seed).normal(0.0, sigma, size=(f.size, REPLICATES))
    return f[:, None] + noise


def test_seed_noise_is_reported_and_separated_from_the_indices():
    s1, st, v = ishigami_indices()
    s1, st = np.r_[s1, 0.0], np.r_[st, 0.0]
    names = ["x1", "x2", "x3", "inert"]
    quiet = sa.sobol_array(noisy_runs(0.0), 4, names, seed=3)
    sigma = 2.0
    noisy = sa.sobol_array(noisy_runs(sigma), 4, names, seed=3)
    assert quiet.attrs["noise_share"] == 0.0
    # Runs vary by V (levers) + sigma^2 (seeds): the seeds' share is sigma^2 / (V + sigma^2) = 0.224.
    expected = sigma ** 2 / (v + sigma ** 2)
    assert noisy.attrs["noise_share"] == pytest.approx(expected, abs=0.02)
    assert noisy.attrs["replicates"] == REPLICATES and noisy.attrs["noise_corrected"]
    # The indices of the expected outcome stay where they were, within their intervals.
    assert_within(quiet, s1, st, max_width=0.1, names=names)
    assert_within(noisy, s1, st, max_width=0.1, names=names)
    q, nz = quiet.loc[names], noisy.loc[names]
    assert ((nz["S1_lower"] <= q["S1"]) & (q["S1"] <= nz["S1_upper"])).all()
    assert ((nz["ST_lower"] <= q["ST"]) & (q["ST"] <= nz["ST_upper"])).all()
    # Uncorrected, the noise left in each point's mean (sigma^2 / replicates) lifts every ST by
    # about noise_floor: the inert parameter would look like it matters.
    raw = sa.sobol_array(noisy_runs(sigma), 4, names, seed=3, correct_noise=False)
    floor = (sigma ** 2 / REPLICATES) / (v + sigma ** 2 / REPLICATES)
    assert raw.attrs["noise_floor"] == pytest.approx(floor, rel=0.1)
    assert raw.loc["inert", "ST_lower"] > 0.5 * floor
    assert noisy.loc["inert", "ST_lower"] <= 0.0 <= noisy.loc["inert", "ST_upper"]


# --- Morris -------------------------------------------------------------------------------

def test_morris_design_layout():
    r, k, p = 10, 5, 4
    x = sa.morris_design(r, k, levels=p, seed=1)
    delta = p / (2 * (p - 1))
    assert x.shape == (r * (k + 1), k)
    assert np.allclose(np.round(x * (p - 1)), x * (p - 1)) and x.min() >= 0 and x.max() <= 1   # on the grid
    for t in range(r):
        steps = np.diff(x[t * (k + 1):(t + 1) * (k + 1)], axis=0)
        changed = np.abs(steps) > 1e-12
        assert (changed.sum(axis=1) == 1).all() and (changed.sum(axis=0) == 1).all()
        assert np.allclose(np.abs(steps[changed]), delta)


def morris_1991_trajectories(r, k, p, seed):
    """Trajectories by Morris's (1991) construction, independent of sa.morris_design:
    B* = (J x* + (Delta/2) [(2B - J) D* + J]) P*, with B the (k+1) x k strictly lower
    triangular matrix of ones, J all ones, D* a random diagonal of +-1, P* a random
    permutation and x* a random base point on {0, 1/(p-1), ..., 1 - Delta}."""
    rng = np.random.default_rng(seed)
    delta = p / (2 * (p - 1))
    B = np.tril(np.ones((k + 1, k)), -1)
    J = np.ones((k + 1, k))
    base_levels = np.arange(p) / (p - 1)
    base_levels = base_levels[base_levels <= 1 - delta + 1e-12]
    out = []
    for _ in range(r):
        x_star = rng.choice(base_levels, size=k)
        D = np.diag(rng.choice([-1.0, 1.0], size=k))
        P = np.eye(k)[rng.permutation(k)]
        out.append((J * x_star + delta / 2 * ((2 * B - J) @ D + J)) @ P)
    return np.vstack(out)


COEF = np.array([5.0, -3.0, 1.0, 0.5, 0.0])


def test_morris_on_a_linear_function_ranks_the_coefficients():
    x = morris_1991_trajectories(20, COEF.size, 4, seed=11)
    names = [f"x{i + 1}" for i in range(COEF.size)]
    table = sa.morris_array(x, x @ COEF + 2.0, levels=4, names=names, seed=4)
    # For a linear term the elementary effect is the coefficient, in every trajectory.
    assert np.allclose(table.loc[names, "mu_star"], np.abs(COEF))
    assert np.allclose(table.loc[names, "mu"], COEF)
    assert np.allclose(table.loc[names, "sigma"], 0.0, atol=1e-9)
    assert list(table.index) == names                          # ranked by |coefficient|
    # Only the direction of each move is read: the same design in "own units" (an increasing
    # map per parameter, as a log-uniform distribution gives) gives the same effects.
    own_units = np.c_[10 ** (x[:, 0] * 3), 100 + 50 * x[:, 1:]]
    same = sa.morris_array(own_units, x @ COEF + 2.0, levels=4, names=names, seed=4)
    assert np.allclose(same.loc[names, "mu"], COEF)


def test_morris_interaction_shows_in_sigma_with_intervals():
    x = sa.morris_design(40, 4, levels=4, seed=12)
    y = 2.0 * x[:, 0] + 6.0 * x[:, 1] * x[:, 2]               # x2, x3 interact; x4 inert
    table = sa.morris_array(x, y, levels=4, names=["a", "b", "c", "inert"], seed=5)
    assert table.loc["a", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["b", "sigma"] > 0.5 and table.loc["c", "sigma"] > 0.5
    assert table.loc["inert", "mu_star"] == 0.0
    # Analytic mu* of b: E[6 x3] with x3 uniform on the 4 levels = 3.
    assert table.loc["b", "mu_star_lower"] <= 3.0 <= table.loc["b", "mu_star_upper"]
    assert (table["mu_star_lower"] <= table["mu_star"]).all() and (table["mu_star"] <= table["mu_star_upper"]).all()


# --- PRIM ---------------------------------------------------------------------------------

BOX_LO, BOX_HI = np.array([0.2, 0.5]), np.array([0.6, 0.9])


def test_prim_recovers_a_planted_box():
    n, alpha = 4000, 0.05
    rng = np.random.default_rng(8)
    x = rng.random((n, 4))
    inside = ((x[:, :2] >= BOX_LO) & (x[:, :2] <= BOX_HI)).all(axis=1)
    y = inside + rng.normal(0.0, 0.3, n)            # 4.8% of the labels flip at threshold 0.5
    result = sa.prim_array(x, y, 0.5, alpha=alpha, min_density=0.9, names=["a", "b", "c", "d"])
    # Tolerance: the last peel on a side moves it by alpha of the box's width w (0.4 here),
    # and the quantile it cuts at has a standard error of about w sqrt(alpha (1 - alpha) / n_in)
    # with n_in ~ 0.16 n points in the box: one peel step plus three standard errors (0.031).
    width = BOX_HI - BOX_LO
    n_in = n * np.prod(width)
    tol = alpha * width + 3 * width * np.sqrt(alpha * (1 - alpha) / n_in)
    box = result.box
    assert np.all(np.abs(box.loc[["a", "b"], "lower"].to_numpy() - BOX_LO) <= tol), box
    assert np.all(np.abs(box.loc[["a", "b"], "upper"].to_numpy() - BOX_HI) <= tol), box
    assert list(box["restricted"]) == [True, True, False, False]
    assert result.density >= 0.9
    # Coverage can reach at most in-box cases / all cases ~ 0.152 / (0.152 + 0.040) = 0.79.
    assert result.coverage > 0.7
    traj = result.trajectory
    assert traj.loc[0, "coverage"] == 1.0 and traj.loc[0, "mass"] == 1.0
    assert (np.diff(traj["mass"]) < 0).all() and traj["mass"].iloc[-1] >= 0.05
    # Cases of interest "below": the complement of the box's outputs.
    below = sa.prim_array(x, -y, -0.5, interest="below", alpha=alpha, min_density=0.9)
    assert np.allclose(below.box[["lower", "upper"]].to_numpy(), box[["lower", "upper"]].to_numpy())


# --- feature scores -----------------------------------------------------------------------

def test_feature_scores_rank_the_inputs():
    pytest.importorskip("sklearn", reason="scikit-learn (Debian python3-sklearn) is not installed: "
                        "feature_scores cannot run; .ci/deps.sh should install python3-sklearn")
    rng = np.random.default_rng(9)
    x = rng.random((1500, 4))
    y = 4.0 * x[:, 0] + np.sin(2 * np.pi * x[:, 1]) + 0.1 * rng.normal(size=1500)
    table = sa.feature_scores_array(x, y, ["strong", "medium", "none1", "none2"], n_estimators=200, seed=1)
    assert list(table.index[:2]) == ["strong", "medium"]
    assert table["importance"].sum() == pytest.approx(1.0)
    assert table.loc["strong", "importance"] > 0.5 and table.loc["none1", "importance"] < 0.05
    boxed = sa.feature_scores_array(x, y, ["strong", "medium", "none1", "none2"], threshold=3.5,
                                    n_estimators=200, seed=1)
    assert boxed.index[0] == "strong"


def test_feature_scores_without_sklearn_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.ensemble", None)     # makes the import fail
    with pytest.raises(ImportError, match="python3-sklearn"):
        sa.feature_scores_array(np.zeros((4, 2)), np.zeros(4))


# --- wrappers over a results Dataset ------------------------------------------------------

TICKS_PER_YEAR, YEARS = 4, 2


def fake_results(X, outputs, paths, replicates=2, shuffle_seed=0):
    """A Dataset shaped like open_results' (run x tick, `point`/`replicate` coordinates, one
    coordinate per swept parameter with `param_path`), runs stored in shuffled order."""
    points, k = X.shape
    point = np.repeat(np.arange(points), replicates)
    replicate = np.tile(np.arange(replicates), points)
    order = np.random.default_rng(shuffle_seed).permutation(point.size)
    point, replicate = point[order], replicate[order]
    ticks = TICKS_PER_YEAR * YEARS
    values = np.repeat(outputs(point, replicate)[:, None], ticks, axis=1)
    values[:, :-1] += 100.0                       # only the final year's last tick counts
    coords = {"point": ("run", point), "replicate": ("run", replicate)}
    for j, path in enumerate(paths):
        coords[path.replace(".", "_")] = ("run", X[point, j], {"param_path": path})
    ds = xr.Dataset({"outcome": (("run", "tick"), values, {"units": "1"})},
                    coords={"run": np.arange(point.size), "tick": np.arange(ticks), **coords})
    ds.attrs.update(ticks_per_year=TICKS_PER_YEAR, swept_parameters=list(paths))
    return ds


def test_sobol_wrapper_reads_points_and_replicates_of_a_results_dataset():
    x = to_ishigami_domain(sobol_design(3, SEED, m=9))
    f = ishigami(x)
    noise = np.random.default_rng(1).normal(0.0, 1.0, size=(f.size, 2))
    ds = fake_results(x, lambda p, r: f[p] + noise[p, r], ["lever.a", "lever.b", "lever.c"])
    table = sa.sobol_indices(ds, "outcome", resamples=200)
    direct = sa.sobol_array(f[:, None] + noise, 3, ["lever_a", "lever_b", "lever_c"], resamples=200)
    assert np.allclose(table[direct.columns].sort_index(), direct.sort_index())
    assert table.loc["lever_b", "path"] == "lever.b"
    assert table.attrs["replicates"] == 2 and table.attrs["noise_share"] > 0
    # A sweep that is not in the Saltelli layout is refused.
    swapped = x.copy()
    swapped[2 * 512:3 * 512, 1] = x[1024:1536, 1][::-1]
    bad = fake_results(swapped, lambda p, r: f[p], ["lever.a", "lever.b", "lever.c"])
    with pytest.raises(ValueError, match="not a Saltelli design"):
        sa.sobol_indices(bad, "outcome", resamples=10)


def test_morris_and_prim_wrappers_on_a_results_dataset():
    u = sa.morris_design(12, 3, levels=4, seed=2)
    values = np.c_[10 ** (u[:, 0] * 2), 0.1 + u[:, 1], 5 * u[:, 2]]       # own units
    ds = fake_results(values, lambda p, r: u[p] @ np.array([1.0, -4.0, 2.0]), ["p.one", "p.two", "p.three"])
    table = sa.morris(ds, "outcome")
    assert list(table.index) == ["p_two", "p_three", "p_one"]
    assert np.allclose(table["mu"], [-4.0, 2.0, 1.0])
    box = sa.prim(ds, "outcome", 0.0, interest="below", min_density=1.0)
    assert box.density == 1.0 and box.box.loc["p_two", "restricted"]
    with pytest.raises(ValueError, match="unknown reducer"):
        sa.morris(ds, "outcome", reducer="median")


def test_feature_scores_wrapper_on_a_results_dataset():
    pytest.importorskip("sklearn", reason="scikit-learn (Debian python3-sklearn) is not installed")
    x = np.random.default_rng(3).random((300, 3))
    ds = fake_results(x, lambda p, r: 3.0 * x[p, 2] + 0.2 * x[p, 0], ["q.a", "q.b", "q.c"])
    table = sa.feature_scores(ds, "outcome", n_estimators=100)
    assert table.index[0] == "q_c" and table.attrs["metric"] == "outcome"
