"""`python3 -m xsector_analysis report` (and `xsector report`) on files made by the real
binary; the rendered page is looked at once in headless Chromium.

Needs XSECTOR_BIN (skipped with that reason otherwise); the Chromium test is skipped only
if Debian's chromium is not installed. The screenshot goes to
$XSECTOR_BUILD_DIR/report_screenshot.png.
"""
import base64
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.image
import pytest

from xsector_analysis import runner

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SWEEP_FIGURES = ["fig-gap", "fig-support-share", "fig-capacity", "fig-response-foundation_public_share",
                 "fig-comparison"]
SINGLE_FIGURES = ["fig-gap", "fig-support-share", "fig-capacity", "fig-comparison"]
IMAGE = re.compile(r'<img alt="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)">')


def need_binary():
    if not os.environ.get("XSECTOR_BIN"):
        pytest.skip("XSECTOR_BIN is not set: the report tests read files made by the real xsector binary "
                    "(run them through ctest, or set XSECTOR_BIN=build/sim/xsector)")
    return os.environ["XSECTOR_BIN"]


def report_cli(results, out, *extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(runner.__file__).resolve().parent.parent)
    return subprocess.run([sys.executable, "-m", "xsector_analysis", "report", str(results), "-o", str(out), *extra],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    binary = need_binary()
    tmp = tmp_path_factory.mktemp("report")
    toml = runner.public_share_sweep_toml((0.0, 0.5), 2, 2, 0.05, description="report test sweep")
    sweep = runner.sweep(runner.write_scenario(tmp, "report_sweep", toml), tmp / "sweep.h5", binary=binary)
    single = runner.run(runner.write_scenario(tmp, "report_single", re.sub(r"\[sweep\][\s\S]*", "", toml)),
                        tmp / "single.h5", binary=binary)
    out = {"tmp": tmp, "sweep_h5": sweep, "single_h5": single}
    for name in ("sweep", "single"):
        proc = report_cli(out[f"{name}_h5"], tmp / f"{name}.html")
        assert proc.returncode == 0, proc.stderr
        out[name] = (tmp / f"{name}.html").read_text(encoding="utf-8")
    return out


def decoded_images(page):
    images = []
    for b64 in IMAGE.findall(page):
        data = base64.b64decode(b64, validate=True)
        assert data.startswith(PNG_SIGNATURE)
        pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
        assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100
        images.append(pixels)
    return images


def test_sweep_report_has_every_plot_and_names_the_run(reports):
    page = reports["sweep"]
    for fid in SWEEP_FIGURES:
        assert f'<figure id="{fid}">' in page, fid
    assert len(decoded_images(page)) == len(SWEEP_FIGURES)
    assert "report_sweep" in page and 'id="scenario-name">report_sweep<' in page
    assert "report test sweep" in page  # the description
    assert "seed 20240601" in page
    assert "Response to each swept parameter" in page and "foundation.public_share" in page
    assert "4 runs, 2 parameter points × 2 replicates" in page
    assert "Final-year values" in page
    for sector in ("government", "business", "nonprofit"):
        assert f"<th>{sector}</th>" in page
    assert "src=\"http" not in page and "<script" not in page  # self-contained


def test_single_run_report(reports):
    page = reports["single"]
    for fid in SINGLE_FIGURES:
        assert f'<figure id="{fid}">' in page, fid
    assert "fig-response" not in page and "Response to each swept parameter" not in page
    assert len(decoded_images(page)) == len(SINGLE_FIGURES)
    assert "report_single" in page


def test_report_cli_errors_are_plain(tmp_path):
    proc = report_cli(tmp_path / "missing.h5", tmp_path / "x.html")
    assert proc.returncode == 1
    assert "no such results file" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.html").exists()


def test_xsector_report_runs_the_module(reports):
    binary = need_binary()
    helptext = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    if not re.search(r"^\s*report\b", helptext, re.MULTILINE):
        pytest.skip("this xsector binary has no `report` subcommand yet")
    out = reports["tmp"] / "via_xsector.html"
    proc = subprocess.run([binary, "report", str(reports["sweep_h5"]), "-o", str(out)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert all(f'<figure id="{fid}">' in page for fid in SWEEP_FIGURES)


CHECK_IMAGES = """<script>window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.body.setAttribute("data-images-ok", ok + "/" + imgs.length);
});</script></body>"""


def chromium(*args):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-sync", f"--user-data-dir={tempfile.mkdtemp(prefix='xsector-chromium-')}"]
    return subprocess.run([shutil.which("chromium"), *flags, *args], capture_output=True, text=True, timeout=180)


def test_report_renders_in_headless_chromium(reports):
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    page = reports["tmp"] / "sweep.html"
    # 1. every image decodes in the browser: a copy of the page reports it in the DOM
    probe = reports["tmp"] / "probe.html"
    probe.write_text(reports["sweep"].replace("</body>", CHECK_IMAGES), encoding="utf-8")
    dom = chromium("--virtual-time-budget=10000", "--dump-dom", probe.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "report_sweep" in dom.stdout
    assert f'data-images-ok="{len(SWEEP_FIGURES)}/{len(SWEEP_FIGURES)}"' in dom.stdout, dom.stdout[:500]
    # 2. a screenshot of the page itself, kept under the build directory
    build = Path(os.environ.get("XSECTOR_BUILD_DIR") or reports["tmp"])
    shot = build / "report_screenshot.png"
    if shot.exists():
        shot.unlink()
    proc = chromium(f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 0
    assert shot.read_bytes()[:8] == PNG_SIGNATURE
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    assert pixels[..., :3].std() > 0.01  # not a blank page
