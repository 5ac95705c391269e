"""Global sensitivity analysis and scenario discovery: which levers drive an outcome.

Four estimators, each in two forms: an array-level function (`*_array`) that knows
nothing about xsector and is validated on functions with known answers
(tests/python/test_sensitivity.py), and a thin wrapper that takes a Dataset from
`open_results`, reduces a metric to one number per run and calls the array function.

    import xsector_analysis as xa
    from xsector_analysis import sensitivity as sa
    ds = xa.open_results("sobol_sweep.h5")
    table = sa.sobol_indices(ds, "public_sector_gap")     # S1, ST with 95% bootstrap intervals
    table.attrs["noise_share"]                            # share of variance due to seeds
    sa.morris(ds, "public_sector_gap")                    # mu*, sigma (Morris sweep)
    box = sa.prim(ds, "public_sector_gap", 0.05, interest="below")   # where is the gap small?
    sa.feature_scores(ds, "public_sector_gap")            # extra-trees importance (any sweep)

Notation: k swept parameters, f the model output (one number per run: by default the
metric's final-year value, see "From runs to one number" below), X_i the i-th parameter.

Sobol' indices (first order S1, total order ST)
-----------------------------------------------
V = Var(f), V_i = Var(E[f | X_i]), V_Ti = E[Var(f | X_~i)] (X_~i: all parameters but i).
S1_i = V_i / V is the share of the variance that X_i explains alone; ST_i = V_Ti / V the
share it takes part in, interactions included. ST_i − S1_i measures X_i's interactions;
ST_i ≈ 0 means X_i can be fixed anywhere in its range.

Design (Saltelli 2002, 2010). Two independent N × k samples A and B of the inputs (in
xsector the two halves of a 2k-dimensional Sobol' sequence, mapped through each
parameter's distribution) and, for each i, AB_i = A with column i taken from B. The
points of the sweep are, in this order (point index p = 0 … N(k+2) − 1):

    p in [0, N)              : A        (row j = p)
    p in [N, 2N)             : B        (row j = p − N)
    p in [(1+i)N, (2+i)N)    : AB_i     (row j = p − (1+i)N), i = 1 … k

with i counting parameters in sweep order (the file's `swept_parameters`; the order of
[sweep.parameters]). So AB_i's row j equals A's row j in every parameter except i, where
it equals B's row j. `sobol_indices` checks this on the stored parameter values and
refuses a file that does not follow it. `saltelli_design(A, B)` builds the layout.

Estimators, with f_A = f(A_j), f_B = f(B_j), f_ABi = f(AB_i,j), means over the N rows j:

    V            = variance of the 2N values f_A, f_B
    V_i  ≈ mean( f_B · (f_ABi − f_A) )                   Saltelli et al. (2010), Table 2 (b)
    V_Ti ≈ mean( (f_A − f_ABi)² ) / 2                    Jansen (1999); Saltelli et al. (2010) (f)

Outputs are first centred on the mean of f_A and f_B. The indices do not change when f is
shifted by a constant, but the estimator of V_i does: uncentred, its variance carries a
term f0² · Var(f_ABi − f_A), large when the mean f0 is large against the spread.

Confidence intervals: percentile bootstrap (Efron & Tibshirani 1993) resampling the N
rows j with replacement, each row carrying its k + 2 points together, `resamples` times
(default 1000) with a stated seed; the interval is the [(1−level)/2, (1+level)/2]
quantiles of the resampled indices. A Sobol' sequence is more even than an independent
sample, so its true estimation error is smaller than the bootstrap (which treats rows as
independent) says: the intervals err on the wide side.

Replicates and seed noise. A stochastic model gives Y = f(x) + e with E[e] = 0 and
Var(e) = σ²(x) (seeds). The replicates of each point are averaged first; the indices are
those of the expected outcome f. `noise_share` = (pooled within-point variance) / (total
variance of all runs) is reported beside them: the share of the run-to-run variance that
is seed noise rather than the levers. Averaging leaves noise of variance σ²/n in each
point's mean, which inflates V and adds σ²/n to every V_Ti (the Jansen estimator squares
a difference of two noisy means), so even a parameter without any effect would get
ST ≈ noise_floor = mean(σ²/n) / V. With `correct_noise=True` (default) and at least two
replicates, the unbiased estimate s²/n of each point mean's noise variance is subtracted:
V − mean(s²_A/n_A, s²_B/n_B) and V_Ti − mean((s²_A/n_A + s²_ABi/n_ABi) / 2). V_i needs no
correction (the noise of three different points is independent, so it averages out).
Points with a single replicate use the pooled s².

Morris elementary effects
-------------------------
Design (Morris 1991; Campolongo, Cariboni & Saltelli 2007). Each parameter's range is
mapped to [0, 1] and cut into p levels {0, 1/(p−1), …, 1} (p even; default 4). A
trajectory is k + 1 points: a random start on the grid, then k steps, each changing one
parameter, each parameter exactly once, by ±Δ with Δ = p / (2(p−1)) (so the +Δ and −Δ
moves pair the levels one to one). r trajectories give r(k+1) points, stored in order:

    point p = t(k+1) + s     trajectory t = 0 … r−1, step s = 0 … k

and `morris_design(r, k, levels, seed)` builds such a design. The elementary effect of
the parameter i changed between steps s and s+1 is

    EE_i = (f(x_{s+1}) − f(x_s)) / (±Δ)                   sign: the direction of the move

and over the r trajectories: μ_i = mean EE_i, μ*_i = mean |EE_i| (Campolongo et al. 2007:
μ* ranks like ST and does not let effects of opposite sign cancel), σ_i = standard
deviation of EE_i (non-linearity or interactions). EE are per Δ of the unit range, so μ*
compares parameters on the same footing whatever their units. Only the direction of each
move is read from the design, so the design may be given in the parameters' own units
(any increasing map of the unit scale, as the sweep's distributions are). Intervals:
percentile bootstrap over trajectories. Seed noise adds |noise| to every EE: compare μ*
against the noise share reported beside it.

PRIM (scenario discovery)
-------------------------
Friedman & Fisher (1999), as used for scenario discovery by Bryant & Lempert (2010).
Cases of interest: runs (or points) whose output is above (or below) a threshold. Start
from the box spanning all the data; at each step try, for every parameter, removing the
share α (default 0.05) of the points in the box with the lowest values of that parameter,
or with the highest; keep the peel that leaves the highest density (share of cases of
interest) in the box. Stop when the box holds less than `min_mass` of the points. Each box
of this peeling trajectory has a coverage (cases of interest inside / all cases of
interest), a density (cases of interest inside / points inside) and bounds per parameter.
Coverage falls and density rises as the box shrinks; the chosen box is by default the
first (largest coverage) whose density reaches `min_density`, or the one you name.
Friedman & Fisher's optional pasting step is not done (nor by EMA Workbench by default).

Feature scores
--------------
Impurity importance of an extra-trees ensemble (Geurts, Ernst & Wehenkel 2006), as in
EMA Workbench's feature scoring: needs scikit-learn (Debian: python3-sklearn).

From runs to one number
-----------------------
Each wrapper reduces the metric to one value per run with `reducer`: "final_year"
(default; `summary.final_year`: flows summed over the last complete year, states at its
end, and the gap indicators (public_sector_gap and its shares) recomputed from that
year's totals of support spending and participation, not averaged per-tick ratios),
"total" (a flow summed over the whole run), "last_tick", or a callable (ds, metric) ->
DataArray over `run`. A metric with a sector or stage dimension needs
`select={"sector": "government"}` (anything `.sel` takes). Runs are grouped by the
`point` and `replicate` coordinates; points with no finished run are dropped with the
rows (Sobol') or trajectories (Morris) they belong to, and the number dropped is reported.

References
----------
Campolongo F, Cariboni J, Saltelli A (2007) An effective screening design for sensitivity
  analysis of large models. Environ Model Softw 22:1509–1518.
Friedman JH, Fisher NI (1999) Bump hunting in high-dimensional data. Stat Comput 9:123–143.
Geurts P, Ernst D, Wehenkel L (2006) Extremely randomized trees. Mach Learn 63:3–42.
Jansen MJW (1999) Analysis of variance designs for model output. Comput Phys Commun
  117:35–43.
Morris MD (1991) Factorial sampling plans for preliminary computational experiments.
  Technometrics 33:161–174.
Saltelli A, Annoni P, Azzini I, Campolongo F, Ratto M, Tarantola S (2010) Variance based
  sensitivity analysis of model output. Design and estimator for the total sensitivity
  index. Comput Phys Commun 181:259–270.
Bryant BP, Lempert RJ (2010) Thinking inside the box. Technol Forecast Soc Change 77:34–49.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from .io import _toml, swept_parameters
from .summary import final_year, total

# Bootstrap resamples are processed in chunks of at most this many values, to bound memory.
_CHUNK_VALUES = 4_000_000


# --- shared helpers -----------------------------------------------------------------------

def _names(names, k: int) -> list[str]:
    if names is None:
        return [f"x{i + 1}" for i in range(k)]
    names = [str(n) for n in names]
    if len(names) != k:
        raise ValueError(f"{len(names)} names for {k} parameters")
    return names


def _replicate_stats(y):
    """Per point: mean over replicates, number of finite replicates, and the noise variance of
    that mean (s²/n, with the pooled s² where a point has one replicate). Also the noise share
    of all runs and the pooled within-point variance.

    y: (points,) or (points, replicates), NaN for a missing run."""
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2:
        raise ValueError("outputs must be one value per point or a (points, replicates) array")
    finite = np.isfinite(y)
    n = finite.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.nansum(y, axis=1) / np.maximum(n, 1), np.nan)
        dev2 = np.where(finite, (y - mean[:, None]) ** 2, 0.0).sum(axis=1)
    dof = np.maximum(n - 1, 0)
    if dof.sum() > 0:
        # Pooled within-point variance: every replicate's deviation from its own point mean.
        pooled = float(dev2.sum() / dof.sum())
        runs = y[finite]
        total_var = float(runs.var(ddof=1)) if runs.size > 1 else np.nan
        share = pooled / total_var if total_var > 0 else np.nan
        s2 = np.where(n >= 2, dev2 / np.maximum(dof, 1), pooled)
        noise_var = np.where(n > 0, s2 / np.maximum(n, 1), np.nan)
    else:
        pooled, share, noise_var = np.nan, np.nan, None
    return mean, n, noise_var, share, pooled


def _percentile(boot, level: float):
    """Percentile bootstrap interval along axis 0."""
    tail = (1.0 - level) / 2.0
    return np.nanquantile(boot, [tail, 1.0 - tail], axis=0)


def _chunks(resamples: int, per_resample: int):
    size = max(1, _CHUNK_VALUES // max(per_resample, 1))
    for start in range(0, resamples, size):
        yield min(size, resamples - start)


# --- designs (reference layouts) -----------------------------------------------------------

def saltelli_design(A, B) -> np.ndarray:
    """The Saltelli layout [A; B; AB_1; …; AB_k] (N(k+2) × k) from two N × k samples."""
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.shape != B.shape or A.ndim != 2:
        raise ValueError("A and B must be N x k arrays of the same shape")
    blocks = [A, B]
    for i in range(A.shape[1]):
        AB = A.copy()
        AB[:, i] = B[:, i]
        blocks.append(AB)
    return np.vstack(blocks)


def morris_design(r: int, k: int, levels: int = 4, seed: int = 0) -> np.ndarray:
    """r Morris trajectories (r(k+1) × k, on the unit scale): a random start on the p-level
    grid, then each parameter once, in random order, by +Δ from the lower half of the levels
    and −Δ from the upper half (so every move stays on the grid)."""
    delta = _delta(levels)
    rng = np.random.default_rng(seed)
    out = np.empty((r * (k + 1), k))
    for t in range(r):
        start = rng.integers(0, levels, size=k)
        x = start / (levels - 1)
        out[t * (k + 1)] = x
        for s, i in enumerate(rng.permutation(k), start=1):
            x = x.copy()
            x[i] += delta if start[i] < levels // 2 else -delta
            out[t * (k + 1) + s] = x
    return out


def _delta(levels: int) -> float:
    if levels < 2 or levels % 2:
        raise ValueError(f"Morris needs an even number of levels >= 2, got {levels}")
    return levels / (2.0 * (levels - 1))


# --- Sobol' indices ------------------------------------------------------------------------

def _sobol_estimates(fA, fB, fAB, nA=None, nB=None, nAB=None):
    """S1 and ST for arrays with any leading (resample) axes: fA, fB (..., N), fAB (..., N, k).
    nA, nB, nAB: the noise variance of each point's mean (same shapes), or None."""
    centre = 0.5 * (fA.mean(axis=-1) + fB.mean(axis=-1))
    fA = fA - centre[..., None]
    fB = fB - centre[..., None]
    fAB = fAB - centre[..., None, None]
    both = np.concatenate([fA, fB], axis=-1)
    V = both.var(axis=-1)
    Vi = (fB[..., None] * (fAB - fA[..., None])).mean(axis=-2)        # Saltelli 2010
    VTi = 0.5 * ((fA[..., None] - fAB) ** 2).mean(axis=-2)            # Jansen 1999
    if nA is not None:
        V = V - 0.5 * (nA.mean(axis=-1) + nB.mean(axis=-1))
        VTi = VTi - 0.5 * (nA[..., None] + nAB).mean(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return Vi / V[..., None], VTi / V[..., None]


def sobol_array(y, k: int, names=None, *, level: float = 0.95, resamples: int = 1000, seed: int = 0,
                correct_noise: bool = True) -> pd.DataFrame:
    """First-order (Saltelli 2010) and total (Jansen 1999) Sobol' indices from a Saltelli design.

    y: outputs at the N(k+2) points in the layout [A, B, AB_1, …, AB_k] (module docstring),
       either one value per point or (points, replicates) with NaN for missing runs.
    Returns a DataFrame indexed by parameter with S1, S1_lower, S1_upper, ST, ST_lower,
    ST_upper (percentile bootstrap over the N rows, `resamples` times, `seed`), ranked by ST;
    attrs: N, k, rows_dropped, variance (of the point means), noise_share, noise_floor,
    noise_corrected, replicates (most per point), level, resamples, seed, method.
    """
    mean, n, noise_var, share, _ = _replicate_stats(y)
    points = mean.size
    if k < 1 or points % (k + 2):
        raise ValueError(f"{points} points is not N(k+2) for k = {k}: not a Saltelli design")
    N = points // (k + 2)
    names = _names(names, k)
    # Column b of these (N, k+2) tables is block b of the layout: A, B, AB_1 … AB_k.
    blocks = mean.reshape(k + 2, N).T
    keep = np.isfinite(blocks).all(axis=1)     # a row is usable only with all k+2 points
    if keep.sum() < 2:
        raise ValueError("fewer than two complete rows (A, B and every AB_i finished)")
    blocks = blocks[keep]
    noise = None
    if correct_noise and noise_var is not None:
        noise = noise_var.reshape(k + 2, N).T[keep]
    noise_floor = np.nan
    if noise_var is not None:
        nv = noise_var.reshape(k + 2, N).T[keep]
        noise_floor = float(nv[:, :2].mean() / blocks[:, :2].var())

    def estimate(rows):
        parts = (blocks[rows, 0], blocks[rows, 1], blocks[rows, 2:])
        if noise is None:
            return _sobol_estimates(*parts)
        return _sobol_estimates(*parts, noise[rows, 0], noise[rows, 1], noise[rows, 2:])

    m = blocks.shape[0]
    S1, ST = estimate(np.arange(m))
    rng = np.random.default_rng(seed)
    boot1, bootT = [], []
    for size in _chunks(resamples, m * k):
        b1, bT = estimate(rng.integers(0, m, size=(size, m)))
        boot1.append(b1)
        bootT.append(bT)
    lo1, hi1 = _percentile(np.concatenate(boot1), level)
    loT, hiT = _percentile(np.concatenate(bootT), level)
    table = pd.DataFrame({"S1": S1, "S1_lower": lo1, "S1_upper": hi1, "ST": ST, "ST_lower": loT, "ST_upper": hiT},
                         index=pd.Index(names, name="parameter"))
    table = table.sort_values("ST", ascending=False, kind="stable")
    table.attrs.update(method="sobol (S1: Saltelli 2010, ST: Jansen 1999)", N=int(N), k=int(k),
                       rows_dropped=int(N - m), variance=float(blocks[:, :2].var()),
                       noise_share=float(share), noise_floor=noise_floor,
                       noise_corrected=noise is not None, replicates=int(n.max()),
                       level=level, resamples=int(resamples), seed=seed)
    return table


# --- Morris elementary effects -------------------------------------------------------------

def _trajectory_steps(X, k: int):
    """(parameter changed, direction ±1) for every step of one trajectory (k+1 points)."""
    dX = np.diff(X, axis=0)
    changed = dX != 0
    params = np.full(k, -1)
    signs = np.ones(k)
    for s in range(k):
        cols = np.flatnonzero(changed[s])
        if cols.size > 1:
            raise ValueError(f"step {s} changes {cols.size} parameters; a Morris step changes one")
        if cols.size == 1:
            params[s], signs[s] = cols[0], np.sign(dX[s, cols[0]])
    missing = sorted(set(range(k)) - set(params[params >= 0].tolist()))
    unseen = np.flatnonzero(params < 0)
    if len(unseen) == 1 and len(missing) == 1:
        # An integer or categorical parameter can map two grid levels to the same value: the
        # step shows no change, but it can only be the one parameter not yet moved.
        params[unseen[0]] = missing[0]
    elif len(unseen) or len(missing) or len(set(params.tolist())) != k:
        raise ValueError("a trajectory must change each parameter exactly once")
    return params, signs


def _morris_stats(ee):
    """mu, mu*, sigma over the trajectory axis (-2) of elementary effects (..., r, k)."""
    return ee.mean(axis=-2), np.abs(ee).mean(axis=-2), ee.std(axis=-2, ddof=1)


def morris_array(X, y, *, levels: int = 4, names=None, level: float = 0.95, resamples: int = 1000,
                 seed: int = 0) -> pd.DataFrame:
    """Morris elementary effects: μ, μ* and σ per parameter with bootstrap intervals.

    X: (r(k+1), k) design, trajectories of k+1 consecutive points (module docstring), on the
       unit scale or in the parameters' own units (only the direction of each move is used).
    y: outputs, one per point or (points, replicates) with NaN for missing runs.
    Returns a DataFrame indexed by parameter with mu, mu_star, sigma and their _lower/_upper
    (percentile bootstrap over trajectories), ranked by mu_star; attrs: r, k, levels, delta,
    trajectories_dropped, noise_share, replicates, level, resamples, seed, method.
    """
    X = np.asarray(X, dtype=float)
    mean, n, _, share, _ = _replicate_stats(y)
    points, k = X.shape
    if mean.size != points:
        raise ValueError(f"{mean.size} outputs for {points} design points")
    if points % (k + 1):
        raise ValueError(f"{points} points is not r(k+1) for k = {k}: not a Morris design")
    delta = _delta(levels)
    names = _names(names, k)
    r_all = points // (k + 1)
    ee = []
    for t in range(r_all):
        rows = slice(t * (k + 1), (t + 1) * (k + 1))
        if not np.isfinite(mean[rows]).all():
            continue                          # a trajectory with a missing point has no EE
        params, signs = _trajectory_steps(X[rows], k)
        effects = np.empty(k)
        effects[params] = signs * np.diff(mean[rows]) / delta
        ee.append(effects)
    if len(ee) < 2:
        raise ValueError("fewer than two complete trajectories")
    ee = np.array(ee)
    r = ee.shape[0]
    mu, mu_star, sigma = _morris_stats(ee)
    rng = np.random.default_rng(seed)
    boots = [[], [], []]
    for size in _chunks(resamples, r * k):
        for store, stat in zip(boots, _morris_stats(ee[rng.integers(0, r, size=(size, r))])):
            store.append(stat)
    columns = {}
    for name, value, boot in zip(("mu", "mu_star", "sigma"), (mu, mu_star, sigma), boots):
        lower, upper = _percentile(np.concatenate(boot), level)
        columns.update({name: value, f"{name}_lower": lower, f"{name}_upper": upper})
    table = pd.DataFrame(columns, index=pd.Index(names, name="parameter"))
    table = table.sort_values("mu_star", ascending=False, kind="stable")
    table.attrs.update(method="morris (elementary effects, mu* of Campolongo et al. 2007)", r=int(r), k=int(k),
                       levels=int(levels), delta=delta, trajectories_dropped=int(r_all - r),
                       noise_share=float(share), replicates=int(n.max()), level=level,
                       resamples=int(resamples), seed=seed)
    return table


# --- PRIM ----------------------------------------------------------------------------------

@dataclass
class PrimResult:
    """A PRIM peeling trajectory and the box chosen from it.

    trajectory: one row per box (step 0 = all data): n, mass, coverage, density and
        <parameter>_lower / <parameter>_upper.
    box: the chosen box, indexed by parameter: lower, upper, restricted (narrower than the
        data's range).
    """
    trajectory: pd.DataFrame
    box: pd.DataFrame
    chosen: int
    coverage: float
    density: float
    mass: float
    threshold: float
    interest: str
    alpha: float
    cases: int = 0
    notes: list = field(default_factory=list)


def _peel_candidates(x, alpha: float):
    """The two peels of one parameter: (keep mask, new lower, new upper) for the low side and
    the high side. A peel removes the α share beyond a quantile; on discrete values where that
    removes nothing it removes the extreme value instead (Friedman & Fisher 1999, section 8)."""
    out = []
    lo, hi = np.quantile(x, alpha), np.quantile(x, 1.0 - alpha)
    xmin, xmax = x.min(), x.max()
    keep = x >= lo
    if keep.all():
        keep = x > xmin
    if keep.any() and not keep.all():
        out.append((keep, x[keep].min(), None))
    keep = x <= hi
    if keep.all():
        keep = x < xmax
    if keep.any() and not keep.all():
        out.append((keep, None, x[keep].max()))
    return out


def prim_array(X, y, threshold: float, *, interest: str = "above", alpha: float = 0.05,
               min_mass: float = 0.05, min_density: float = 0.8, choose: int | None = None,
               names=None) -> PrimResult:
    """Patient rule induction (Friedman & Fisher 1999): peel a box onto the cases of interest.

    X: (n, k) numeric inputs; y: (n,) outputs. Cases of interest: y > threshold
    (interest="above") or y < threshold ("below"); NaN outputs are left out.
    alpha: share of the box's points removed per peel. Peeling stops when the next box would
    hold less than min_mass of all points. The chosen box is `choose` (a step of the
    trajectory) if given, else the first box with density >= min_density (the most coverage
    at that density), else the densest box.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if interest not in ("above", "below"):
        raise ValueError("interest must be 'above' or 'below'")
    if not 0.0 < alpha < 0.5:
        raise ValueError("alpha must be in (0, 0.5)")
    ok = np.isfinite(y) & np.isfinite(X).all(axis=1)
    X, y = X[ok], y[ok]
    n, k = X.shape
    names = _names(names, k)
    case = y > threshold if interest == "above" else y < threshold
    cases = int(case.sum())
    if cases == 0:
        raise ValueError(f"no case of interest: no output is {interest} {threshold}")
    inside = np.ones(n, dtype=bool)
    lower, upper = X.min(axis=0), X.max(axis=0)
    rows = []

    def record():
        m = int(inside.sum())
        row = dict(n=m, mass=m / n, coverage=case[inside].sum() / cases, density=case[inside].mean())
        for j, name in enumerate(names):
            row[f"{name}_lower"], row[f"{name}_upper"] = lower[j], upper[j]
        rows.append(row)

    record()
    while True:
        idx = np.flatnonzero(inside)
        best = None
        for j in range(k):
            for keep, new_lo, new_hi in _peel_candidates(X[idx, j], alpha):
                if keep.sum() < min_mass * n:
                    continue
                # Largest density left in the box; on a tie, the peel that removes fewer points.
                key = (case[idx[keep]].mean(), keep.sum())
                if best is None or key > best[0]:
                    best = (key, j, keep, new_lo, new_hi)
        if best is None:
            break
        _, j, keep, new_lo, new_hi = best
        inside[idx[~keep]] = False
        if new_lo is not None:
            lower[j] = new_lo
        if new_hi is not None:
            upper[j] = new_hi
        record()
    trajectory = pd.DataFrame(rows)
    trajectory.index.name = "step"
    if choose is None:
        dense = np.flatnonzero(trajectory["density"].to_numpy() >= min_density)
        choose = int(dense[0]) if dense.size else int(trajectory["density"].to_numpy().argmax())
    row = trajectory.iloc[choose]
    full_lo, full_hi = X.min(axis=0), X.max(axis=0)
    box = pd.DataFrame({"lower": [row[f"{nm}_lower"] for nm in names],
                        "upper": [row[f"{nm}_upper"] for nm in names]}, index=pd.Index(names, name="parameter"))
    box["restricted"] = (box["lower"].to_numpy() > full_lo) | (box["upper"].to_numpy() < full_hi)
    return PrimResult(trajectory=trajectory, box=box, chosen=int(choose), coverage=float(row["coverage"]),
                      density=float(row["density"]), mass=float(row["mass"]), threshold=float(threshold),
                      interest=interest, alpha=alpha, cases=cases)


# --- feature scores ------------------------------------------------------------------------

def feature_scores_array(X, y, names=None, *, threshold: float | None = None, interest: str = "above",
                         n_estimators: int = 500, seed: int = 0) -> pd.DataFrame:
    """Extra-trees impurity importance of each input (scikit-learn's ExtraTreesRegressor, or
    ExtraTreesClassifier on the cases of interest when a threshold is given).

    Returns a DataFrame indexed by parameter with importance (sums to 1) and std (spread of
    the importance over the trees), ranked. One process, one thread (n_jobs=1).
    """
    try:
        from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor
    except ImportError as err:
        raise ImportError("feature_scores needs scikit-learn, which is not installed: on Debian "
                          "`apt-get install python3-sklearn` (the other estimators do not need it)") from err
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(y) & np.isfinite(X).all(axis=1)
    X, y = X[ok], y[ok]
    names = _names(names, X.shape[1])
    if threshold is None:
        model = ExtraTreesRegressor(n_estimators=n_estimators, random_state=seed, n_jobs=1)
        target = y
    else:
        model = ExtraTreesClassifier(n_estimators=n_estimators, random_state=seed, n_jobs=1)
        target = (y > threshold) if interest == "above" else (y < threshold)
    model.fit(X, target)
    spread = np.std([tree.feature_importances_ for tree in model.estimators_], axis=0)
    table = pd.DataFrame({"importance": model.feature_importances_, "std": spread},
                         index=pd.Index(names, name="parameter"))
    table = table.sort_values("importance", ascending=False, kind="stable")
    table.attrs.update(method=type(model).__name__, n_estimators=n_estimators, seed=seed, n=int(ok.sum()),
                       threshold=threshold, interest=interest)
    return table


# --- wrappers for results files ------------------------------------------------------------

def run_values(ds: xr.Dataset, metric: str, reducer="final_year", select: dict | None = None) -> np.ndarray:
    """One value per run of `metric` (see "From runs to one number" in the module docstring)."""
    if callable(reducer):
        da = reducer(ds, metric)
    elif reducer == "final_year":
        da = final_year(ds, metric)
    elif reducer == "total":
        da = total(ds, metric)
    elif reducer == "last_tick":
        da = ds[metric].isel(tick=-1)
    else:
        raise ValueError(f"unknown reducer {reducer!r}: 'final_year', 'total', 'last_tick' or a callable")
    if select:
        da = da.sel(select)
    extra = [d for d in da.dims if d != "run"]
    if extra:
        labels = {d: [str(v) for v in da[d].values] for d in extra} if all(d in da.coords for d in extra) else extra
        raise ValueError(f"{metric} has the dimension(s) {extra}: pick one with select=, e.g. {labels}")
    return np.asarray(da.values, dtype=float)


def _by_point(ds: xr.Dataset, values: np.ndarray):
    """(points, replicates) table of run values, NaN where a run is missing."""
    point = np.asarray(ds["point"].values, dtype=np.int64)
    replicate = np.asarray(ds["replicate"].values, dtype=np.int64)
    if point.size == 0:
        raise ValueError("the dataset holds no runs")
    y = np.full((point.max() + 1, replicate.max() + 1), np.nan)
    y[point, replicate] = values
    return y


def _category_order(ds: xr.Dataset, path: str, values) -> list:
    """Order of a categorical parameter's choices: as listed in the scenario's
    [sweep.parameters] (a list, or a table with `choices`/`values`), else sorted."""
    spec = _toml(ds.attrs.get("scenario_toml")).get("sweep", {}).get("parameters", {}).get(path)
    if isinstance(spec, dict):
        spec = spec.get("choices", spec.get("values"))
    present = sorted({str(v) for v in values if v is not None})
    if isinstance(spec, list) and set(present) <= {str(v) for v in spec}:
        return [str(v) for v in spec]
    return present


def design_matrix(ds: xr.Dataset) -> tuple[np.ndarray, list[str], dict]:
    """(points × k) matrix of the swept parameters per point, in sweep order, NaN for a point
    without a run; booleans as 0/1 and categorical choices as their index in the order of
    `_category_order`. Also the names and {name: list of choices} of the categorical ones."""
    params = swept_parameters(ds)
    if not params:
        raise ValueError("no swept parameters in this dataset")
    point = np.asarray(ds["point"].values, dtype=np.int64)
    X = np.full((point.max() + 1, len(params)), np.nan)
    categories = {}
    for j, (name, path) in enumerate(params.items()):
        values = np.asarray(ds[name].values)
        if values.dtype.kind in "OSU":
            order = _category_order(ds, path, values)
            categories[name] = order
            values = np.array([order.index(str(v)) for v in values], dtype=float)
        X[point, j] = values.astype(float)
    return X, list(params), categories


def _check_saltelli(X: np.ndarray, k: int):
    """Refuse a design whose stored parameter values do not follow [A, B, AB_1 … AB_k]."""
    N = X.shape[0] // (k + 2)
    A, B = X[:N], X[N:2 * N]
    for i in range(k):
        AB = X[(2 + i) * N:(3 + i) * N]
        expected = A.copy()
        expected[:, i] = B[:, i]
        both = np.isfinite(AB).all(axis=1) & np.isfinite(expected).all(axis=1)
        if not np.allclose(AB[both], expected[both], rtol=1e-12, atol=0.0):
            raise ValueError(f"points {(2 + i) * N}..{(3 + i) * N - 1} are not A with parameter {i + 1} from B: "
                             "this sweep is not a Saltelli design [A, B, AB_1 … AB_k] (see the module docstring)")


def sobol_indices(ds: xr.Dataset, metric: str, *, reducer="final_year", select: dict | None = None,
                  level: float = 0.95, resamples: int = 1000, seed: int = 0,
                  correct_noise: bool = True) -> pd.DataFrame:
    """Sobol' indices of `metric` over the swept parameters of a Saltelli sweep (method =
    "sobol"): `sobol_array` on the reduced metric, replicates averaged per point. The table
    gains a `path` column (the dotted parameter path)."""
    X, names, _ = design_matrix(ds)
    y = _by_point(ds, run_values(ds, metric, reducer, select))
    k = len(names)
    if y.shape[0] % (k + 2):
        raise ValueError(f"{y.shape[0]} points is not N(k+2) for the k = {k} swept parameters; "
                         "is this a sobol sweep, and did its last points finish?")
    _check_saltelli(X, k)
    table = sobol_array(y, k, names, level=level, resamples=resamples, seed=seed, correct_noise=correct_noise)
    table.insert(0, "path", [swept_parameters(ds)[name] for name in table.index])
    reducer_name = reducer if isinstance(reducer, str) else getattr(reducer, "__name__", "callable")
    table.attrs.update(metric=metric, reducer=reducer_name)
    return table


def _levels(ds: xr.Dataset, levels):
    if levels is not None:
        return int(levels)
    value = _toml(ds.attrs.get("scenario_toml")).get("sweep", {}).get("levels")
    return int(value) if isinstance(value, int) else 4


def morris(ds: xr.Dataset, metric: str, *, levels: int | None = None, reducer="final_year",
           select: dict | None = None, level: float = 0.95, resamples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Morris μ, μ*, σ of `metric` from a Morris sweep (method = "morris"): `morris_array` on
    the reduced metric with replicates averaged per point. levels: p of the design (default:
    the scenario's [sweep] levels, else 4). The direction of each move is read from the
    parameter values (categorical choices in the order of the sweep file)."""
    X, names, categories = design_matrix(ds)
    y = _by_point(ds, run_values(ds, metric, reducer, select))
    table = morris_array(X, y, levels=_levels(ds, levels), names=names, level=level, resamples=resamples, seed=seed)
    table.insert(0, "path", [swept_parameters(ds)[name] for name in table.index])
    table.attrs.update(metric=metric, categories=categories)
    return table


def _points_or_runs(ds, metric, reducer, select, average_replicates: bool):
    X, names, categories = design_matrix(ds)
    values = run_values(ds, metric, reducer, select)
    if average_replicates:
        mean = _replicate_stats(_by_point(ds, values))[0]
        ok = np.isfinite(mean)
        return X[ok], mean[ok], names, categories
    point = np.asarray(ds["point"].values, dtype=np.int64)
    return X[point], values, names, categories


def prim(ds: xr.Dataset, metric: str, threshold: float, *, interest: str = "above", alpha: float = 0.05,
         min_mass: float = 0.05, min_density: float = 0.8, choose: int | None = None, reducer="final_year",
         select: dict | None = None, average_replicates: bool = True) -> PrimResult:
    """PRIM boxes over the swept parameters for the points (replicates averaged; or the runs,
    with average_replicates=False) whose `metric` is `interest` ("above"/"below") `threshold`.
    Categorical parameters are peeled as the index of their choice (sweep-file order) and
    noted in `notes`; read their bounds as a range of choices."""
    X, y, names, categories = _points_or_runs(ds, metric, reducer, select, average_replicates)
    result = prim_array(X, y, threshold, interest=interest, alpha=alpha, min_mass=min_mass,
                        min_density=min_density, choose=choose, names=names)
    result.notes += [f"{name}: choices indexed in the order {order}" for name, order in categories.items()]
    return result


def feature_scores(ds: xr.Dataset, metric: str, *, threshold: float | None = None, interest: str = "above",
                   n_estimators: int = 500, seed: int = 0, reducer="final_year", select: dict | None = None,
                   average_replicates: bool = True) -> pd.DataFrame:
    """Extra-trees importance of each swept parameter for `metric` (any sweep design);
    with a threshold, for the cases of interest. Needs scikit-learn (python3-sklearn)."""
    X, y, names, categories = _points_or_runs(ds, metric, reducer, select, average_replicates)
    table = feature_scores_array(X, y, names, threshold=threshold, interest=interest,
                                 n_estimators=n_estimators, seed=seed)
    table.attrs.update(metric=metric, categories=categories)
    return table
