"""Thread count against the CPU affinity mask (sim/core/thread_count.hpp).

mpirun binds ranks to single cores when it starts one or two, and a rank told to run more
threads than its mask holds runs them all on those CPUs. The binary must say so, and its
default thread count must follow the mask. The mask is set with os.sched_setaffinity in
the child before exec, as mpirun or taskset would set it.
"""
import os
import subprocess

import h5py
import pytest

WARNING = "threads, but this process may run on only"


def run_on(cpus, xsector_bin, source_dir, out, *args):
    result = subprocess.run(
        [str(xsector_bin), "run", str(source_dir / "scenarios" / "baseline.toml"), "-o", str(out), "-q",
         "--set", "simulation.years=1", *args],
        capture_output=True, text=True, timeout=300, preexec_fn=lambda: os.sched_setaffinity(0, cpus))
    assert result.returncode == 0, result.stderr
    return result.stderr


def first_cpu():
    return {min(os.sched_getaffinity(0))}


def test_more_threads_than_the_mask_holds_warns(xsector_bin, source_dir, tmp_path):
    stderr = run_on(first_cpu(), xsector_bin, source_dir, tmp_path / "a.h5", "--threads", "2")
    assert f"2 {WARNING} 1 CPU " in stderr
    assert "--bind-to none" in stderr


def test_default_thread_count_follows_the_mask(xsector_bin, source_dir, tmp_path):
    stderr = run_on(first_cpu(), xsector_bin, source_dir, tmp_path / "b.h5")
    assert WARNING not in stderr
    with h5py.File(tmp_path / "b.h5", "r") as f:
        assert int(f.attrs["threads"]) == 1


def test_as_many_threads_as_the_mask_holds_is_quiet(xsector_bin, source_dir, tmp_path):
    mask = os.sched_getaffinity(0)
    if len(mask) < 2:
        pytest.skip("needs two CPUs in this process's affinity mask")
    two = set(sorted(mask)[:2])
    stderr = run_on(two, xsector_bin, source_dir, tmp_path / "c.h5", "--threads", "2")
    assert WARNING not in stderr
    stderr = run_on(two, xsector_bin, source_dir, tmp_path / "d.h5", "--threads", "3")
    assert f"3 {WARNING} 2 CPUs " in stderr
