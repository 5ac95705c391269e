"""The in-process Python module `xsector` (sim/python) against the CLI.

xsector.run() and xsector.sweep() must return what `xsector_analysis.open_results` gives
for the file the CLI writes with the same arguments, value for value; `output=` must write
that file; bad input must raise with the very message the CLI prints on stderr.

The module is built only when pybind11 is installed (sim/python/CMakeLists.txt); ctest
puts build/python on PYTHONPATH. Without it these tests skip.
"""
import os
import subprocess
import tempfile
from pathlib import Path

import h5py
import numpy as np
import pytest

xsector = pytest.importorskip("xsector", reason="the module xsector is built only with pybind11-dev")
import xsector_analysis as xa  # noqa: E402

# The tiny population cannot have the network's mean degrees; the CLI and the module both
# say so (stderr, UserWarning), which test_warnings_are_python_warnings checks once.
CAPPED = "the generated network falls short of network.mean_degree"
pytestmark = pytest.mark.filterwarnings(f"ignore:{CAPPED}")

TINY = (Path(__file__).resolve().parent.parent / "data" / "tiny_region.toml").read_text()

TINY_SWEEP = TINY + """
[sweep]
method = "grid"
replicates = 2

[sweep.parameters]
"foundation.public_share" = [0.0, 0.5]
"""

# What legitimately differs between two results files of the same runs (provenance):
# the times of this writer, the command that made the file, and where it was read from.
PROVENANCE_ATTRS = {"start_time", "end_time", "command_line", "source_path"}
# The measured seconds each run took.
TIMED_DATASETS = {"wall_time"}


@pytest.fixture()
def scenarios(tmp_path):
    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "tiny_sweep.toml").write_text(TINY_SWEEP)
    return tmp_path


def cli(xsector_bin, *args):
    return subprocess.run([str(xsector_bin), *map(str, args)], capture_output=True, text=True, timeout=300)


def cli_results(xsector_bin, out, *args):
    done = cli(xsector_bin, *args, "-o", out, "-q")
    assert done.returncode == 0, done.stderr
    with xa.open_results(out) as ds:
        return ds.load()


def assert_same(a, b, ignore_attrs=frozenset()):
    """The same variables, coordinates, dims, attributes and values (NaN equal to NaN)."""
    skip_attrs = PROVENANCE_ATTRS | set(ignore_attrs)
    assert dict(a.sizes) == dict(b.sizes)
    assert list(a.data_vars) == list(b.data_vars)
    assert sorted(a.coords) == sorted(b.coords)
    assert {k: v for k, v in a.attrs.items() if k not in skip_attrs} == \
           {k: v for k, v in b.attrs.items() if k not in skip_attrs}
    assert set(a.attrs) == set(b.attrs)
    for name in list(a.variables):
        x, y = a[name], b[name]
        assert x.dims == y.dims, name
        assert x.dtype == y.dtype, name
        assert x.attrs == y.attrs, name
        if name not in TIMED_DATASETS:
            np.testing.assert_array_equal(x.values, y.values, err_msg=name)


def test_run_equals_the_cli_file(xsector_bin, scenarios):
    cli_ds = cli_results(xsector_bin, scenarios / "cli.h5", "run", scenarios / "tiny.toml",
                         "--set", "simulation.seed=7", "--threads", "2")
    ds = xsector.run(scenarios / "tiny.toml", seed=7, threads=2)
    assert_same(ds, cli_ds)
    assert ds.attrs["command_line"].startswith("xsector.run(")
    assert "simulation.seed=7" in str(ds.attrs["overrides"])


def test_replicates_and_set_equal_the_cli_file(xsector_bin, scenarios):
    cli_ds = cli_results(xsector_bin, scenarios / "cli.h5", "run", scenarios / "tiny.toml", "--threads", "2",
                         "--set", "foundation.public_share=0.25", "--set", "network.homophily=0.7",
                         "--replicates", "3")
    ds = xsector.run(scenarios / "tiny.toml", set={"foundation.public_share": 0.25, "network.homophily": 0.7},
                     replicates=3, threads=2)
    assert ds.sizes["run"] == 3
    assert_same(ds, cli_ds)


def test_sweep_equals_the_cli_file(xsector_bin, scenarios):
    cli_ds = cli_results(xsector_bin, scenarios / "cli.h5", "sweep", scenarios / "tiny_sweep.toml", "--threads", "2",
                         "--set", "simulation.seed=11")
    ds = xsector.sweep(scenarios / "tiny_sweep.toml", set={"simulation.seed": 11}, threads=2)
    assert ds.sizes["run"] == 4
    assert list(ds["foundation_public_share"].values) == [0.0, 0.0, 0.5, 0.5]
    assert_same(ds, cli_ds)


def h5_contents(path):
    """Every dataset's values and attributes and the root attributes, by name."""
    found = {}
    with h5py.File(path, "r") as f:
        found["/"] = (None, {k: v for k, v in f.attrs.items() if k not in PROVENANCE_ATTRS})

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                attrs = {k: v for k, v in obj.attrs.items() if k not in ("DIMENSION_LIST", "REFERENCE_LIST")}
                found[name] = (None if name in TIMED_DATASETS else obj[()], attrs)
        f.visititems(visit)
    return found


def test_output_writes_the_cli_file(xsector_bin, scenarios):
    # With the agents' final state (group /snapshot), which open_results leaves out.
    done = cli(xsector_bin, "run", scenarios / "tiny.toml", "-o", scenarios / "cli.h5", "-q", "--threads", "2",
               "--set", "output.snapshots=true")
    assert done.returncode == 0, done.stderr
    ds = xsector.run(scenarios / "tiny.toml", set={"output.snapshots": True}, threads=2, output=scenarios / "py.h5")
    mine, theirs = h5_contents(scenarios / "py.h5"), h5_contents(scenarios / "cli.h5")
    assert list(mine) == list(theirs)
    assert "snapshot/budget" in mine
    for name in theirs:
        assert str(mine[name][1]) == str(theirs[name][1]), name
        if mine[name][0] is not None:
            np.testing.assert_array_equal(mine[name][0], theirs[name][0], err_msg=name)
    with xa.open_results(scenarios / "py.h5") as from_file:
        assert_same(ds, from_file.load())
        assert ds.attrs["source_path"] == from_file.attrs["source_path"]
    # As the CLI without --force: an existing file is not replaced.
    with pytest.raises(xsector.OutputError, match="refusing to overwrite"):
        xsector.run(scenarios / "tiny.toml", output=scenarios / "py.h5")
    xsector.run(scenarios / "tiny.toml", output=scenarios / "py.h5", force=True)


def test_no_file_is_left_behind(scenarios, monkeypatch):
    monkeypatch.chdir(scenarios)
    temp = scenarios / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    before = sorted(os.listdir(scenarios))
    ds = xsector.run("tiny.toml")
    assert ds.attrs["source_path"] == ""
    assert sorted(os.listdir(scenarios)) == before
    assert os.listdir(temp) == []


def test_warnings_are_python_warnings(xsector_bin, scenarios):
    done = cli(xsector_bin, "run", scenarios / "tiny.toml", "-o", scenarios / "cli.h5", "-q")
    with pytest.warns(UserWarning, match=CAPPED) as caught:
        xsector.run(scenarios / "tiny.toml")
    assert done.stderr.strip() == "warning: " + str(caught[0].message)
    assert caught[0].filename == __file__  # points at the caller, not at the module


def test_thread_count_does_not_change_the_results(scenarios):
    one = xsector.run(scenarios / "tiny.toml", threads=1, replicates=2)
    two = xsector.run(scenarios / "tiny.toml", threads=2, replicates=2)
    assert (one.attrs["threads"], two.attrs["threads"]) == (1, 2)
    assert_same(one, two, ignore_attrs={"threads"})
    assert_same(xsector.sweep(scenarios / "tiny_sweep.toml", threads=1),
                xsector.sweep(scenarios / "tiny_sweep.toml", threads=2), ignore_attrs={"threads"})


def test_calls_from_several_threads_at_once(scenarios):
    """The model runs without the GIL: calls from Python threads overlap, each with its own file."""
    from concurrent.futures import ThreadPoolExecutor
    alone = [xsector.run(scenarios / "tiny.toml", seed=s, threads=1) for s in (1, 2, 3, 4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda s: xsector.run(scenarios / "tiny.toml", seed=s, threads=1), (1, 2, 3, 4)))
    for a, b in zip(alone, together):
        assert_same(a, b)


BAD_INPUTS = [
    # (id, command, scenario file name or None for tiny.toml, its text, {set})
    ("unknown key by set", "run", None, None, {"foundation.public_shar": 0.2}),
    ("value out of range", "run", None, None, {"foundation.public_share": 2.0}),
    ("value of the wrong type", "run", None, None, {"simulation.years": "many"}),
    ("missing file", "run", "nowhere.toml", None, {}),
    ("bad TOML", "run", "broken.toml", "[simulation\nyears = 1\n", {}),
    ("unknown key in the file", "run", "typo.toml", TINY + "\n[market]\nbudget_shar = 1\n", {}),
    ("sweep without a [sweep] table", "sweep", None, None, {}),
    ("unknown key in a sweep", "sweep", "tiny_sweep.toml", None, {"sweep.replicate": 2}),
]


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_raises_the_cli_message(xsector_bin, scenarios, case):
    _, command, name, text, settings = case
    path = scenarios / (name or "tiny.toml")
    if text is not None:
        path.write_text(text)
    args = [command, path, "-o", scenarios / "out.h5", "-q"]
    for key, value in settings.items():
        args += ["--set", f"{key}={value}"]
    done = cli(xsector_bin, *args)
    assert done.returncode == 2, done.stderr
    with pytest.raises(xsector.InputError) as raised:
        getattr(xsector, command)(path, set=settings)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == done.stderr.strip()
    assert not (scenarios / "out.h5").exists()
