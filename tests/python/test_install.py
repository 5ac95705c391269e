"""`cmake --install`: the binary and the analysis package as an installed tool (README.md).

Installs the build into a temporary prefix and works from a folder outside the source tree,
with neither PYTHONPATH nor XSECTOR_ANALYSIS_DIR set: the installed binary must name the
installed analysis package (`--version`) and make a report with it, and Python must import
the package, and the in-process module `xsector` where it was built, from the prefix's
dist-packages folder.
"""
import os
import subprocess
import sys
from pathlib import Path

from explorer_server import Server

SCENARIO = (Path(__file__).resolve().parent.parent / "data" / "tiny_region.toml").read_text()


def test_installed_binary_and_package_work_outside_the_source_tree(xsector_bin, tmp_path):
    build = Path(xsector_bin).resolve().parent.parent
    prefix = tmp_path / "prefix"
    done = subprocess.run(["cmake", "--install", str(build), "--prefix", str(prefix)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    binary = prefix / "bin" / "xsector"
    packages = list(prefix.glob("lib/python3.*/dist-packages"))
    assert binary.exists() and len(packages) == 1
    assert (packages[0] / "xsector_analysis" / "report.py").exists()

    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "s.toml").write_text(SCENARIO)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "XSECTOR_ANALYSIS_DIR", "XSECTOR_BIN")}

    def run(*args, **kw):
        return subprocess.run([str(a) for a in args], cwd=work, env=kw.get("env", env), capture_output=True,
                              text=True, timeout=300)

    version = run(binary, "--version")
    assert version.returncode == 0
    assert f"analysis package: {packages[0]}" in version.stdout, version.stdout
    assert run(binary, "run", "s.toml", "-o", "s.h5", "-q").returncode == 0
    report = run(binary, "report", "s.h5")
    assert report.returncode == 0, report.stderr
    assert (work / "s.html").stat().st_size > 10_000

    # The scenario library is installed, and the installed explorer offers it (not the source tree's).
    library = prefix / "share" / "xsector" / "scenarios"
    assert (library / "baseline.toml").exists() and not (library / "slurm").exists()
    server = Server(binary, tmp_path / "serve-out")
    try:
        assert server.proc.stdout.readline().strip().endswith(f"from {library}")
    finally:
        assert server.stop() == 130  # stopped by SIGINT (README: exit 130)

    imported = run(sys.executable, "-c", "import xsector_analysis; print(xsector_analysis.__file__)",
                   env={**env, "PYTHONPATH": str(packages[0])})
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip().startswith(str(packages[0]))

    # The in-process module (built only with pybind11-dev) is installed beside the package it reads with.
    if (build / "python" / "xsector").is_dir():
        ran = run(sys.executable, "-c", "import xsector; ds = xsector.run('s.toml'); "
                  "print(xsector.__file__, ds.sizes['run'], ds.attrs['scenario_name'])",
                  env={**env, "PYTHONPATH": str(packages[0])})
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.split() == [str(packages[0] / "xsector" / "__init__.py"), "1", "s"], ran.stdout
