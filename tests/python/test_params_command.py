"""`xsector params`: the parameter table in the terminal, checked against docs/PARAMETERS.md
(which `params --markdown` generates and a ctest keeps current)."""
import re
import subprocess

import pytest


def doc_rows(source_dir):
    rows = {}
    for line in (source_dir / "docs" / "PARAMETERS.md").read_text().splitlines():
        m = re.match(r'\| <a id="([^"]+)"></a>`[^`]+` \| ([^|]*) \| ([^|]*) \| ([^|]*) \|', line)
        if m:
            rows[m.group(1)] = [c.strip().replace("`", "") for c in m.groups()[1:]]
    return rows


def params(xsector_bin, *args):
    return subprocess.run([str(xsector_bin), "params", *args], capture_output=True, text=True, timeout=60)


def test_listing_shows_every_model_parameter_with_its_default_and_range(xsector_bin, source_dir):
    out = params(xsector_bin)
    assert out.returncode == 0, out.stderr
    lines = {line.split()[0]: line for line in out.stdout.splitlines()[1:] if line and not line.startswith("`")}
    model = {p: r for p, r in doc_rows(source_dir).items() if "." in p and not p.startswith(("sweep.", "scenario."))
             and not p.startswith("intervention")}
    assert len(model) > 80
    assert sorted(lines) == sorted(model)   # nothing more, nothing less
    for path, (default, unit, value_range) in model.items():
        assert path in lines, path
        assert default in lines[path] and value_range in lines[path], (path, lines[path])


def test_one_parameter_in_full(xsector_bin, source_dir):
    out = params(xsector_bin, "foundation.public_share")
    assert out.returncode == 0, out.stderr
    default, unit, value_range = doc_rows(source_dir)["foundation.public_share"]
    assert re.search(rf"default:\s+{re.escape(default)}\n", out.stdout)
    assert re.search(rf"range:\s+{re.escape(value_range)}\n", out.stdout)
    assert "public sector" in out.stdout


def test_a_table_shows_each_of_its_parameters(xsector_bin, source_dir):
    out = params(xsector_bin, "foundation")
    assert out.returncode == 0, out.stderr
    expected = sorted(p for p in doc_rows(source_dir) if p.startswith("foundation."))
    assert sorted(re.findall(r"^(foundation\.\S+)$", out.stdout, re.M)) == expected


@pytest.mark.parametrize("args, message", [(["foundation.publik_share"], "did you mean `foundation.public_share`?"),
                                           (["--markdown", "foundation"], "either --markdown or a PATH")])
def test_bad_requests(xsector_bin, args, message):
    out = params(xsector_bin, *args)
    assert out.returncode == 2
    assert message in out.stderr
