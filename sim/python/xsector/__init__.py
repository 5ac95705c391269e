"""xsector in-process: run a scenario or a sweep from Python and get an xarray.Dataset.

    import xsector
    ds = xsector.run("scenarios/baseline.toml", set={"foundation.public_share": 0.2}, replicates=5)
    sw = xsector.sweep("scenarios/sweep_public_share_by_channel.toml", threads=2)

Each call does what `xsector run` / `xsector sweep` do for the same arguments, in this
process (no subprocess, no start-up of a program), and returns the Dataset that
`xsector_analysis.open_results` gives for the file the CLI writes: same variables,
coordinates, attributes and values (only provenance differs: `command_line` names the
Python call, and the times are this call's). Without `output=` no file is left behind:
the results go through the CLI's own writer into a temporary folder and are read back
into memory. With `output=PATH` the file is written there (`force=True` to replace one).

Bad input raises `InputError` (a ValueError) with the message the CLI prints on stderr
(exit code 2); a file that cannot be written raises `OutputError` (exit code 3), a model
integrity failure `ModelError` (exit code 1); both are RuntimeErrors. The notes and
warnings the CLI prints on stderr come as Python warnings (UserWarning).

The model runs with the GIL released, so calls from several Python threads overlap. The
thread limit is process-wide (oneTBB's): overlapping calls with different `threads` all
run with the smallest, which changes their time but never their results.
"""
from __future__ import annotations

import os
import tempfile

from xsector._core import InputError, ModelError, OutputError
from xsector import _core

__all__ = ["run", "sweep", "InputError", "OutputError", "ModelError"]


def _value_text(value) -> str:
    """A value as `--set KEY=VALUE` writes it: TOML's true/false, numbers that read back exactly."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _overrides(set, extra) -> list[str]:
    """The --set strings of `set` ({dotted.key: value}) in its order, then `extra`."""
    items = [f"{key}={_value_text(value)}" for key, value in (set or {}).items()]
    return items + [f"{key}={_value_text(value)}" for key, value in extra if value is not None]


def _threads(threads) -> int:
    """--threads: None or 0 for every CPU this process may use, as the CLI's default."""
    if threads is None:
        return 0
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise InputError(f"threads: expected a whole number of 0 or more, got {threads!r}")
    return threads


def _call_text(name: str, scenario, **kwargs) -> str:
    """The call as the file's `command_line` attribute records it (provenance)."""
    args = [repr(os.fspath(scenario))] + [f"{k}={v!r}" for k, v in kwargs.items() if v is not None]
    return f"xsector.{name}({', '.join(args)})"


def _results(write, output, force: bool):
    """Calls write(path) for the file, then returns it as open_results reads it, in memory."""
    from xsector_analysis.io import open_results  # the one reader of results files

    if output is not None:
        write(os.fspath(output), force)
        with open_results(output) as ds:
            return ds.load()
    with tempfile.TemporaryDirectory(prefix="xsector-") as folder:
        write(os.path.join(folder, "results.h5"), False)
        with open_results(os.path.join(folder, "results.h5")) as ds:
            ds = ds.load()
    ds.attrs["source_path"] = ""  # no file: the temporary one is gone
    return ds


def run(scenario, set=None, replicates=None, threads=None, seed=None, output=None, force=False):
    """`xsector run SCENARIO` in-process; returns the results as an xarray.Dataset.

    scenario : path of a scenario file (TOML).
    set : {dotted.key: value}, each as `--set dotted.key=value` (in the dict's order).
    replicates : stochastic replicates into one Dataset (`--replicates N`).
    threads : worker threads (`--threads N`); None: every CPU this process may use.
    seed : simulation.seed (as `--set simulation.seed=N` after `set`).
    output : also keep the results file at this path (refused if it exists, unless force).
    """
    overrides = _overrides(set, [("simulation.seed", seed), ("simulation.replicates", replicates)])
    command = _call_text("run", scenario, set=set, replicates=replicates, threads=threads, seed=seed, output=output)
    n_threads = _threads(threads)
    return _results(lambda path, replace: _core.run_to_file(os.fspath(scenario), overrides, n_threads, path, replace,
                                                            command), output, force)


def sweep(scenario, set=None, threads=None, output=None, force=False):
    """`xsector sweep SCENARIO` in-process: every point and replicate of its [sweep] table;
    returns the results as an xarray.Dataset. Arguments as for run()."""
    overrides = _overrides(set, [])
    command = _call_text("sweep", scenario, set=set, threads=threads, output=output)
    n_threads = _threads(threads)
    return _results(lambda path, replace: _core.sweep_to_file(os.fspath(scenario), overrides, n_threads, path,
                                                              replace, command), output, force)
