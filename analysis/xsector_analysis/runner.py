"""Running the xsector binary from Python (notebooks, tests).

The binary is found from the environment variable XSECTOR_BIN, else
$XSECTOR_BUILD_DIR/sim/xsector, else `xsector` on PATH. A scenario's name in the results
file is the stem of its TOML file, so `write_scenario` names the file after the scenario.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def find_binary() -> str:
    """Path of the xsector executable (see module doc); FileNotFoundError if none."""
    candidates = [os.environ.get("XSECTOR_BIN")]
    if os.environ.get("XSECTOR_BUILD_DIR"):
        candidates.append(os.path.join(os.environ["XSECTOR_BUILD_DIR"], "sim", "xsector"))
    candidates.append(shutil.which("xsector"))
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise FileNotFoundError("xsector binary not found: set XSECTOR_BIN to build/sim/xsector")


def write_scenario(directory, name: str, toml_text: str) -> Path:
    """Write `toml_text` to DIRECTORY/NAME.toml (NAME becomes the scenario_name)."""
    path = Path(directory) / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(toml_text, encoding="utf-8")
    return path


def _run(args, binary=None) -> subprocess.CompletedProcess:
    cmd = [binary or find_binary()] + [str(a) for a in args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed with status {proc.returncode}:\n{proc.stderr or proc.stdout}")
    return proc


def run(scenario, out, sets=(), binary=None, force: bool = True) -> Path:
    """`xsector run SCENARIO -o OUT [--set path=value ...]`; returns OUT."""
    args = ["run", scenario, "-o", out, "--quiet"] + (["--force"] if force else [])
    for s in sets:
        args += ["--set", s]
    _run(args, binary)
    return Path(out)


def sweep(scenario, out, binary=None, force: bool = True) -> Path:
    """`xsector sweep SCENARIO -o OUT` (the scenario has a [sweep] table); returns OUT.
    An existing OUT is removed first when `force` is true."""
    out = Path(out)
    if force and out.exists():
        out.unlink()
    _run(["sweep", scenario, "-o", out, "--quiet"], binary)
    return out


def compare(scenarios, out, replicates: int = 20, sets=(), binary=None, force: bool = True) -> Path:
    """`xsector compare BASE.toml ARM.toml ... -o OUT --replicates N [--set path=value ...]`:
    paired replicates of every scenario (replicate r of each has the same seed) into one
    file with an `arm` coordinate, the first scenario the base; returns OUT. Read it with
    `open_results` and `compare(ds, paired=True)`."""
    args = ["compare", *scenarios, "-o", out, "--replicates", replicates, "--quiet"] + (["--force"] if force else [])
    for s in sets:
        args += ["--set", s]
    _run(args, binary)
    return Path(out)


def public_share_sweep_toml(values=(0.0, 0.5), replicates: int = 2, years: int = 2, scale: float = 0.05,
                            seed: int = 20240601, description: str = "") -> str:
    """A small scenario sweeping foundation.public_share (the share of foundation capacity
    money directed to governments), for examples and tests."""
    desc = f'[scenario]\ndescription = "{description}"\n\n' if description else ""
    return (f"{desc}[simulation]\nyears = {int(years)}\nseed = {int(seed)}\n\n"
            f"[population]\nscale = {float(scale)!r}\n\n"
            f'[sweep]\nmethod = "grid"\nreplicates = {int(replicates)}\n\n'
            f'[sweep.parameters]\n"foundation.public_share" = [{", ".join(repr(float(v)) for v in values)}]\n')
