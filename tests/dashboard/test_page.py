"""The dashboard page in a real headless Chromium (Debian's chromium and chromedriver).

Skipped, with the reason, where the browser, its driver or Selenium is missing; the same
run's HTTP side is always tested without a browser (``test_api``).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from dash_helpers import dashboard_run, stop, wait_for, wordcount_copy

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:  # pragma: no cover - dev extras not installed
    webdriver = None

MISSING = ("chromium is not installed (apt-get install chromium chromium-driver)"
           if not CHROMIUM else
           "chromedriver is not installed (apt-get install chromium-driver)"
           if not CHROMEDRIVER else
           "selenium is not installed (pip install -e '.[dev]')" if webdriver is None else "")
pytestmark = pytest.mark.skipif(bool(MISSING), reason=MISSING)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1800"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the module, with a fresh profile."""
    os.environ.setdefault("SE_OFFLINE", "true")   # Selenium must not fetch drivers
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def until(predicate: Any, timeout: float, what: str) -> Any:
    """``wait_for`` through the page's re-rendering (elements replaced every second)."""
    def attempt() -> Any:
        try:
            return predicate()
        except WebDriverException:
            return None
    return wait_for(attempt, timeout, what)


def texts(driver: Any, css: str) -> List[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]


def cell(driver: Any, component: str, field: str) -> str:
    found = driver.find_elements(
        By.CSS_SELECTOR, f"#components tr[data-component='{component}'] "
                         f"td[data-field='{field}']")
    return found[0].text if found else ""


def task_cell(driver: Any, component: str, field: str) -> str:
    """A cell of the first task of ``component`` in the tasks table."""
    found = driver.find_elements(
        By.CSS_SELECTOR, f"#tasks tr[data-component='{component}'] td[data-field='{field}']")
    return found[0].text if found else ""


SHARE = re.compile(r"^\d+%$")
LATENCY = re.compile(r"^\d+\.\d / \d+\.\d$")


def count(text: str) -> int:
    return int(text.replace(",", "")) if text.replace(",", "").isdigit() else -1


def test_the_page_follows_a_word_count_run(browser: Any, tmp_path: Path) -> None:
    topo = wordcount_copy(tmp_path / "wc")
    with dashboard_run(topo, "--ui", "--duration", "6", "--ui-linger", "60") as run:
        browser.get(run.url)
        nodes = until(lambda: {e.get_attribute("data-component"): e.text for e in
                                  browser.find_elements(By.CSS_SELECTOR, "#graph g.node")},
                         15, "the graph's components")
        assert set(nodes) == {"spout", "split", "count"}
        assert "spout ×1" in nodes["spout"] and "bolt ×1" in nodes["count"]
        edges: Dict[tuple, str] = {
            (e.get_attribute("data-from"), e.get_attribute("data-to"),
             e.get_attribute("data-stream")): e.text
            for e in browser.find_elements(By.CSS_SELECTOR, "#graph g.edge")}
        assert edges == {("spout", "split", "default"): "default · shuffle",
                         ("split", "count", "default"): "default · fields(word)"}
        # the numbers move while the topology runs
        first = until(lambda: count(cell(browser, "split", "executed")) > 0
                         and count(cell(browser, "split", "executed")), 20, "split's count")
        until(lambda: count(cell(browser, "split", "executed")) > first, 10,
                 "split's count to grow")
        assert "running" in browser.find_element(By.ID, "run-state").text
        # per task: its own counts move, its busy share and process latency show
        tfirst = until(lambda: count(task_cell(browser, "count", "executed")) > 0
                       and count(task_cell(browser, "count", "executed")), 10,
                       "the count task's executed")
        until(lambda: count(task_cell(browser, "count", "executed")) > tfirst, 10,
              "the count task's executed to grow")
        until(lambda: float(task_cell(browser, "split", "rate-executed") or 0) > 0, 10,
              "the split task's rate")
        until(lambda: SHARE.match(task_cell(browser, "count", "busy")), 10,
              "the count task's busy share")
        until(lambda: LATENCY.match(task_cell(browser, "count", "latency")), 10,
              "the count task's latency")
        assert task_cell(browser, "spout", "latency") == "–"
        # per component: busy (its busiest task) and latency (bolts: process latency)
        until(lambda: SHARE.match(cell(browser, "split", "busy")), 10, "split's busy share")
        until(lambda: LATENCY.match(cell(browser, "count", "latency")), 10,
              "count's process latency")
        assert LATENCY.match(cell(browser, "spout", "latency"))
        # a page reloaded (its event stream dropped and opened again) carries on
        browser.refresh()
        until(lambda: count(cell(browser, "count", "executed")) > 0, 10,
                 "the figures after a reload")
        until(lambda: len((browser.find_element(By.CSS_SELECTOR, "#chart polyline")
                              .get_attribute("points") or "").split()) >= 2, 10,
                 "the rate chart's history after a reload")
        ended = until(lambda: "Run ended" in browser.find_element(By.ID, "run-state").text
                         and browser.find_element(By.ID, "run-state").text, 30,
                         "the page to say the run ended")
        assert "--duration 6 s reached" in ended
        states = texts(browser, "#tasks tr[data-task] td:nth-child(3)")
        assert states and "up" not in states
        stop(run.proc)
        until(lambda: "the run is over" in browser.find_element(By.ID, "connection").text,
                 10, "the page to notice the server stopped")


def test_an_exception_in_a_bolt_shows_in_the_errors_panel(browser: Any, tmp_path: Path
                                                          ) -> None:
    topo = wordcount_copy(tmp_path / "boom", debug=True, boom=True)
    with dashboard_run(topo, "--ui", "--duration", "4", "--ui-linger", "60") as run:
        browser.get(run.url)
        error = until(lambda: browser.find_elements(
            By.CSS_SELECTOR, "#errors details.error[data-component='boom']"), 40,
            "an error in the errors panel")[0]
        assert "ValueError: no words about the moon here" in error.find_element(
            By.CSS_SELECTOR, "summary").text
        trace = error.find_element(By.CSS_SELECTOR, "pre.traceback").text
        assert "Traceback (most recent call last)" in trace
        assert 'raise ValueError("no words about the moon here")' in trace
        assert error.find_element(By.CSS_SELECTOR, ".tuple").text == "tuple: ['moon']"
        # topology.debug is on: the latest tuples per stream
        until(lambda: browser.find_elements(
            By.CSS_SELECTOR, "#samples .sample[data-component='split'] li"), 10,
            "split's latest tuples")
        assert count(cell(browser, "boom", "errors")) >= 1
