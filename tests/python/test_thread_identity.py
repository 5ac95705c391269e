"""Thread-count identity of the real binary (MODEL.md 4: results do not depend on the thread
count): `xsector run --threads N` and `xsector sweep --threads N` for N = 1, 2, 3, 4, 8
write the same results file, dataset for dataset, byte for byte. Only provenance may
differ: the `wall_time` dataset and the root attributes in PROVENANCE_ATTRIBUTES.

Why these sizes: the engine cuts each parallel loop into fixed blocks of 2048 items
(sim/core/parallel.hpp), so a thread-order dependence can only show where loops have many
blocks. The scenario is the baseline at population.scale 40 (216,000 clients, about 106
blocks; recording's percentiles in 3 chunks of 65,536) with population.provider 20 (800
providers for the market's parallel loop over providers), every intervention type on, for
2 years. The sizes reached are read back from the file and asserted: demanders per tick
(engagements + unmet_demand + priced_out, which partition the market's demand) above 16
blocks, active collaborations (at least participation / 3: a lead and at most 2 partners)
above 4 blocks. Runs write --snapshots too, so every agent's final state is compared.
The sweep (2 channels x 2 replicates) also runs several runs at once, each with its own
parallel loops, and must still write what a serial sweep writes.

The binary sets its thread count with tbb::global_control, which cannot raise TBB's
default arena above the CPUs of the process: on a 2-core machine --threads 3, 4 and 8
run 2 threads (the C++ test tests/test_properties.cpp runs real arenas of 3, 4 and 8).
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

THREADS = [1, 2, 3, 4, 8]
BLOCK = 2048  # kBlockSize of sim/core/parallel.hpp
SCALE = 40.0
PROVIDERS = 20  # before scaling: 800 providers
# Differs from run to run by design: when and how the file was made.
PROVENANCE_DATASETS = {"wall_time"}
PROVENANCE_ATTRIBUTES = {"threads", "start_time", "end_time", "command_line"}
# HDF5 dimension-scale bookkeeping: object references, compared through the datasets they name.
REFERENCE_ATTRIBUTES = {"DIMENSION_LIST", "REFERENCE_LIST"}

INTERVENTIONS = """
[[intervention]]
type = "foundation_public_support"
start_year = 1
end_year = 2
public_share = 0.5
public_channel = "voucher"

[[intervention]]
type = "membership_dissemination"
p_extra = 0.02

[[intervention]]
type = "graduate_programs"
start_year = 0.25
rate = 0.5
capacity_gain = 0.1
mindset_gain = 0.1

[[intervention]]
type = "knowledge_mobilization"
p_extra = 0.005
boost = 1.0

[[intervention]]
type = "budget_change"
start_year = 0.5
end_year = 1.5
sector = "business"
target = "budget"
factor = 0.5

[[intervention]]
type = "budget_change"
start_year = 1
end_year = 2
sector = "government"
target = "support_share"
factor = 3.0

[[intervention]]
type = "compliance_toolkit"
start_year = 0.5
level = 0.8
share = 0.5
"""


def scenario_text(channel: str, sweep: str = "") -> str:
    return f"""
[simulation]
years = 2
ticks_per_year = 4
seed = 7

[population]
scale = {SCALE}
provider = {PROVIDERS}

[foundation]
public_share = 0.05
public_channel = "{channel}"
{INTERVENTIONS}
{sweep}
"""


SWEEP = """
[sweep]
method = "grid"
replicates = 2

[sweep.parameters]
"foundation.public_channel" = ["grant", "voucher"]
"""


def xsector(xsector_bin: Path, *args) -> None:
    result = subprocess.run([str(xsector_bin), *map(str, args)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"xsector {' '.join(map(str, args))} failed:\n{result.stderr}"


def plain(value):
    """An attribute value in a form that compares by content (arrays as lists)."""
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, bytes):
        return value.decode()
    return value


def contents(path: Path) -> tuple[dict, dict]:
    """Every dataset but provenance as (dtype, shape, bytes, attributes), and the root
    attributes but provenance."""
    datasets = {}

    def visit(name, obj):
        if not isinstance(obj, h5py.Dataset) or name.split("/")[-1] in PROVENANCE_DATASETS:
            return
        data = obj[()]
        if obj.dtype.kind == "O":  # variable-length strings
            payload = repr([plain(v) for v in np.atleast_1d(data).tolist()]).encode()
        else:
            payload = np.ascontiguousarray(data).tobytes()
        attributes = {k: plain(v) for k, v in obj.attrs.items() if k not in REFERENCE_ATTRIBUTES}
        datasets[name] = (str(obj.dtype), obj.shape, payload, attributes)

    with h5py.File(path, "r") as f:
        f.visititems(visit)
        root = {k: plain(v) for k, v in f.attrs.items() if k not in PROVENANCE_ATTRIBUTES}
    return datasets, root


def differences(reference: Path, other: Path) -> list[str]:
    """What differs between two results files, beyond provenance (empty when nothing)."""
    (a, a_root), (b, b_root) = contents(reference), contents(other)
    found = []
    if a.keys() != b.keys():
        found.append(f"datasets {sorted(a.keys() ^ b.keys())} are in only one file")
    for name in sorted(a.keys() & b.keys()):
        (dtype_a, shape_a, bytes_a, attrs_a), (dtype_b, shape_b, bytes_b, attrs_b) = a[name], b[name]
        if (dtype_a, shape_a) != (dtype_b, shape_b):
            found.append(f"{name}: {dtype_a}{shape_a} vs {dtype_b}{shape_b}")
        elif bytes_a != bytes_b:
            x = np.frombuffer(bytes_a, dtype=np.uint8)
            y = np.frombuffer(bytes_b, dtype=np.uint8)
            at = int(np.flatnonzero(x != y)[0]) if x.size == y.size else 0
            found.append(f"{name}: bytes differ (first at byte {at} of {x.size})")
        if attrs_a != attrs_b:
            found.append(f"{name}: attributes differ")
    for key in sorted(a_root.keys() | b_root.keys()):
        if a_root.get(key) != b_root.get(key):
            found.append(f"root attribute {key} differs")
    return found


def expect_blocks_split(path: Path) -> None:
    """The work of every run in the file really split into many blocks."""
    with h5py.File(path, "r") as f:
        demand = (f["engagements"][()] + f["unmet_demand"][()] + f["priced_out"][()]).sum(axis=2)  # run x tick
        collaborations = f["collab_participation"][()].sum(axis=2) / 3  # a lower bound
        unmet = f["unmet_demand"][()].sum()
        if "snapshot" in f:
            sector = f["snapshot/sector"][()]
            clients, providers = int((sector < 3).sum()), int((sector == 3).sum())
        else:
            clients = providers = None
    peak_demand = demand.max(axis=1)
    peak_collaborations = collaborations.max(axis=1)
    print(f"{path.name}: peak demanders per run {peak_demand.astype(int).tolist()} "
          f"({(peak_demand / BLOCK).round(1).tolist()} blocks), peak collaborations >= "
          f"{peak_collaborations.astype(int).tolist()} ({(peak_collaborations / BLOCK).round(1).tolist()} blocks), "
          f"clients {clients}, providers {providers}")
    assert (peak_demand >= 16 * BLOCK).all()
    assert (peak_collaborations >= 4 * BLOCK).all()
    assert unmet > 0  # providers turned clients away: the rounds of matching ran
    if clients is not None:
        assert clients >= 100 * BLOCK
        assert providers >= 500


@pytest.mark.parametrize("channel", ["grant", "voucher"])
def test_run_is_identical_for_every_thread_count(xsector_bin, tmp_path, channel):
    scenario = tmp_path / f"large_{channel}.toml"
    scenario.write_text(scenario_text(channel))
    files = {}
    for n in THREADS:
        files[n] = tmp_path / f"run_{n}.h5"
        xsector(xsector_bin, "run", scenario, "-o", files[n], "-q", "--snapshots", "--threads", n)
    expect_blocks_split(files[1])
    for n in THREADS[1:]:
        found = differences(files[1], files[n])
        assert not found, f"--threads {n} against --threads 1: " + "; ".join(found)


def test_sweep_is_identical_for_every_thread_count(xsector_bin, tmp_path):
    scenario = tmp_path / "large_sweep.toml"
    scenario.write_text(scenario_text("grant", SWEEP))
    files = {}
    for n in THREADS:
        files[n] = tmp_path / f"sweep_{n}.h5"
        xsector(xsector_bin, "sweep", scenario, "-o", files[n], "-q", "--threads", n)
    with h5py.File(files[1], "r") as f:
        assert f["done"][()].tolist() == [1, 1, 1, 1]
    expect_blocks_split(files[1])
    for n in THREADS[1:]:
        found = differences(files[1], files[n])
        assert not found, f"--threads {n} against --threads 1: " + "; ".join(found)


def test_the_comparison_sees_a_difference(xsector_bin, tmp_path):
    """The comparison is not blind: two seeds differ, and provenance alone does not."""
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(scenario_text("grant").replace("scale = 40.0", "scale = 1.0"))
    b.write_text(scenario_text("grant").replace("scale = 40.0", "scale = 1.0").replace("seed = 7", "seed = 8"))
    for path in (a, b):
        xsector(xsector_bin, "run", path, "-o", path.with_suffix(".h5"), "-q", "--snapshots", "--threads", 1)
    found = differences(a.with_suffix(".h5"), b.with_suffix(".h5"))
    assert any(d.startswith("support_spending") for d in found), found
    assert any(d.startswith("snapshot/capacity") for d in found), found
    # The same file made twice differs only in provenance.
    xsector(xsector_bin, "run", a, "-o", tmp_path / "a2.h5", "-q", "--snapshots", "--threads", 2)
    assert differences(a.with_suffix(".h5"), tmp_path / "a2.h5") == []
