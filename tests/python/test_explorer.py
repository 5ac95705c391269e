"""The scenario explorer in a real browser (Debian's chromium + chromium-driver, driven by
python3-selenium): load the page, switch an intervention on, move its slider, press Run,
wait for the charts, and check that the Δ and the verdict on the page are what
`xsector compare` prints for the same two scenarios and seeds; then a bad value typed into
the page shows the message `xsector validate` gives for it. A screenshot of the answer
is kept at $XSECTOR_BUILD_DIR/artifacts/explorer.png (a CI artifact), and one of the
refusal at explorer-error.png."""
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from explorer_server import Server

selenium = pytest.importorskip("selenium", reason="python3-selenium is not installed (apt-get install python3-selenium)")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def server(xsector_bin, tmp_path_factory):
    server = Server(xsector_bin, tmp_path_factory.mktemp("explorer"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.skip("Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-sync", "--window-size=1500,1900",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='xsector-explorer-')}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    yield browser
    browser.quit()


def wait_for_state(browser, *states, timeout=180):
    WebDriverWait(browser, timeout).until(lambda b: b.find_element(By.TAG_NAME, "body").get_attribute("data-state") in states)
    return browser.find_element(By.TAG_NAME, "body").get_attribute("data-state")


def compare_output(xsector_bin, base: Path, arm_text: str, replicates: int, folder: Path) -> str:
    (folder / "arm.toml").write_text(arm_text)
    proc = subprocess.run([str(xsector_bin), "compare", str(base), str(folder / "arm.toml"), "--replicates",
                           str(replicates), "-o", str(folder / "cmp.h5"), "--force"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_slider_run_and_delta_equal_compare(server, browser, xsector_bin, source_dir, tmp_path):
    browser.get(server.url)
    assert wait_for_state(browser, "ready", "error", timeout=30) == "ready"
    assert browser.find_element(By.ID, "base").get_attribute("value") == "baseline"
    assert browser.find_element(By.ID, "replicates").get_attribute("value") == "20"

    # Switch the budget change on and move its factor slider from 1 up by ten steps of 0.04.
    browser.find_element(By.ID, "on--budget_change").click()
    slider = browser.find_element(By.ID, "budget_change--factor")
    assert (slider.get_attribute("min"), slider.get_attribute("max")) == ("0", "4")  # [0, ∞) in the table
    slider.send_keys(Keys.HOME)
    for _ in range(35):
        slider.send_keys(Keys.ARROW_RIGHT)
    factor = browser.find_element(By.ID, "budget_change--factor--value").get_attribute("value")
    assert float(factor) == pytest.approx(1.4)
    start = browser.find_element(By.ID, "budget_change--start_year")
    start.send_keys(Keys.HOME)
    for _ in range(8):  # 0.25 years a step: start in year 2
        start.send_keys(Keys.ARROW_RIGHT)

    browser.find_element(By.ID, "run").click()
    assert wait_for_state(browser, "done", "error") == "done", browser.find_element(By.ID, "error").text
    charts = browser.find_elements(By.CSS_SELECTOR, "#charts svg")
    assert len(charts) == 4
    for chart in charts:
        assert len(chart.find_elements(By.CSS_SELECTOR, "path.line-baseline")) == 1
        assert len(chart.find_elements(By.CSS_SELECTOR, "path.line-arm")) == 1
    delta = browser.find_element(By.ID, "delta").text
    verdict = browser.find_element(By.ID, "verdict").text
    assert re.fullmatch(r"[+-]\d\.\d{4} \[[+-]\d\.\d{4}, [+-]\d\.\d{4}\]", delta), delta
    history = browser.find_elements(By.CSS_SELECTOR, "#history li")
    assert len(history) == 1 and delta in history[0].text

    artifacts = Path(os.environ.get("XSECTOR_BUILD_DIR", tmp_path)) / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(artifacts / "explorer.png"))

    # The arm as the page's download link gives it: the base file plus the slider's values.
    run_id = browser.find_element(By.TAG_NAME, "body").get_attribute("data-run")
    link = browser.find_element(By.ID, "download-arm-toml").get_attribute("href")
    assert link == f"{server.url}api/runs/{run_id}/arm.toml"
    status, _, arm = server.request("GET", f"/api/runs/{run_id}/arm.toml")
    arm_text = arm.decode()
    assert status == 200
    assert arm_text.startswith((source_dir / "scenarios/baseline.toml").read_text())
    block = arm_text.split("[[intervention]]")[-1]
    assert 'type = "budget_change"' in block and "factor = 1.4\n" in block and "start_year = 2\n" in block

    # What the CLI says for the same two scenarios and seeds.
    printed = compare_output(xsector_bin, source_dir / "scenarios/baseline.toml", arm_text, 20, tmp_path)
    gap_block = printed.split("\npublic sector gap\n")[1]
    cli_delta = re.search(r"^  arm .* Δ (.*)$", gap_block, re.M).group(1)
    assert delta == cli_delta
    assert f"\n{verdict}\n" in printed

    # Previous runs stay in the list and come back on a click.
    browser.find_element(By.ID, "on--budget_change").click()  # off: the base alone against itself
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 180).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#history li")) == 2)
    assert wait_for_state(browser, "done") == "done"
    assert browser.find_element(By.ID, "delta").text == "+0.0000 [+0.0000, +0.0000]"
    browser.find_elements(By.CSS_SELECTOR, "#history li")[1].click()
    WebDriverWait(browser, 30).until(lambda b: b.find_element(By.ID, "delta").text == delta)


def test_bad_value_shows_the_cli_message(server, browser, xsector_bin, tmp_path):
    browser.get(server.url)
    assert wait_for_state(browser, "ready", timeout=30) == "ready"
    browser.find_element(By.ID, "on--compliance_toolkit").click()
    box = browser.find_element(By.ID, "compliance_toolkit--share--value")
    box.clear()
    box.send_keys("1.5")  # the slider stops at 1; the box takes what is typed
    browser.find_element(By.ID, "run").click()
    assert wait_for_state(browser, "error", "done") == "error"
    message = browser.find_element(By.ID, "error").text
    assert "1.5" in message and "share" in message
    artifacts = Path(os.environ.get("XSECTOR_BUILD_DIR", tmp_path)) / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(artifacts / "explorer-error.png"))

    # The same request straight to the server gives the arm file it checked; the CLI's
    # message for that file is the page's.
    request = browser.execute_script("return window.lastRequest")
    status, answer = server.post_run(request)
    assert status == 400
    (tmp_path / "arm.toml").write_text(answer["scenario"])
    proc = subprocess.run([str(xsector_bin), "validate", "arm.toml"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == f"error: {message}"
