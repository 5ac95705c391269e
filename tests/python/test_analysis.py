"""The analysis package (analysis/xsector_analysis) against files made by the real binary.

Needs XSECTOR_BIN (ctest sets it, with PYTHONPATH=analysis); without it the tests that
need results files are skipped with that reason. The sweep: foundation.public_share in
{0.0, 0.5} x 2 replicates, 2 years, population.scale 0.05.
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import xsector_analysis as xa
from xsector_analysis import runner

VALUES = (0.0, 0.5)
REPLICATES = 2
YEARS = 2
SECTORS = ["government", "business", "nonprofit"]
STAGES = ["diagnose", "design", "implement", "evaluate"]
ANALYSIS_DIR = Path(xa.__file__).resolve().parent.parent


def need_binary():
    if not os.environ.get("XSECTOR_BIN"):
        pytest.skip("XSECTOR_BIN is not set: these tests read files made by the real xsector binary "
                    "(run them through ctest, or set XSECTOR_BIN=build/sim/xsector)")
    return os.environ["XSECTOR_BIN"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A sweep file and a single-run file of the same small scenario."""
    binary = need_binary()
    tmp = tmp_path_factory.mktemp("analysis")
    toml = runner.public_share_sweep_toml(VALUES, REPLICATES, YEARS, 0.05, description="analysis test sweep")
    sweep = runner.sweep(runner.write_scenario(tmp, "analysis_sweep", toml), tmp / "sweep.h5", binary=binary)
    single_toml = re.sub(r"\[sweep\][\s\S]*", "", toml)
    single = runner.run(runner.write_scenario(tmp, "analysis_single", single_toml), tmp / "single.h5",
                        sets=["foundation.public_share=0.5"], binary=binary)
    return {"sweep": sweep, "single": single, "tmp": tmp}


def metric_table():
    """(name, shape, units) of every metric in sim/model/metrics.hpp."""
    src = Path(os.environ.get("XSECTOR_SOURCE_DIR", ANALYSIS_DIR.parent)) / "sim" / "model" / "metrics.hpp"
    return re.findall(r'\{"(\w+)", MetricShape::(\w+), "([^"]*)"', src.read_text())


# --- open_results ------------------------------------------------------------------------

def test_open_results_dimensions_labels_and_coordinates(files):
    ds = xa.open_results(files["sweep"])
    runs = len(VALUES) * REPLICATES
    assert ds.sizes["run"] == runs
    assert ds.sizes["tick"] == YEARS * xa.ticks_per_year(ds)
    assert list(ds["sector"].values) == SECTORS and all(isinstance(s, str) for s in ds["sector"].values)
    assert list(ds["stage"].values) == STAGES
    for coord in ("point", "replicate", "seed", "done", "year", "foundation_public_share"):
        assert coord in ds.coords, coord
    assert ds["foundation_public_share"].dims == ("run",)
    assert ds["foundation_public_share"].attrs["param_path"] == "foundation.public_share"
    assert xa.swept_parameters(ds) == {"foundation_public_share": "foundation.public_share"}
    assert sorted(set(ds["foundation_public_share"].values.tolist())) == list(VALUES)
    assert sorted(set(ds["point"].values.tolist())) == [0, 1]
    assert sorted(set(ds["replicate"].values.tolist())) == list(range(REPLICATES))
    assert np.allclose(ds["year"].values, ds["tick"].values / xa.ticks_per_year(ds))
    assert ds.attrs["scenario_name"] == "analysis_sweep"
    assert ds.attrs["kind"] == "sweep"
    assert ds.attrs["runs_done"] == runs


def test_every_metric_has_its_shape_and_units(files):
    ds = xa.open_results(files["sweep"])
    table = metric_table()
    assert len(table) >= 27
    last = {"by_sector": ("sector",), "scalar": (), "by_stage": ("stage",)}
    for name, shape, units in table:
        assert name in ds, name
        assert ds[name].dims == ("run", "tick") + last[shape], name
        assert ds[name].attrs["units"] == units, name
        assert ds[name].attrs.get("long_name"), name
    assert sorted(xa.metrics(ds)) == sorted(n for n, _, _ in table)


def test_open_results_is_lazy(files):
    ds = xa.open_results(files["sweep"])
    assert not any(ds[m].variable._in_memory for m in xa.metrics(ds))
    one = ds.isel(run=1)["support_spending"]
    assert not one.variable._in_memory
    assert one.values.shape == (ds.sizes["tick"], 3)
    assert not ds["support_spending"].variable._in_memory  # reading a selection caches nothing


def test_single_run_file_reads_like_a_sweep(files):
    ds = xa.open_results(files["single"])
    assert ds.sizes["run"] == 1
    assert ds.attrs["kind"] == "run"
    assert ds.attrs["scenario_name"] == "analysis_single"
    assert xa.swept_parameters(ds) == {}
    assert "foundation.public_share=0.5" in " ".join(xa.run_info(ds).overrides)
    assert np.isfinite(ds["public_participation_share"].values).any()


def test_unfinished_runs_are_dropped_unless_asked(files):
    import h5py
    path = files["tmp"] / "interrupted.h5"
    shutil.copy(files["sweep"], path)
    with h5py.File(path, "r+") as f:
        f["done"][1] = 0
    ds = xa.open_results(path)
    assert ds.sizes["run"] == len(VALUES) * REPLICATES - 1 and 1 not in ds["run"].values
    assert ds.attrs["runs_in_file"] == len(VALUES) * REPLICATES and ds.attrs["runs_done"] == ds.sizes["run"]
    assert xa.open_results(path, drop_unfinished=False).sizes["run"] == len(VALUES) * REPLICATES


def test_run_info_names_what_was_run(files):
    info = xa.run_info(xa.open_results(files["sweep"]))
    assert info.scenario_name == "analysis_sweep"
    assert info.description == "analysis test sweep"
    assert info.seed == 20240601
    assert info.years == YEARS
    assert info.points == len(VALUES) and info.replicates == REPLICATES
    assert info.swept == {"foundation.public_share": list(VALUES)}
    assert info.program_version not in ("", "unknown")


# --- tidy frames and summaries -----------------------------------------------------------

def test_to_frame_columns_and_row_counts(files):
    ds = xa.open_results(files["sweep"])
    runs, ticks = ds.sizes["run"], ds.sizes["tick"]
    head = ["run", "point", "replicate", "foundation_public_share"]
    df = xa.to_frame(ds, "support_spending")
    assert list(df.columns) == head + ["tick", "year", "sector", "value"]
    assert len(df) == runs * ticks * 3
    assert set(df["sector"]) == set(SECTORS)
    assert df.groupby("run").size().eq(ticks * 3).all()
    gap = xa.to_frame(ds, "public_sector_gap")
    assert list(gap.columns) == head + ["tick", "year", "value"] and len(gap) == runs * ticks
    stage = xa.to_frame(ds, "failed_by_stage")
    assert list(stage.columns) == head + ["tick", "year", "stage", "value"] and len(stage) == runs * ticks * 4
    yearly = xa.to_frame(ds, "support_spending", time="year")
    assert list(yearly.columns) == head + ["year", "sector", "value"] and len(yearly) == runs * YEARS * 3
    # a frame's values are the file's values
    sel = df[(df["run"] == 2) & (df["sector"] == "business")]["value"].to_numpy()
    assert np.array_equal(sel, ds["support_spending"].isel(run=2).sel(sector="business").values, equal_nan=True)


def test_yearly_values_follow_the_units(files):
    ds = xa.open_results(files["sweep"])
    tpy = xa.ticks_per_year(ds)
    spend = xa.yearly(ds, "support_spending")  # a flow: summed over the year
    raw = ds["support_spending"].values
    assert np.allclose(spend.values[:, 0, :], raw[:, :tpy, :].sum(axis=1))
    assert spend.attrs["units"] == "USD per year"
    cap = xa.yearly(ds, "capacity_mean")  # a state: end of year
    assert np.allclose(cap.values[:, -1, :], ds["capacity_mean"].values[:, YEARS * tpy - 1, :], equal_nan=True)
    gap = xa.final_year(ds, "public_sector_gap")
    part = xa.final_year(ds, "public_participation_share")
    support = xa.final_year(ds, "public_support_share")
    assert np.allclose(gap.values, part.values - support.values, equal_nan=True)
    last = slice((YEARS - 1) * tpy, YEARS * tpy)
    gov = raw[:, last, 0].sum(axis=1) / raw[:, last, :].sum(axis=(1, 2))
    assert np.allclose(support.values, gov, equal_nan=True)


def test_summary_intervals_contain_the_mean(files):
    ds = xa.open_results(files["sweep"])
    for metric, by in (("public_sector_gap", "point"), ("support_spending", "point"),
                       ("capacity_mean", "foundation_public_share")):
        s = xa.summarize(ds, metric, by=by)
        per_group = len(VALUES) * YEARS * (3 if metric != "public_sector_gap" else 1)
        assert len(s) == per_group
        assert {"n", "mean", "std", "lower", "upper", "year"} <= set(s.columns)
        assert (s["n"] <= REPLICATES).all() and (s["n"] >= 0).all()
        ok = s.dropna(subset=["lower", "upper"])
        assert len(ok) > 0, f"{metric}: no finite interval"
        assert (ok["lower"] <= ok["mean"] + 1e-12).all() and (ok["mean"] <= ok["upper"] + 1e-12).all()
        if by == "point":
            assert "foundation_public_share" in s.columns


def test_one_replicate_has_no_interval(files):
    ds = xa.open_results(files["sweep"])
    one = ds.isel(run=np.flatnonzero(ds["replicate"].values == 0))
    s = xa.summarize(one, "capacity_mean", time="final")
    assert (s["n"] == 1).all()
    assert s["lower"].isna().all() and s["upper"].isna().all() and s["mean"].notna().all()


def test_t_quantiles():
    for df, expected in ((1, 12.7062), (2, 4.3027), (4, 2.7764), (10, 2.2281), (30, 2.0423), (1000, 1.9623)):
        assert math.isclose(xa.t_quantile(0.975, df), expected, abs_tol=1e-4)
    n, mean, std, lo, hi = xa.interval([1.0, 2.0, 3.0])
    assert (n, mean, std) == (3, 2.0, 1.0)
    assert math.isclose(hi - mean, 4.3027 / math.sqrt(3), rel_tol=1e-4)


# --- plots --------------------------------------------------------------------------------

def _labels(fig):
    ax = fig.axes[0]
    return ax.get_xlabel(), ax.get_ylabel()


def test_plots_draw_with_labelled_axes(files):
    ds = xa.open_results(files["sweep"])
    cases = {
        "gap": (xa.plot_gap(ds), "year", "public sector gap"),
        "support": (xa.plot_support_share(ds), "year", "share of support spending"),
        "capacity": (xa.plot_capacity(ds, point=1), "year", "collaboration capacity"),
        # a swept parameter by its name for people (plots.PARAMETER_LABELS), not its dotted path
        "response": (xa.plot_response(ds), "foundations' share of capacity money to the public sector",
                     "final-year public sector gap"),
        "comparison": (xa.plot_comparison(ds), "scenario", "final-year public sector gap"),
        "files": (xa.plot_comparison([files["sweep"], files["single"]]), "scenario", "final-year public sector gap"),
    }
    for name, (fig, xlabel, ylabel) in cases.items():
        fig.canvas.draw()
        x, y = _labels(fig)
        assert x == xlabel, name
        assert y.startswith(ylabel), name
        assert fig.axes[0].has_data(), name
        out = files["tmp"] / f"plot_{name}.png"
        fig.savefig(out)
        assert out.stat().st_size > 1000
    labels = [t.get_text() for t in cases["files"][0].axes[0].get_xticklabels()]
    assert "analysis_single" in labels and any(lab.startswith("analysis_sweep:") for lab in labels)


def test_heat_map_of_two_swept_parameters(files):
    binary = need_binary()
    toml = runner.public_share_sweep_toml(VALUES, 1, 1, 0.05) + '"sector.government.support_share" = [0.0003, 0.003]\n'
    path = runner.sweep(runner.write_scenario(files["tmp"], "two_params", toml), files["tmp"] / "two.h5", binary=binary)
    ds = xa.open_results(path)
    assert list(xa.swept_parameters(ds).values()) == ["foundation.public_share", "sector.government.support_share"]
    fig = xa.plot_response(ds)
    fig.canvas.draw()
    # people's names and units (PARAMETER_LABELS, the unit of `xsector params`), wrapped to fit
    support = "government budget share for collaboration support [share of the budget per year]"
    assert tuple(t.replace("\n", " ") for t in _labels(fig)) == (
        "foundations' share of capacity money to the public sector", support)
    assert len(fig.axes) == 2  # the map and its colour bar
    assert fig.axes[1].get_ylabel() == "final-year public sector gap"
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["0.0003", "0.003"]
    marginal = xa.plot_response(ds, "sector.government.support_share")
    assert _labels(marginal)[0].replace("\n", " ") == support


def test_cost_effectiveness_table(files):
    table = xa.cost_effectiveness({"baseline": files["single"], "sweep": files["sweep"]}, baseline="baseline")
    assert list(table["label"]) == ["baseline", "sweep: foundation.public_share=0", "sweep: foundation.public_share=0.5"]
    base = table.iloc[0]
    assert base["gap_closed"] == 0 and base["extra_cost"] == 0 and math.isnan(base["gap_closed_per_million_usd"])
    given = xa.cost_effectiveness({"baseline": files["single"], "sweep": files["sweep"]}, baseline="baseline",
                                  cost={"sweep: foundation.public_share=0.5": 2e6})
    row = given.iloc[2]
    assert row["extra_cost"] == 2e6 and row["cost_source"] == "given"
    assert math.isclose(row["gap_closed_per_million_usd"], row["gap_closed"] / 2.0, rel_tol=1e-12, abs_tol=1e-15)


def test_small_numbers_are_written_for_people():
    assert xa.format_value(-2.1e-05) == "-2.1×10⁻⁵"
    assert xa.format_value(2.13456e-7) == "2.13×10⁻⁷"
    assert xa.format_value(0.000123456) == "0.000123"      # from 0.0001 up: plain decimals
    assert xa.format_value(9.9996e-5) == "0.0001"          # rounds up into the decimal range
    assert xa.format_value(-0.0587) == "-0.0587" and xa.format_value(0.0) == "0"
    for v in (-2.1e-5, 3e-9, 1.5e-12, 7.77e-5):
        assert not re.search(r"\de[+-]?\d", xa.format_value(v)), v


def test_parameter_units_are_the_binarys():
    """plots.PARAMETER_UNITS and INTERVENTION_UNITS against the unit column of
    `xsector params --markdown`: every parameter with a unit (not 1, not a switch) is listed
    with the binary's unit, and nothing else is."""
    from xsector_analysis import plots
    binary = need_binary()
    text = subprocess.run([binary, "params", "--markdown"], capture_output=True, text=True, check=True).stdout
    rows = re.findall(r'^\| <a id="([^"]+)"></a>`[^`]+` \| [^|]* \| ([^|]+) \|', text, re.M)
    assert len(rows) > 80
    params, keys = {}, {}
    for path, unit in rows:
        unit = unit.strip()
        if path.startswith(("sweep.", "scenario.")) or unit in ("1", "-"):
            continue
        if path.startswith("intervention."):
            keys.setdefault(path.rsplit(".", 1)[1], set()).add(unit)
        else:
            params[path] = unit
    assert plots.PARAMETER_UNITS == params
    assert {k: {u} for k, u in plots.INTERVENTION_UNITS.items()} == keys
    # as people read them
    assert plots.parameter_units("provider.price_median") == "$ per engagement"
    assert plots.parameter_units("sector.nonprofit.support_share") == "share of the budget per year"
    assert plots.parameter_units("intervention.3.rate") == "per year"
    assert plots.parameter_units("foundation.public_share") == ""
    assert plots.parameter_axis_label("diffusion.q") == "toolkit imitation rate [per tick]"
    assert plots.parameter_label("sector.business.turnover") == "business turnover"  # no label: the path in words


def test_gap_closed_per_dollar_carries_paired_and_fieller_intervals(comparison):
    """cost_effectiveness on a comparison file: the gap closed's interval is the paired one of
    compare (negated), and the per-dollar interval is Fieller's: at each bound R, the mean of
    the per-replicate gap closed − R × extra cost has a t statistic of exactly ±t(0.975, n−1)."""
    from scipy import stats
    import h5py
    table = xa.cost_effectiveness(comparison, baseline="base")
    paired = xa.compare(comparison, paired=True)
    budget = table.set_index("label").loc["budget"]
    row = paired.set_index("label").loc["budget"]
    assert budget["n_pairs"] == COMPARE_N
    assert budget["gap_closed_lower"] == pytest.approx(-row["delta_upper"], abs=1e-12)
    assert budget["gap_closed_upper"] == pytest.approx(-row["delta_lower"], abs=1e-12)
    raw = _final_year_by_hand(comparison)
    closed = np.array([raw["base"][r][0] - raw["budget"][r][0] for r in range(COMPARE_N)])
    with h5py.File(comparison, "r") as f:   # government support spending over the whole run, per run
        spend = f["support_spending"][:, :, 0].sum(axis=1)
        arm = [a.decode() if isinstance(a, bytes) else str(a) for a in f["param:arm"][()]]
        reps = f["replicate"][()]
    by = {(a, int(r)): s for a, r, s in zip(arm, reps, spend)}
    cost = np.array([by[("budget", r)] - by[("base", r)] for r in range(COMPARE_N)]) / 1e6
    assert budget["extra_cost"] == pytest.approx(cost.mean() * 1e6, rel=1e-9)
    assert budget["gap_closed_per_million_usd"] == pytest.approx(closed.mean() / cost.mean(), rel=1e-9)
    lo, hi = budget["per_million_lower"], budget["per_million_upper"]
    assert lo < budget["gap_closed_per_million_usd"] < hi
    tq = stats.t.ppf(0.975, COMPARE_N - 1)
    for bound in (lo, hi):
        d = closed - bound * cost
        assert abs(d.mean()) / (d.std(ddof=1) / np.sqrt(COMPARE_N)) == pytest.approx(tq, rel=1e-6)
    # a given (fixed) cost: the interval is the gap closed's divided by it
    given = xa.cost_effectiveness(comparison, baseline="base", cost={"graduates": 3e6}).set_index("label")
    g = given.loc["graduates"]
    assert g["per_million_lower"] == pytest.approx(g["gap_closed_lower"] / 3.0, rel=1e-9, abs=1e-15)
    assert g["per_million_upper"] == pytest.approx(g["gap_closed_upper"] / 3.0, rel=1e-9, abs=1e-15)
    # a cost not distinguishable from zero gives no bounded interval
    assert np.isnan(xa.ratio_interval([1.0, 2.0, 3.0], [1.0, -1.0, 0.5])).all()
    assert np.isnan(xa.ratio_interval([1.0], [1.0])).all()


# --- large files --------------------------------------------------------------------------

def test_memory_stays_bounded_for_a_10000_run_file(tmp_path):
    """analysis/bench_memory.py: a synthetic 10,000-run sweep (the reader is what is measured)."""
    proc = subprocess.run([sys.executable, str(ANALYSIS_DIR / "bench_memory.py"), "--runs", "10000", "--years", "3",
                           "--file", str(tmp_path / "big.h5"), "--limit-mb", "100"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout)
    assert result["runs"] == 10000
    growth = result["peak_growth_mib_open_and_one_run"]
    # the file's data is several times what reading one run is allowed to cost
    assert result["data_mib_decompressed"] > 2 * growth, result
    assert growth < 100, result


def test_file_left_open_by_a_killed_writer_opens(files):
    """A sweep killed mid-way leaves HDF5's "open for writing" mark; open_results reads the
    file in SWMR mode, as docs/OUTPUT.md (crash safety) describes, and drops unfinished runs."""
    path = files["tmp"] / "killed.h5"
    shutil.copy(files["sweep"], path)
    writer = ("import h5py, os, sys\n"
              "f = h5py.File(sys.argv[1], 'r+', libver=('v110', 'v110'), locking=False)\n"
              "f['done'][3] = 0\n"
              "f.swmr_mode = True\n"
              "f.flush()\n"
              "os.kill(os.getpid(), 9)\n")
    proc = subprocess.run([sys.executable, "-c", writer, str(path)], capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr
    import h5py
    with pytest.raises(OSError):
        h5py.File(path, "r").close()  # plain readers refuse it: the case being tested
    ds = xa.open_results(path)
    assert ds.sizes["run"] == len(VALUES) * REPLICATES - 1
    assert np.isfinite(xa.final_year(ds, "public_participation_share").values).all()


def test_vectorised_and_binned_intervals_match_interval():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(5, 7))
    a[0, 2] = np.nan
    a[:4, 6] = np.nan  # one value left: no interval
    n, mean, lo, hi = xa.intervals_along(a, axis=0)
    for j in range(a.shape[1]):
        m, mu, _, l, h = xa.interval(a[:, j])
        assert n[j] == m and np.isclose(mean[j], mu)
        assert (np.isnan(lo[j]) and np.isnan(l)) or np.isclose(lo[j], l) and np.isclose(hi[j], h)
    x = np.linspace(0, 1, 100)
    table = xa.binned_means(x, 2 * x, bins=4)
    assert list(table["n"]) == [25, 25, 25, 25]
    assert np.allclose(table["mean"], [2 * x[i * 25:(i + 1) * 25].mean() for i in range(4)])


# --- comparison files (xsector compare): arms and paired differences ----------------------

COMPARE_BASE = """[simulation]
years = 3
seed = 7

[population]
government = 30
business = 300
nonprofit = 90
provider = 4
foundation = 3
"""
COMPARE_BUDGET = COMPARE_BASE + """
[[intervention]]
type = "budget_change"
start_year = 1
sector = "government"
target = "support_share"
factor = 6.0
"""
COMPARE_N = 6


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    """base, budget (a budget_change arm) and graduates (graduate_programs), 6 paired replicates."""
    binary = need_binary()
    tmp = tmp_path_factory.mktemp("comparison")
    (tmp / "base.toml").write_text(COMPARE_BASE)
    (tmp / "budget.toml").write_text(COMPARE_BUDGET)
    (tmp / "graduates.toml").write_text(COMPARE_BASE + '\n[[intervention]]\ntype = "graduate_programs"\nrate = 0.5\n')
    # through runner.compare, the notebooks' way to call `xsector compare`
    out = runner.compare([tmp / "base.toml", tmp / "budget.toml", tmp / "graduates.toml"], tmp / "cmp.h5",
                         replicates=COMPARE_N, binary=binary)
    with h5py.File(out, "r") as f:
        assert f.attrs["kind"] == "comparison" and len(f["run"]) == 3 * COMPARE_N
    return out


def _final_year_by_hand(path):
    """{arm: {replicate: (gap, participation share, support share)}} of the final year, from the
    raw file with h5py: the government's share of the year's summed participation and spending."""
    import h5py
    with h5py.File(path, "r") as f:
        tpy = int(np.asarray(f.attrs["ticks_per_year"]).reshape(-1)[0])
        arms = [a.decode() if isinstance(a, bytes) else str(a) for a in f["param:arm"][()]]
        reps = f["replicate"][()]
        spend = f["support_spending"][:, -tpy:, :].sum(axis=1)        # run, sector (government first)
        part = f["collab_participation"][:, -tpy:, :].sum(axis=1)
    out = {}
    for run, (arm, r) in enumerate(zip(arms, reps)):
        p, s = part[run, 0] / part[run].sum(), spend[run, 0] / spend[run].sum()
        out.setdefault(arm, {})[int(r)] = (p - s, p, s)
    return out


def test_arms_of_a_comparison_file_are_named_in_file_order(comparison):
    assert [label for label, _ in xa.arms(comparison)] == ["base", "budget", "graduates"]
    budget = dict(xa.arms(comparison))["budget"]
    assert set(budget["arm"].values) == {"budget"} and budget.sizes["run"] == COMPARE_N
    assert [w["type"] for w in xa.intervention_windows(budget)] == ["budget_change"]  # the arm's own scenario


def test_paired_compare_matches_the_raw_paired_t_interval(comparison):
    from scipy import stats
    raw = _final_year_by_hand(comparison)
    for k, (metric, col) in enumerate((("public_sector_gap", 0), ("public_participation_share", 1),
                                       ("public_support_share", 2))):
        table = xa.compare(comparison, metric=metric, paired=True)
        assert list(table["label"]) == ["base", "budget", "graduates"]
        assert table["verdict"].iloc[0] == "base" and table["delta"].iloc[0] == 0
        for i, arm in enumerate(("budget", "graduates"), start=1):
            d = np.array([raw[arm][r][col] - raw["base"][r][col] for r in range(COMPARE_N)])
            half = stats.t.ppf(0.975, COMPARE_N - 1) * d.std(ddof=1) / np.sqrt(COMPARE_N)
            row = table.iloc[i]
            assert row["n_pairs"] == COMPARE_N
            assert row["delta"] == pytest.approx(d.mean(), abs=1e-12), (metric, arm)
            assert row["delta_lower"] == pytest.approx(d.mean() - half, abs=1e-9), (metric, arm)
            assert row["delta_upper"] == pytest.approx(d.mean() + half, abs=1e-9), (metric, arm)
            lo, hi = d.mean() - half, d.mean() + half
            if lo <= 0 <= hi:
                expected = "not distinguishable from no change"
            elif metric == "public_sector_gap":
                expected = "narrows the gap" if hi < 0 else "widens the gap"
            else:
                expected = "lower" if hi < 0 else "higher"
            assert row["verdict"] == expected, (metric, arm)
            # the per-arm means are the arm's own, unpaired
            own = np.array([raw[arm][r][col] for r in range(COMPARE_N)])
            assert row["mean"] == pytest.approx(own.mean(), abs=1e-12)
    # a six-fold budget from year 1 moves the government's share of support spending
    assert xa.compare(comparison, metric="public_support_share", paired=True)["verdict"].iloc[1] == "higher"
    # pairing is the default for a comparison file, not for other inputs
    assert "delta" in xa.compare(comparison).columns
    assert "delta" not in xa.compare(comparison, paired=False).columns


def test_unpaired_results_are_refused_for_paired_compare(comparison, files):
    import h5py
    # the points of a sweep have different seeds: not common random numbers
    with pytest.raises(ValueError, match=r"cannot pair .*seed"):
        xa.compare(files["sweep"], paired=True)
    assert "delta" not in xa.compare(files["sweep"]).columns  # not paired by default
    # a comparison file with an unfinished run: the arms no longer hold the same replicates
    broken = files["tmp"] / "cmp_unfinished.h5"
    shutil.copy(comparison, broken)
    with h5py.File(broken, "r+") as f:
        f["done"][COMPARE_N + 2] = 0  # budget's replicate 2
    with pytest.raises(ValueError, match=r"cannot pair 'budget' with 'base'.*same replicates.*\[2\]"):
        xa.compare(broken, paired=True)
    # the same replicates but other seeds
    reseeded = files["tmp"] / "cmp_reseeded.h5"
    shutil.copy(comparison, reseeded)
    with h5py.File(reseeded, "r+") as f:
        seeds = f["seed"][()]
        seeds[2 * COMPARE_N + 1] += 1  # graduates' replicate 1
        f["seed"][...] = seeds
    with pytest.raises(ValueError, match=r"cannot pair 'graduates' with 'base': replicate 1 has seed"):
        xa.compare(reseeded, paired=True)
    assert "delta" not in xa.compare(reseeded, paired=False).columns  # unpaired still works


# --- the arms of a sweep ([sweep.arms]) compared pair by pair ---------------------------------

SWEEP_ARMS = """[simulation]
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

[sweep]
replicates = 3

[sweep.arms]
status_quo = {}
voucher = { "foundation.public_channel" = "voucher" }
budget = { "intervention.0.factor" = 5.0 }

[sweep.parameters]
"foundation.public_share" = [0.1, 0.4]
"""


def test_paired_compare_of_a_sweeps_arms_pairs_design_point_and_replicate(files):
    """Replicate r of design point k has the same seed under every arm of a sweep, so
    compare(sweep, paired=True) compares the arms: Δ and its interval from the pairs
    (design point, replicate), computed here from the raw file with h5py."""
    import h5py
    from scipy import stats
    binary = need_binary()
    path = runner.sweep(runner.write_scenario(files["tmp"], "sweep_arms", SWEEP_ARMS), files["tmp"] / "arms.h5",
                        binary=binary)
    with h5py.File(path, "r") as f:
        tpy = int(np.asarray(f.attrs["ticks_per_year"]).reshape(-1)[0])
        arm = [a.decode() if isinstance(a, bytes) else str(a) for a in f["param:arm"][()]]
        share = f["param:foundation.public_share"][()]
        reps, seeds = f["replicate"][()], f["seed"][()]
        spend = f["support_spending"][:, -tpy:, :].sum(axis=1)
        part = f["collab_participation"][:, -tpy:, :].sum(axis=1)
    gap = part[:, 0] / part.sum(axis=1) - spend[:, 0] / spend.sum(axis=1)
    run_of = {(a, float(x), int(r)): k for k, (a, x, r) in enumerate(zip(arm, share, reps))}
    assert len(run_of) == 18
    table = xa.compare(path, paired=True)
    assert list(table["label"]) == ["status_quo", "voucher", "budget"]
    assert list(table["n"]) == [6, 6, 6] and table["verdict"].iloc[0] == "base"
    for i, name in ((1, "voucher"), (2, "budget")):
        keys = [(x, r) for x in (0.1, 0.4) for r in range(3)]
        assert all(seeds[run_of[(name, x, r)]] == seeds[run_of[("status_quo", x, r)]] for x, r in keys)
        d = np.array([gap[run_of[(name, x, r)]] - gap[run_of[("status_quo", x, r)]] for x, r in keys])
        half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
        row = table.iloc[i]
        assert row["n_pairs"] == 6
        assert row["delta"] == pytest.approx(d.mean(), abs=1e-12), name
        assert row["delta_lower"] == pytest.approx(d.mean() - half, abs=1e-9), name
        assert row["delta_upper"] == pytest.approx(d.mean() + half, abs=1e-9), name
        assert row["mean"] == pytest.approx(gap[[run_of[(name, x, r)] for x, r in keys]].mean(), abs=1e-12)
    # the verdicts and the Δ chart follow
    assert [v["label"] for v in xa.comparison_verdicts(path)] == ["voucher", "budget"]
    from xsector_analysis.plots import plot_deltas
    assert [t.get_text() for t in plot_deltas(path).axes[0].get_yticklabels()] == ["voucher", "budget"]
    # unpaired (the default) it is still one row per sweep point
    assert len(xa.compare(path)) == 6 and "delta" not in xa.compare(path).columns
    # an arm that lost a run no longer pairs, and says which design point and replicate
    broken = files["tmp"] / "arms_unfinished.h5"
    shutil.copy(path, broken)
    with h5py.File(broken, "r+") as f:
        f["done"][run_of[("budget", 0.4, 2)]] = 0
    with pytest.raises(ValueError, match=r"cannot pair 'budget' with 'status_quo'.*design point and replicates"):
        xa.compare(broken, paired=True)
