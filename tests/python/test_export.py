"""`xsector export FILE --csv`: a results file as one tidy CSV table (docs/OUTPUT.md).

Checked against the file read with h5py, not against the analysis package that writes it:
every row's value is the dataset's value at (run, tick, sector or stage); swept parameters
are columns with each run's values; the row count is runs × ticks × width summed over the
metrics; yearly rows of a flow are sums of the year's ticks. An existing CSV is kept
without --force; an unknown metric is refused.
"""
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest

SCENARIO = """
[simulation]
years = 2
seed = 3

[population]
government = 20
business = 200
nonprofit = 60
provider = 3
foundation = 2

[sweep]
replicates = 2

[sweep.parameters]
"foundation.public_channel" = ["grant", "voucher"]
"foundation.public_share" = [0.1, 0.3]
"""


@pytest.fixture(scope="module")
def results(xsector_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    (tmp / "s.toml").write_text(SCENARIO)
    proc = subprocess.run([str(xsector_bin), "sweep", str(tmp / "s.toml"), "-o", str(tmp / "s.h5"), "-q"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return tmp


def export(xsector_bin, tmp, *args):
    return subprocess.run([str(xsector_bin), "export", str(tmp / "s.h5"), "--csv", *args], capture_output=True,
                          text=True, timeout=600)


def text(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def test_every_value_and_parameter_is_in_the_table(xsector_bin, results):
    proc = export(xsector_bin, results, "-o", str(results / "all.csv"))
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(results / "all.csv", keep_default_na=False, float_precision="round_trip")
    with h5py.File(results / "s.h5") as f:
        sectors = text(f["sector"][()])
        stages = text(f["stage"][()])
        metrics = sorted({m for m in table["metric"]})
        expected_rows = 0
        for m in metrics:
            d = f[m]
            expected_rows += d.shape[0] * d.shape[1] * (d.shape[2] if d.ndim == 3 else 1)
        assert len(table) == expected_rows
        assert {"support_spending", "public_sector_gap", "capacity_mean"} <= set(metrics)
        rng = np.random.default_rng(0)
        for i in rng.choice(len(table), 300, replace=False):
            row = table.iloc[i]
            d = f[row["metric"]]
            if d.ndim == 3:
                k = sectors.index(row["sector"]) if row["sector"] != "" else stages.index(row["stage"])
                value = d[int(row["run"]), int(row["tick"]), k]
            else:
                value = d[int(row["run"]), int(row["tick"])]
            if np.isnan(value):
                assert row["value"] == "" or np.isnan(float(row["value"]))
            else:
                assert float(row["value"]) == value, row.to_dict()
        runs = table.drop_duplicates("run").set_index("run").sort_index()
        assert text(runs["foundation.public_channel"]) == text(f["param:foundation.public_channel"][()])
        np.testing.assert_array_equal(runs["foundation.public_share"].to_numpy(float),
                                      f["param:foundation.public_share"][()])
        np.testing.assert_array_equal(runs["seed"].to_numpy(np.uint64), f["seed"][()])


def test_yearly_rows_sum_the_ticks_of_a_flow(xsector_bin, results):
    proc = export(xsector_bin, results, "-o", str(results / "y.csv"), "--yearly", "--metrics", "support_spending")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(results / "y.csv", keep_default_na=False, float_precision="round_trip")
    assert set(table["units"]) == {"USD per year"}
    with h5py.File(results / "s.h5") as f:
        spending = f["support_spending"][()]  # run, tick, sector
        year1 = table[(table["year"] == 1) & (table["sector"] == "government")].sort_values("run")
        np.testing.assert_allclose(year1["value"].to_numpy(float), spending[:, 4:8, 0].sum(axis=1), rtol=1e-12)


def test_refusals(xsector_bin, results):
    (results / "kept.csv").write_text("keep me")
    proc = export(xsector_bin, results, "-o", str(results / "kept.csv"))
    assert proc.returncode == 3 and "--force" in proc.stderr
    assert (results / "kept.csv").read_text() == "keep me"
    proc = export(xsector_bin, results, "-o", str(results / "x.csv"), "--metrics", "bogus")
    assert proc.returncode == 2 and "no metric bogus" in proc.stderr
    assert not (results / "x.csv").exists()
