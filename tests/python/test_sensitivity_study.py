"""The shipped sensitivity study (scenarios/sensitivity_gap.toml and .py, docs/SENSITIVITY.md).

- The study's sweep is what its header says: a Sobol' design of samples × (k + 2) points over
  exactly the parameters docs/PARAMETERS.md marks "most uncertain" (all assumptions, none
  calibrated), counted by the binary's own --dry-run.
- The one command runs and writes the write-up: on a cut-down copy of the study (8 base
  samples, 1 year) the script must make the sweep, and the page must list every parameter
  once, ranked by the total index it prints, with the seed-noise share.
"""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "scenarios" / "sensitivity_gap.toml"


def parameter_sources() -> dict:
    rows = {}
    for line in (ROOT / "docs" / "PARAMETERS.md").read_text().splitlines():
        m = re.match(r'\| <a id="([^"]+)"></a>`[^`]+` \|.*\| ([^|]*) \|$', line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def test_the_study_is_a_sobol_design_over_uncalibrated_parameters(xsector_bin):
    spec = tomllib.loads(STUDY.read_text())["sweep"]
    assert spec["method"] == "sobol"
    paths = list(spec["parameters"])
    assert 8 <= len(paths) <= 14
    sources = parameter_sources()
    for path in paths:
        assert "assumption" in sources[path], f"{path} is not marked as an assumption: {sources.get(path)}"
    marked = {path for path, source in sources.items() if "**most uncertain**" in source}
    assert set(paths) == marked, "the study must vary exactly the parameters docs/PARAMETERS.md marks most uncertain"
    proc = subprocess.run([str(xsector_bin), "sweep", str(STUDY), "--dry-run"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    points = int(re.search(r"^points:\s+(\d+)", proc.stdout, re.M).group(1))
    runs = int(re.search(r"^runs:\s+(\d+)", proc.stdout, re.M).group(1))
    assert points == spec["samples"] * (len(paths) + 2)
    assert runs == points * spec["replicates"]


def test_one_command_runs_the_study_and_writes_its_page(xsector_bin, tmp_path):
    text = STUDY.read_text()
    text = re.sub(r"(?m)^samples = \d+", "samples = 8", text)
    text = re.sub(r"(?m)^years = \d+", "years = 1", text)
    text = re.sub(r"(?m)^replicates = \d+", "replicates = 2", text)
    small = tmp_path / "sensitivity_gap_small.toml"
    small.write_text(text)
    doc = tmp_path / "SENSITIVITY.md"
    proc = subprocess.run([sys.executable, str(ROOT / "scenarios" / "sensitivity_gap.py"), "--xsector",
                           str(xsector_bin), "--scenario", str(small), "--results", str(tmp_path / "gap.h5"),
                           "--doc", str(doc)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = doc.read_text()
    paths = list(tomllib.loads(text)["sweep"]["parameters"])
    ranked = re.findall(r"^\| (\d+) \| `([^`]+)` \| [^|]+ \| (-?\d+\.\d+) \[", page, re.M)
    assert [int(r[0]) for r in ranked] == list(range(1, len(paths) + 1))
    assert sorted(r[1] for r in ranked) == sorted(paths)
    st = [float(r[2]) for r in ranked]
    assert st == sorted(st, reverse=True), "the table is not ranked by ST"
    assert re.search(r"Seed noise is \*\*\d+%\*\* of the run-to-run variance", page)
    assert "N = 8 base samples" in page
