"""Take the dashboard screenshots of docs/dashboard.md again (headless Chromium, as the tests).

    python3 tests/dashboard/screenshots.py [OUTDIR]

Runs the word count with ``--ui`` and saves ``dashboard-wordcount.png`` (the page after a
few seconds of the run), then the word count with a bolt that raises and saves
``dashboard-errors.png`` (the errors panel). OUTDIR defaults to docs/images. Needs what
the browser tests need: chromium, chromedriver and Selenium.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dash_helpers import REPO, dashboard_run, wait_for, wordcount_copy  # noqa: E402

WIDTH = 1280


def browser() -> Any:
    """A headless Chromium WIDTH pixels wide (SystemExit naming what is missing)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise SystemExit("selenium is not installed (pip install -e '.[dev]')") from None
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        raise SystemExit("chromium and chromedriver are needed "
                         "(apt-get install chromium chromium-driver)")
    os.environ.setdefault("SE_OFFLINE", "true")
    options = Options()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-dev-shm-usage",
                 "--hide-scrollbars", f"--window-size={WIDTH},900"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)


def shoot(driver: Any, path: Path, height: int, scroll_to: str = "") -> None:
    """Save the page, ``height`` pixels of it (from the element ``scroll_to`` when given)."""
    # the window cannot grow past the virtual screen: set the viewport itself
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False})
    if scroll_to:
        driver.execute_script(
            f"window.scrollTo(0, document.querySelector('{scroll_to}').parentElement"
            f".getBoundingClientRect().top + window.scrollY - 70)")
    time.sleep(0.3)
    driver.save_screenshot(str(path))
    print(f"wrote {path}")


def main(outdir: Path) -> int:
    """Run the two topologies and take their screenshots."""
    from selenium.webdriver.common.by import By

    outdir.mkdir(parents=True, exist_ok=True)
    driver = browser()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            topo = wordcount_copy(Path(tmp) / "wordcount", interval=0.005)
            with dashboard_run(topo, "--ui", "--duration", "30", "--ui-linger", "5") as run:
                driver.get(run.url)
                wait_for(lambda: driver.find_elements(
                    By.CSS_SELECTOR, "#tasks td[data-field='latency']"), 20, "the tasks table")
                time.sleep(12)   # a chart with some history, busy and latency measured
                height = driver.execute_script(
                    "return document.querySelector('#tasks').getBoundingClientRect().bottom"
                    " + window.scrollY + 70")
                shoot(driver, outdir / "dashboard-wordcount.png", int(height))
            boom = wordcount_copy(Path(tmp) / "boom", debug=True, boom=True)
            with dashboard_run(boom, "--ui", "--duration", "20", "--ui-linger", "5") as run:
                driver.get(run.url)
                wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#errors details"), 40,
                         "an error in the errors panel")
                time.sleep(3)
                shoot(driver, outdir / "dashboard-errors.png", 760, scroll_to="#errors")
    finally:
        driver.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1
                          else REPO / "docs" / "images"))
