"""`python3 -m xsector_analysis report` (and `xsector report`) on files made by the real
binary; the rendered page is looked at once in headless Chromium.

Needs XSECTOR_BIN (skipped with that reason otherwise); the browser tests are skipped only
if Debian's chromium, chromium-driver or python3-selenium is not installed. They load the
sweep, comparison and large-lhs pages in headless Chromium, check in the DOM that every
expected figure is there under its title, displayed, large enough and clear of the others,
and that the full-page screenshot shows each figure where the page puts it; the screenshots
go to $XSECTOR_BUILD_DIR/artifacts/report.png, report-comparison.png and report-lhs.png.
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


COMPARE_BASE = """[scenario]
description = "A tiny region for the comparison report"

[simulation]
years = 3
seed = 7

[population]
government = 30
business = 300
nonprofit = 90
provider = 4
foundation = 3
"""
COMPARE_ARMS = {
    "budget_up": COMPARE_BASE.replace("A tiny region for the comparison report", "Six times the support budget")
    + '\n[[intervention]]\ntype = "budget_change"\nstart_year = 1\nsector = "government"\ntarget = "support_share"'
      '\nfactor = 6.0\n',
    "graduates": COMPARE_BASE.replace("A tiny region for the comparison report", "Graduates hired from year 2")
    + '\n[[intervention]]\ntype = "graduate_programs"\nstart_year = 2\nrate = 0.5\n',
}
COMPARE_FIGURES = ["fig-arms-gap", "fig-deltas"]


@pytest.fixture(scope="module")
def comparison_report(tmp_path_factory):
    """`xsector compare` of a tiny base and two arms (4 paired replicates) and its report."""
    binary = need_binary()
    tmp = tmp_path_factory.mktemp("comparison")
    paths = [runner.write_scenario(tmp, "status_quo", COMPARE_BASE)]
    paths += [runner.write_scenario(tmp, name, text) for name, text in COMPARE_ARMS.items()]
    h5 = tmp / "cmp.h5"
    proc = subprocess.run([binary, "compare", *map(str, paths), "--replicates", "4", "-o", str(h5), "-q"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    proc = report_cli(h5, tmp / "cmp.html")
    assert proc.returncode == 0, proc.stderr
    return {"tmp": tmp, "h5": h5, "page": (tmp / "cmp.html").read_text(encoding="utf-8")}


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
    # a grid sweep has neither a sensitivity nor a scenario-discovery section
    assert "id='sensitivity'" not in page and "id='scenario-discovery'" not in page


def test_single_run_report(reports):
    page = reports["single"]
    for fid in SINGLE_FIGURES:
        assert f'<figure id="{fid}">' in page, fid
    assert "fig-response" not in page and "Response to each swept parameter" not in page
    assert len(decoded_images(page)) == len(SINGLE_FIGURES)
    assert "report_single" in page


def test_report_cli_errors_are_plain(tmp_path):
    proc = report_cli(tmp_path / "missing.h5", tmp_path / "x.html")
    assert proc.returncode == 2  # README: a missing input file is bad input
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


# --- the pages in a real browser (headless Chromium driven by selenium) -------------------

SWEEP_TITLES = {
    "fig-gap": "The public sector gap over time",
    "fig-support-share": "Who receives support",
    "fig-capacity": "Collaboration capacity by sector",
    "fig-response-foundation_public_share": "Response to the foundations' share of capacity money to the public sector",
    "fig-comparison": "Final-year gap by scenario point",
}
COMPARE_TITLES = {"fig-arms-gap": "The public sector gap over time, per arm",
                  "fig-deltas": "Δ: each arm minus the base, final year"}
MIN_WIDTH, MIN_HEIGHT = 400, 200  # CSS pixels a figure must at least fill to be read


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's chromium and chromium-driver) driven by python3-selenium."""
    if shutil.which("chromium") is None or shutil.which("chromedriver") is None:
        pytest.skip("Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="python3-selenium is not installed")
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-sync", "--window-size=1280,1000",
                 "--force-device-scale-factor=1", "--hide-scrollbars",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='xsector-report-')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def artifact(name, fallback):
    """Where a screenshot is kept: $XSECTOR_BUILD_DIR/artifacts (a CI artifact), else `fallback`."""
    build = os.environ.get("XSECTOR_BUILD_DIR")
    folder = Path(build) / "artifacts" if build else Path(fallback)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def _coarse(gray, rows=24, cols=36):
    """Block means of a grey image on a rows × cols grid (compares images of other sizes)."""
    ys = np.linspace(0, gray.shape[0], rows + 1).astype(int)
    xs = np.linspace(0, gray.shape[1], cols + 1).astype(int)
    return np.array([[gray[ys[i]:ys[i + 1], xs[j]:xs[j + 1]].mean() for j in range(cols)] for i in range(rows)])


def _gray(pixels):
    return pixels[..., :3].mean(axis=2) if pixels.ndim == 3 else pixels


def check_page_in_browser(driver, page_path, expected, shot):
    """Open the page; `expected` maps each figure id that must be there to its title (None:
    any title). Checks in the DOM that each figure's image decoded, is displayed with that
    alt text, is at least MIN_WIDTH × MIN_HEIGHT CSS pixels, lies within the page's width,
    and overlaps no other figure; then takes a full-page screenshot (saved at `shot`) and
    checks that at each figure's place it shows that figure: the screenshot's pixels there,
    at a coarse grid, correlate with the embedded PNG. Returns {figure id: rect}."""
    from selenium.webdriver.common.by import By
    driver.get(Path(page_path).as_uri())
    driver.execute_script("return document.fonts ? document.fonts.ready : null")
    figures = driver.find_elements(By.CSS_SELECTOR, "figure")
    assert sorted(f.get_attribute("id") for f in figures) == sorted(expected)
    width = driver.execute_script("return document.documentElement.clientWidth")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    rects, sources = {}, {}
    for fid, title in expected.items():
        img = driver.find_element(By.CSS_SELECTOR, f"figure#{fid} img")
        assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img), fid
        assert img.is_displayed(), fid
        if title is not None:
            assert img.get_attribute("alt") == title, fid
            caption = driver.find_element(By.CSS_SELECTOR, f"figure#{fid} figcaption").text
            assert caption.startswith(title + "."), (fid, caption[:80])
        r = img.rect
        assert r["width"] >= MIN_WIDTH and r["height"] >= MIN_HEIGHT, (fid, r)
        assert r["x"] >= 0 and r["x"] + r["width"] <= width + 0.5, (fid, r, width)  # no sideways scrolling
        rects[fid] = r
        sources[fid] = img.get_attribute("src").split(",", 1)[1]
    for a, b in [(a, b) for a in rects for b in rects if a < b]:
        ra, rb = rects[a], rects[b]
        apart = (ra["x"] + ra["width"] <= rb["x"] or rb["x"] + rb["width"] <= ra["x"]
                 or ra["y"] + ra["height"] <= rb["y"] or rb["y"] + rb["height"] <= ra["y"])
        assert apart, (a, ra, b, rb)
    # the whole page in one screenshot, at one device pixel per CSS pixel
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})["data"]
    png = base64.b64decode(data)
    shot.write_bytes(png)
    assert png[:8] == PNG_SIGNATURE
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[0] >= max(r["y"] + r["height"] for r in rects.values()) - 1
    assert _gray(pixels).std() > 0.05  # not a blank page
    for fid, r in rects.items():
        x0, y0 = int(round(r["x"])) + 1, int(round(r["y"])) + 1   # inside the 1 px border
        x1, y1 = int(round(r["x"] + r["width"])) - 1, int(round(r["y"] + r["height"])) - 1
        shown = _gray(pixels[y0:y1, x0:x1])
        assert shown.std() > 0.05, fid                 # something is drawn there
        embedded = _gray(matplotlib.image.imread(io.BytesIO(base64.b64decode(sources[fid])), format="png"))
        corr = np.corrcoef(_coarse(shown).ravel(), _coarse(embedded).ravel())[0, 1]
        assert corr > 0.9, (fid, corr)                 # and it is this figure
    return rects


def test_report_renders_in_headless_chromium(reports, comparison_report, browser):
    check_page_in_browser(browser, reports["tmp"] / "sweep.html", SWEEP_TITLES,
                          artifact("report.png", reports["tmp"]))
    rects = check_page_in_browser(browser, comparison_report["tmp"] / "cmp.html", COMPARE_TITLES,
                                  artifact("report-comparison.png", comparison_report["tmp"]))
    assert rects["fig-arms-gap"]["y"] < rects["fig-deltas"]["y"]   # the gap over time, then the Δ chart


# --- honest, readable reports (issue 16) ---------------------------------------------------

import h5py  # noqa: E402
import numpy as np  # noqa: E402

import xsector_analysis as xa  # noqa: E402
from xsector_analysis.plots import WINDOW_GID  # noqa: E402

INTERVENTION = '\n[[intervention]]\ntype = "graduate_programs"\nstart_year = 1\nrate = 0.1\n'


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    """One run of 3 years with an intervention active from year 1 to the horizon."""
    binary = need_binary()
    tmp = tmp_path_factory.mktemp("policy")
    toml = re.sub(r"\[sweep\][\s\S]*", "", runner.public_share_sweep_toml((0.0,), 1, 3, 0.05)) + INTERVENTION
    h5 = runner.run(runner.write_scenario(tmp, "policy_single", toml), tmp / "policy.h5", binary=binary)
    proc = report_cli(h5, tmp / "policy.html")
    assert proc.returncode == 0, proc.stderr
    return {"tmp": tmp, "h5": h5, "page": (tmp / "policy.html").read_text(encoding="utf-8")}


def _gap_by_hand(path):
    """The yearly gap from the raw file with h5py: each year's government share of the
    year's summed participation minus its share of the year's summed support spending."""
    with h5py.File(path, "r") as f:
        tpy = int(np.asarray(f.attrs["ticks_per_year"]).reshape(-1)[0])
        spend = np.asarray(f["support_spending"][0], dtype=float)      # tick, sector
        part = np.asarray(f["collab_participation"][0], dtype=float)
        sectors = [s.decode() if isinstance(s, bytes) else str(s) for s in f["sector"][()]]
        quarterly = np.asarray(f["public_sector_gap"][0], dtype=float)
    g = sectors.index("government")
    years = spend.shape[0] // tpy
    out = []
    for y in range(years):
        ticks = slice(y * tpy, (y + 1) * tpy)
        s_year, p_year = spend[ticks].sum(axis=0), part[ticks].sum(axis=0)
        out.append(p_year[g] / p_year.sum() - s_year[g] / s_year.sum())
    return np.array(out), quarterly.reshape(years, tpy), tpy


def test_single_run_says_so_and_draws_no_interval(policy):
    page = policy["page"]
    assert "single stochastic run" in page.lower()
    assert "mean, 95% interval" not in page
    ds = xa.open_results(policy["h5"])
    gap = xa.plot_gap(ds)
    assert "single stochastic run" in gap.axes[0].get_title()
    assert not [c for c in gap.axes[0].collections if type(c).__name__ == "PolyCollection"]  # no band
    bars = xa.plot_comparison(ds)
    assert not bars.axes[0].containers[1:]  # only the bars: no error bar container
    assert "single stochastic run" in bars.axes[0].get_title()
    # the gap table shows the value alone, no "[lower, upper]"
    table = page.split("Final-year values", 1)[1].split("Per client sector", 1)[0]
    assert "[" not in table


def test_replicates_draw_an_interval_and_say_n(reports):
    ds = xa.open_results(reports["sweep_h5"])
    fig = xa.plot_gap(ds)
    assert "n = 2" in fig.axes[0].get_title()
    assert any(type(c).__name__ == "PolyCollection" for c in fig.axes[0].collections)
    assert "n = 2" in reports["sweep"]


def test_yearly_gap_is_recomputed_from_yearly_totals(policy):
    by_hand, quarterly, tpy = _gap_by_hand(policy["h5"])
    assert tpy > 1
    ds = xa.open_results(policy["h5"])
    line = xa.plot_gap(ds).axes[0].lines[0]
    assert np.allclose(line.get_xdata(), np.arange(len(by_hand)) + 0.5)
    assert np.allclose(line.get_ydata(), by_hand, equal_nan=True)
    # not the mean of the per-tick gaps (which is what the test guards against)
    assert not np.allclose(np.nanmean(quarterly, axis=1), by_hand)
    # the report's final-year gap is the same number
    assert xa.format_value(by_hand[-1]) in policy["page"]
    # quarterly on request: one point per tick
    ticks = xa.plot_gap(ds, time="tick").axes[0].lines[0]
    assert len(ticks.get_ydata()) == quarterly.size


def test_intervention_window_is_shaded(policy, reports):
    ds = xa.open_results(policy["h5"])
    assert xa.intervention_windows(ds) == [dict(type="graduate_programs", start=1.0, end=3.0, swept=False)]
    for fig in (xa.plot_gap(ds), xa.plot_capacity(ds), xa.plot_support_share(ds)):
        spans = [p for p in fig.axes[0].patches if p.get_gid() == WINDOW_GID]
        assert len(spans) == 1
        xs = np.asarray(spans[0].get_xy())[:, 0]
        assert xs.min() == 1.0 and xs.max() == 3.0
    assert "Shaded: years 1–3, intervention active" in policy["page"]
    # no intervention, no shading
    plain = xa.open_results(reports["single_h5"])
    assert not [p for p in xa.plot_gap(plain).axes[0].patches if p.get_gid() == WINDOW_GID]
    assert "Shaded:" not in reports["single"]


def test_money_and_labels_for_people(policy):
    assert xa.format_value(79990.4, "USD per year") == "$79,990"
    assert xa.format_value(-1234567.8, "USD") == "-$1,234,568"
    assert xa.format_value(0.0587, "1") == "0.0587"
    assert xa.format_value(float("nan")) == "–"
    page = policy["page"]
    assert "government share of support spending" in page
    assert "public_support_share" not in page.split("<h2>Provenance</h2>")[0].split("<details>")[0] \
        .replace("scenario_toml", "")
    table = page.split("Per client sector", 1)[1].split("</table>", 1)[0]
    assert re.search(r"<td>\$\d{1,3}(,\d{3})*</td>", table)
    assert not re.search(r"\de[+-]\d", table)


def test_report_writes_input_html_and_refuses_to_overwrite(policy):
    binary = need_binary()
    h5 = policy["tmp"] / "again.h5"
    shutil.copy(policy["h5"], h5)
    proc = subprocess.run([binary, "report", str(h5)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    html_out = policy["tmp"] / "again.html"
    assert html_out.is_file()
    html_out.write_text("keep me", encoding="utf-8")
    proc = subprocess.run([binary, "report", str(h5)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3
    assert "--force" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert html_out.read_text(encoding="utf-8") == "keep me"
    proc = subprocess.run([binary, "report", str(h5), "--force", "--quarterly"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "per tick" in html_out.read_text(encoding="utf-8")


def test_non_hdf5_input_gets_one_line(tmp_path):
    binary = need_binary()
    bad = tmp_path / "notes.h5"
    bad.write_text("not a results file\n")
    proc = subprocess.run([binary, "report", str(bad)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "not an HDF5 file" in lines[0] and "Traceback" not in proc.stderr
    assert not (tmp_path / "notes.html").exists()


@pytest.fixture(scope="module")
def lhs_report(tmp_path_factory):
    """A 1,000-point lhs sweep of sweep_lhs_five.toml (1 year, scale 0.05) and its report."""
    binary = need_binary()
    source_dir = Path(os.environ.get("XSECTOR_SOURCE_DIR") or Path(runner.__file__).resolve().parents[2])
    tmp = tmp_path_factory.mktemp("lhs")
    text = (source_dir / "scenarios" / "sweep_lhs_five.toml").read_text()
    text = re.sub(r"(?m)^samples = 200", "samples = 1000", text)
    text = re.sub(r"(?m)^years = 10", "years = 1", text)
    text = re.sub(r"(?m)^\[population\]", "[population]\nscale = 0.05", text)
    h5 = runner.sweep(runner.write_scenario(tmp, "lhs_big", text), tmp / "lhs.h5", binary=binary)
    proc = report_cli(h5, tmp / "lhs.html")
    assert proc.returncode == 0, proc.stderr
    return {"tmp": tmp, "h5": h5, "page": (tmp / "lhs.html").read_text(encoding="utf-8")}


LHS_FIGURES = {"fig-gap": "The public sector gap over time", "fig-support-share": None, "fig-capacity": None,
               "fig-distribution": "Distribution of the final-year gap",
               "fig-response-grid": "The final-year gap against each swept parameter",
               "fig-prim": None}


def test_large_lhs_report_in_headless_chromium(lhs_report, browser):
    check_page_in_browser(browser, lhs_report["tmp"] / "lhs.html", LHS_FIGURES,
                          artifact("report-lhs.png", lhs_report["tmp"]))


def test_large_lhs_report_shows_ranges_and_distribution(lhs_report):
    h5, page = lhs_report["h5"], lhs_report["page"]
    assert "1000 runs, 1000 parameter points × 1 replicate" in page
    for path in ("foundation.public_share", "sector.government.support_share", "diffusion.q",
                 "collab.beta_support", "market.public_bonus"):
        # the name for people, the path and its unit, then the range
        assert re.search(rf"{re.escape(html_lib.escape(parameter_label(path)))} \(<code>{re.escape(path)}</code>"
                         rf"(, in [^)]+)?\) from [-\d.]+ to [-\d.]+ \(1000 distinct values\)", page), path
    for fid in ("fig-gap", "fig-distribution", "fig-response-grid"):
        assert f'<figure id="{fid}">' in page
    assert "fig-comparison" not in page
    assert len(decoded_images(page)) == 6          # the five above and PRIM's trade-off
    assert "single stochastic run" in page
    # a sampled sweep of at least 50 points gets scenario discovery, but lhs has no Sobol'/Morris section
    assert '<figure id="fig-prim">' in page and "id='scenario-discovery'" in page
    assert "id='sensitivity'" not in page
    ds = xa.open_results(h5)
    grid = xa.plot_response_grid(ds)
    assert len([a for a in grid.axes if a.get_visible()]) == 5
    assert len(xa.plot_response(ds).axes) >= 5  # any number of parameters


# --- sampled sweeps: Sobol' indices, Morris screening, PRIM (issue 17) ----------------------

import html as html_lib  # noqa: E402

from xsector_analysis import sensitivity as sa  # noqa: E402
from xsector_analysis import sensitivity_report  # noqa: E402
from xsector_analysis.plots import parameter_label, plot_sobol  # noqa: E402

SMALL_WORLD = """[simulation]
years = 1
seed = 11

[population]
government = 20
business = 200
nonprofit = 60
provider = 3
foundation = 2
"""
SWEPT = """
[sweep.parameters]
"foundation.public_share" = [0.0, 0.5]
"market.public_bonus" = [0.0, 2.0]
"foundation.public_channel" = { choices = ["grant", "voucher"] }
"""
PATHS = ["foundation.public_share", "market.public_bonus", "foundation.public_channel"]
NOISE = re.compile(r"([\d.]+)% of the run-to-run variance of the gap is seed noise, not the parameters")


def _sampled_sweep(tmp, name, sweep_table):
    binary = need_binary()
    h5 = runner.sweep(runner.write_scenario(tmp, name, SMALL_WORLD + sweep_table + SWEPT), tmp / f"{name}.h5",
                      binary=binary)
    proc = report_cli(h5, tmp / f"{name}.html")
    assert proc.returncode == 0, proc.stderr
    return {"h5": h5, "page": (tmp / f"{name}.html").read_text(encoding="utf-8")}


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    """A Saltelli sweep (N = 16, k = 3: 80 points × 2 replicates) and a Morris sweep
    (15 trajectories of 4 points × 2 replicates) over two levers and a categorical channel."""
    tmp = tmp_path_factory.mktemp("sampled")
    return {"tmp": tmp,
            "sobol": _sampled_sweep(tmp, "sobol_small", '\n[sweep]\nmethod = "sobol"\nsamples = 16\nreplicates = 2\n'),
            "morris": _sampled_sweep(tmp, "morris_small", '\n[sweep]\nmethod = "morris"\ntrajectories = 15\n'
                                                          'levels = 4\nseed = 1\nreplicates = 2\n')}


def _rows(page, table_id):
    """The rows of the table with this id: [[cell html, ...], ...]."""
    body = re.search(rf"<table id='{table_id}'>(.*?)</table>", page, re.S)
    assert body, f"no table {table_id}"
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body.group(1))][1:]


def _path(cell):
    return re.search(r"<code>(.*?)</code>", cell).group(1)


def _gap_by_point(h5):
    """Final-year gap per run and its mean per point, computed here from the file."""
    ds = xa.open_results(h5)
    gap = np.asarray(xa.final_year(ds, "public_sector_gap").values, dtype=float)
    point = np.asarray(ds["point"].values)
    means = np.array([np.nanmean(gap[point == p]) for p in np.unique(point)])
    return ds, gap, point, means


def _noise_share(gap, point):
    """Pooled within-point variance over the variance of all runs."""
    dev2 = dof = 0.0
    for p in np.unique(point):
        g = gap[(point == p) & np.isfinite(gap)]
        dev2 += ((g - g.mean()) ** 2).sum() if g.size else 0.0
        dof += max(g.size - 1, 0)
    return (dev2 / dof) / np.nanvar(gap, ddof=1)


def _check_noise_sentence(page, gap, point):
    found = NOISE.findall(page)
    assert len(found) == 1, found
    assert abs(float(found[0]) - 100.0 * _noise_share(gap, point)) <= 0.51


def test_sobol_report_ranks_parameters_as_sobol_indices_does(sampled):
    page, h5 = sampled["sobol"]["page"], sampled["sobol"]["h5"]
    assert "<h2 id='sensitivity'>Which parameters drive the public sector gap</h2>" in page
    assert '<figure id="fig-sobol">' in page
    assert "ST near 0</strong>: the parameter can be fixed anywhere in its range" in page and "ST − S1" in page
    assert f"{sensitivity_report.RESAMPLES} resamples" in page
    rows = _rows(page, "sobol-table")
    ds, gap, point, _ = _gap_by_point(h5)
    # independently: the estimator on the same file, ranked here by its ST
    table = sa.sobol_indices(ds, "public_sector_gap", resamples=sensitivity_report.RESAMPLES,
                             seed=sensitivity_report.SEED)
    table = table.sort_values("ST", ascending=False, kind="stable")
    assert [_path(r[0]) for r in rows] == list(table["path"])
    assert sorted(table["path"]) == sorted(PATHS)
    for row, (_, t) in zip(rows, table.iterrows()):
        assert html_lib.escape(parameter_label(t["path"])) in row[0]             # a label for people
        assert row[1] == f"{t['S1']:.2f}".replace("-0.00", "0.00")
        assert row[3] == f"{t['ST']:.2f}".replace("-0.00", "0.00")
        assert row[4] == f"{t['ST_lower']:.2f} – {t['ST_upper']:.2f}".replace("-0.00", "0.00")
    _check_noise_sentence(page, gap, point)
    assert len(decoded_images(page)) == 7  # gap, support, capacity, distribution, response grid, sobol, prim
    # the figure ranks by ST too, whatever the order of the table it is given
    fig = plot_sobol(table.iloc[[1, 2, 0]])
    ticks = [t.get_text().rsplit("(", 1)[1].rstrip(")") for t in fig.axes[0].get_yticklabels()]
    assert ticks == list(table["path"])
    # these 16 rows of a tiny, noisy world cannot settle the indices, and the page says so
    widths = (table[["S1_upper", "ST_upper"]].to_numpy() - table[["S1_lower", "ST_lower"]].to_numpy()).max()
    assert ("These indices are not reliable" in page) == bool(widths > 1.0 or table["S1"].sum() > 1.25
                                                              or table.attrs["noise_floor"] > 0.5)


def test_unreliable_sobol_indices_are_flagged():
    import pandas as pd
    good = pd.DataFrame({"S1": [0.6, 0.2], "S1_lower": [0.5, 0.1], "S1_upper": [0.7, 0.3],
                         "ST": [0.7, 0.3], "ST_lower": [0.6, 0.2], "ST_upper": [0.8, 0.4]}, index=["a", "b"])
    good.attrs.update(noise_floor=0.1)
    assert sensitivity_report.unreliable_warning(good) == []
    wide = good.copy()
    wide.attrs.update(noise_floor=0.1)
    wide.loc["a", "ST_upper"] = 2.0
    assert "as wide as 1.40" in sensitivity_report.unreliable_warning(wide)[0]
    over = good.copy()
    over.attrs.update(noise_floor=0.1)
    over["S1"] = [0.9, 0.7]
    assert "add up to 1.60" in sensitivity_report.unreliable_warning(over)[0]
    noisy = good.copy()
    noisy.attrs.update(noise_floor=0.7)
    assert "70% of their variance" in sensitivity_report.unreliable_warning(noisy)[0]


def test_sobol_report_of_a_cut_short_sweep_says_so(sampled):
    tmp = sampled["tmp"]
    cut = tmp / "sobol_cut.h5"
    shutil.copy(sampled["sobol"]["h5"], cut)
    with h5py.File(cut, "r+") as f:
        done = np.asarray(f["done"][()])
        done[-30:] = 0                      # the last runs (the AB_3 block) never finished
        f["done"][...] = done
    proc = report_cli(cut, tmp / "sobol_cut.html")
    assert proc.returncode == 0, proc.stderr
    page = (tmp / "sobol_cut.html").read_text(encoding="utf-8")
    assert "<h2 id='sensitivity'>" in page and "The design is incomplete" in page
    assert "65 of its 80 points have a finished run (130 of 160 runs finished)" in page
    assert '<figure id="fig-sobol">' not in page and "sobol-table" not in page


def test_morris_report_ranks_parameters_by_mu_star(sampled):
    page, h5 = sampled["morris"]["page"], sampled["morris"]["h5"]
    assert "<h2 id='sensitivity'>Which parameters drive the public sector gap</h2>" in page
    assert '<figure id="fig-morris">' in page and "μ*" in page
    ds, gap, point, _ = _gap_by_point(h5)
    table = sa.morris(ds, "public_sector_gap", resamples=10).sort_values("mu_star", ascending=False, kind="stable")
    rows = _rows(page, "morris-table")
    assert [_path(r[0]) for r in rows] == list(table["path"])
    assert [r[1] for r in rows] == [xa.format_value(v) for v in table["mu_star"]]
    _check_noise_sentence(page, gap, point)
    assert '<figure id="fig-prim">' in page   # 60 points: scenario discovery too


def test_prim_finds_where_the_gap_is_small(sampled):
    page, h5 = sampled["sobol"]["page"], sampled["sobol"]["h5"]
    assert "<h2 id='scenario-discovery'>" in page and '<figure id="fig-prim">' in page
    ds, _, _, means = _gap_by_point(h5)
    threshold = np.percentile(means[np.isfinite(means)], 25)
    assert f"<strong class='prim-threshold'>gap &lt; {xa.format_value(threshold)}</strong>" in page
    result = sa.prim(ds, "public_sector_gap", threshold, interest="below", min_density=0.8)
    assert f"<strong>{result.coverage:.0%} of the cases of interest (coverage)</strong>" in page
    assert f"<strong>{result.density:.0%} of its points are cases (density)</strong>" in page
    restricted = [xa.swept_parameters(ds)[n] for n in result.box.index if result.box.loc[n, "restricted"]]
    rows = _rows(page, "prim-box") if restricted else []
    assert [_path(r[0]) for r in rows] == restricted
    for row in rows:
        if _path(row[0]) == "foundation.public_channel":    # choices by name, not their index
            assert "<code>grant</code>, <code>voucher</code>" == row[1]
            assert re.fullmatch(r"<code>(grant|voucher)</code>", row[2])


# --- the report of a comparison file (xsector compare) --------------------------------------

def test_comparison_report_names_the_arms_and_gives_the_delta_chart_and_verdicts(comparison_report):
    page, h5 = comparison_report["page"], comparison_report["h5"]
    for fid in COMPARE_FIGURES:
        assert f'<figure id="{fid}">' in page, fid
    assert len(decoded_images(page)) == len(COMPARE_FIGURES)
    # what was compared: every arm by name, with its description and its interventions' years
    compared = page.split("id='arms-compared'>", 1)[1].split("</table>", 1)[0]
    for name, words in (("status_quo", "A tiny region for the comparison report"),
                        ("budget_up", "Six times the support budget"), ("graduates", "Graduates hired from year 2")):
        assert f"<strong>{name}</strong>" in compared and words in compared, name
    assert "budget change (years 1–3)" in compared and "graduate programs (years 2–3)" in compared
    assert "<strong>status_quo</strong> (base)" in compared
    # the verdicts: one sentence per arm, agreeing with the paired comparison
    table = xa.compare(h5, paired=True)
    verdicts = re.findall(r"<li class='verdict'>(.*?)</li>", page)
    assert len(verdicts) == 2
    for sentence, (_, row) in zip(verdicts, table.iloc[1:].iterrows()):
        assert sentence.startswith(row["label"])
        word = {"narrows the gap": "narrows the public sector gap", "widens the gap": "widens the public sector gap",
                "not distinguishable from no change": "not distinguishable from no change"}[row["verdict"]]
        assert word in sentence and "compared with status_quo" in sentence, sentence
        assert "4 paired replicates" in sentence
    # the Δ chart: one panel per indicator, a point per arm, the line of no change at 0
    from xsector_analysis.plots import plot_deltas
    fig = plot_deltas(h5)
    assert len(fig.axes) == 3
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["budget_up", "graduates"]
    assert any(list(line.get_xdata()) == [0, 0] for line in fig.axes[0].lines)
    assert "(arm − base)" in fig.axes[0].get_xlabel()
    # arm is not a swept parameter here
    assert "Response to each swept parameter" not in page and "fig-response" not in page
    assert "<h3>arm</h3>" not in page and "varying <code>arm</code>" not in page and "arm=" not in page


def test_comparison_gap_figure_shades_each_arms_own_window(comparison_report):
    ds = xa.open_results(comparison_report["h5"])
    fig = xa.plot_gap(ds)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.lines if not line.get_label().startswith("_")]
    assert labels == ["status_quo", "budget_up", "graduates"]
    spans = [p for p in ax.patches if p.get_gid() == WINDOW_GID]
    starts = sorted({float(np.asarray(p.get_xy())[:, 0].min()) for p in spans})
    assert starts == [1.0, 2.0]  # budget_up from year 1, graduates from year 2, the base none
    colours = {p.get_facecolor()[:3] for p in spans}
    assert len(colours) == 2  # in the two arms' colours


# --- comparisons a policy student can trust (issue 16 audit) ---------------------------------

@pytest.fixture(scope="module")
def single_pair_report(tmp_path_factory):
    """`xsector compare --replicates 1` of the tiny base and its two arms, and its page."""
    binary = need_binary()
    tmp = tmp_path_factory.mktemp("single_pair")
    paths = [runner.write_scenario(tmp, "status_quo", COMPARE_BASE)]
    paths += [runner.write_scenario(tmp, name, text) for name, text in COMPARE_ARMS.items()]
    h5 = tmp / "cmp1.h5"
    proc = subprocess.run([binary, "compare", *map(str, paths), "--replicates", "1", "-o", str(h5)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    proc = report_cli(h5, tmp / "cmp1.html")
    assert proc.returncode == 0, proc.stderr
    return {"tmp": tmp, "h5": h5, "page": (tmp / "cmp1.html").read_text(encoding="utf-8")}


def _visible_text(page):
    """The page's words before the provenance (no images, no scenario files)."""
    body = page.split("<h2>Provenance</h2>", 1)[0]
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", body)


def test_a_single_pair_promises_no_interval(single_pair_report, comparison_report):
    from xsector_analysis.plots import plot_deltas
    text = _visible_text(single_pair_report["page"])
    assert "95%" not in text and "interval]" not in text          # no interval promised anywhere
    assert "single stochastic run" in text
    headers = re.findall(r"<th>(.*?)</th>", text)
    assert "public sector gap, single run (no interval)" in headers
    assert "Δ from base, single pair (no interval)" in headers
    caption = re.search(r'<figure id="fig-deltas">.*?<figcaption>(.*?)</figcaption>', text, re.S).group(1)
    assert "one replicate pair, no interval" in caption
    fig = plot_deltas(single_pair_report["h5"])
    title = fig._suptitle.get_text()
    assert "single stochastic run" in title and "95%" not in title and "no interval" in title
    gap = xa.plot_gap(xa.open_results(single_pair_report["h5"]))
    assert "no interval" in gap.axes[0].get_title() and "95%" not in gap.axes[0].get_title()
    # with n ≥ 2 pairs the same places do give the interval
    text = _visible_text(comparison_report["page"])
    assert "Δ from base [95% paired interval]" in re.findall(r"<th>(.*?)</th>", text)
    assert "bars its 95% paired interval" in text
    assert "bars: 95% paired interval, n = 4 replicate pairs" in plot_deltas(comparison_report["h5"])._suptitle.get_text()


def test_hdf5_file_of_another_program_gets_one_line(tmp_path):
    binary = need_binary()
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:            # valid HDF5, but no format_version: not an xsector file
        f["x"] = np.arange(5.0)
        f.attrs["title"] = "made by h5py"
    expected = f"{other}: an HDF5 file but not an xsector results file (no format_version attribute)"
    for command, out in (("report", tmp_path / "other.html"), ("export", tmp_path / "other.csv")):
        proc = subprocess.run([binary, command, str(other)], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 3, (command, proc.stderr)          # as `xsector info` answers it
        lines = proc.stderr.strip().splitlines()
        assert lines == [f"xsector {command}: error: {expected}"], (command, proc.stderr)
        assert not out.exists()
    info = subprocess.run([binary, "info", str(other)], capture_output=True, text=True, timeout=60)
    assert info.returncode == 3 and expected in info.stderr
    proc = report_cli(other, tmp_path / "x.html")                      # python3 -m xsector_analysis alike
    assert proc.returncode == 3 and proc.stderr.strip().splitlines() == [f"xsector report: error: {expected}"]


ARMS_SWEEP = """[simulation]
years = 1
seed = 5

[population]
government = 20
business = 200
nonprofit = 60
provider = 3
foundation = 2

[sweep]
replicates = 1

[sweep.arms]
status_quo_baseline = {}
grants_to_governments = { "foundation.public_channel" = "grant" }
vouchers_for_governments_and_more = { "foundation.public_channel" = "voucher" }
high_public_bonus = { "collab.beta_support" = 1.6 }
low_public_bonus = { "collab.beta_support" = 0.2 }
fast_diffusion = { "diffusion.q" = 0.4 }
slow_diffusion = { "diffusion.q" = 0.02 }
cheap_providers = { "provider.price_median" = 5000.0 }

[sweep.parameters]
"foundation.public_share" = [0.1, 0.4]
"market.public_bonus" = [0.0, 2.0]
"""
ARM_NAMES = ["status_quo_baseline", "grants_to_governments", "vouchers_for_governments_and_more", "high_public_bonus",
             "low_public_bonus", "fast_diffusion", "slow_diffusion", "cheap_providers"]


@pytest.fixture(scope="module")
def arms_sweep(tmp_path_factory):
    """A sweep of 8 named arms × 2 × 2 design points (1 year, one replicate) and its report."""
    binary = need_binary()
    tmp = tmp_path_factory.mktemp("arms_sweep")
    h5 = runner.sweep(runner.write_scenario(tmp, "eight_arms", ARMS_SWEEP), tmp / "arms.h5", binary=binary)
    proc = report_cli(h5, tmp / "arms.html")
    assert proc.returncode == 0, proc.stderr
    return {"tmp": tmp, "h5": h5, "page": (tmp / "arms.html").read_text(encoding="utf-8")}


def _text_outlines(fig, texts):
    """Each text's outline on the canvas as a Path: its unrotated box, turned by its rotation
    about its anchor (rotated labels' axis-aligned extents overlap even when the labels do not)."""
    from matplotlib.path import Path as MplPath
    renderer = fig.canvas.get_renderer()
    outlines = []
    for t in texts:
        angle = t.get_rotation()
        t.set_rotation(0)
        flat = t.get_window_extent(renderer)
        t.set_rotation(angle)
        box = t.get_window_extent(renderer)
        w, h = flat.width, flat.height
        # corners relative to the box's centre, turned by the angle, placed at the rotated box's centre
        c, s_ = np.cos(np.radians(angle)), np.sin(np.radians(angle))
        corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
        turned = corners @ np.array([[c, s_], [-s_, c]]) + [(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2]
        outlines.append(MplPath(np.vstack([turned, turned[:1]]), closed=True))
    return outlines


def _extents(fig, artists):
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in artists]


def test_categorical_axis_shows_every_arm_and_parameters_have_names_and_units(arms_sweep):
    from xsector_analysis.plots import parameter_axis_label
    ds = xa.open_results(arms_sweep["h5"])
    grid = xa.plot_response_grid(ds)
    grid.canvas.draw()
    panels = {ax.get_xlabel().replace("\n", " "): ax for ax in grid.axes if ax.get_visible()}
    # every arm labelled, in file order (long names cut with an ellipsis), and no two labels overlap
    arm_axis = panels["policy arm"]
    ticks = [t for t in arm_axis.get_xticklabels() if t.get_text()]
    names = [t.get_text() for t in ticks]
    assert len(names) == len(ARM_NAMES)
    for shown, name in zip(names, ARM_NAMES):
        assert shown == name or (shown.endswith("…") and name.startswith(shown[:-1])), (shown, name)
    outlines = _text_outlines(grid, ticks)
    assert not [(i, j) for i in range(len(outlines)) for j in range(i + 1, len(outlines))
                if outlines[i].intersects_path(outlines[j], filled=True)]
    # the other parameters by their names and units, not their dotted paths
    assert set(panels) == {"policy arm", "foundations' share of capacity money to the public sector",
                           "providers' preference for government clients [score units]"}
    assert parameter_axis_label("provider.price_median") == "median price of a support engagement [$ per engagement]"
    page = arms_sweep["page"]
    assert ("providers&#x27; preference for government clients (<code>market.public_bonus</code>, in score units) "
            "over 0, 2") in page
    assert "policy arm (<code>arm</code>) over " + ", ".join(ARM_NAMES) in page   # file order
    # a categorical parameter has no trend to state ("going from arm a to arm b")
    assert "As the policy arm goes" not in page and "As the providers&#x27; preference" in page


def test_legend_of_many_arms_stays_clear_of_the_lines(arms_sweep):
    ds = xa.open_results(arms_sweep["h5"])
    first_of_each_arm = [int(p) for p in np.unique(ds["point"].values)][::4]   # arms slowest: 4 points each
    assert len(first_of_each_arm) == 8
    fig = xa.plot_gap(ds, points=first_of_each_arm)
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert len(labels) == 8 and all(lab.startswith("arm=") for lab in labels)
    box, area = _extents(fig, [legend, ax])
    assert not box.overlaps(area)                                   # below the axes, not over the lines
    figure = fig.bbox
    assert box.x0 >= figure.x0 - 1 and box.x1 <= figure.x1 + 1 and box.y0 >= figure.y0 - 1  # and on the figure
    # few entries may stay inside
    few = xa.plot_gap(ds, points=first_of_each_arm[:3])
    few.canvas.draw()
    box, area = _extents(few, [few.axes[0].get_legend(), few.axes[0]])
    assert box.overlaps(area)


def test_small_differences_are_written_for_people():
    from xsector_analysis import report
    from xsector_analysis.plots import signed_value
    row = {"delta": -2.1e-05, "delta_lower": -3.05e-05, "delta_upper": -1.2e-05}
    assert report._delta_ci(row) == "-2.1×10⁻⁵ [-3.05×10⁻⁵, -1.2×10⁻⁵]"
    assert signed_value(2.1e-05) == "+2.1×10⁻⁵" and signed_value(-0.0123) == "-0.0123" and signed_value(0.0) == "0"


def test_delta_chart_labels_are_readable(comparison_report):
    """Arms that differ from the base by about 10⁻⁵ in the gap: the Δ chart's labels and
    ticks are written as 2.1×10⁻⁵, never 2.1e-05."""
    from xsector_analysis.plots import plot_deltas
    ds = xa.open_results(comparison_report["h5"]).load()
    point, rep = np.asarray(ds["point"].values), np.asarray(ds["replicate"].values)
    spend = ds["support_spending"].values.copy()
    part = ds["collab_participation"].values.copy()
    base = {int(r): k for k, r in enumerate(rep) if point[k] == 0}
    for k in np.flatnonzero(point > 0):   # each arm: the base's runs, government spending up by 0.01% × arm
        spend[k], part[k] = spend[base[int(rep[k])]], part[base[int(rep[k])]]
        spend[k, :, 0] *= 1 + 1e-4 * point[k] * (1 + 0.1 * rep[k])
    tiny = ds.assign(support_spending=(ds["support_spending"].dims, spend, ds["support_spending"].attrs),
                     collab_participation=(ds["collab_participation"].dims, part, ds["collab_participation"].attrs))
    delta = xa.compare(tiny, paired=True)["delta"].iloc[1:]
    assert (delta.abs() < 1e-4).all() and (delta.abs() > 1e-7).all()
    fig = plot_deltas(tiny)
    fig.canvas.draw()
    notes = [t.get_text() for t in fig.axes[0].texts]
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() if t.get_text()]
    assert len(notes) == 2 and all("×10⁻" in t for t in notes), notes
    assert not [t for t in notes + ticks if re.search(r"\de[+-]?\d", t)], notes + ticks
    assert not [ax for ax in fig.axes if ax.xaxis.get_offset_text().get_text()]  # no "1e-5" at the axis end
    assert not re.search(r"\de[+-]\d", _visible_text(comparison_report["page"]))
