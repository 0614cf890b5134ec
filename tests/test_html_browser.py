"""report.html renders in a real browser (headless Chromium): no console errors, every
chart present and non-empty, the key figures in the page text. Also results.xlsx sheets."""
import re
import shutil
from pathlib import Path

import pytest

from model.data.loader import load
from model.formatting import money
from model.reporting.report_files import write_report
from model.run import solve_instance

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    r = solve_instance(load(ROOT / "instances" / "toyota_2025.yaml"))
    return write_report(r, tmp_path_factory.mktemp("html") / "toyota"), r


def test_html_is_self_contained(report_dir):
    out, _ = report_dir
    text = (out / "report.html").read_text()
    assert "<svg" in text
    # nothing is fetched from elsewhere: no external sources, links to stylesheets or url()s
    assert not re.search(r'(src|href)="(https?:)?//', text) and "url(http" not in text
    assert "<script src" not in text and "<link" not in text


def test_xlsx_has_one_sheet_per_table(report_dir):
    import openpyxl
    out, r = report_dir
    book = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    assert book.sheetnames == ["levers", "metrics", "constraints", "inputs", "assumptions", "concession_values"]
    assert book["inputs"].max_row == len(r.inputs) + 1


@pytest.mark.skipif(CHROMIUM is None or DRIVER is None,
                    reason="headless Chromium not found: install Debian's chromium and chromium-driver (.ci/run does)")
def test_report_renders_in_headless_chromium(report_dir, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    out, r = report_dir
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.get((out / "report.html").as_uri())
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        charts = driver.find_elements("css selector", "div.chart svg")
        assert {c.find_element("xpath", "..").get_attribute("data-chart") for c in charts} == {"bridge", "concession_values"}
        for c in charts:
            assert c.size["width"] > 100 and c.size["height"] > 100
            assert len(c.find_elements("css selector", "path")) > 5
        text = driver.find_element("tag name", "body").text
        for figure in (money(r.metric("deficit").baseline), money(r.metric("deficit").no_deal),
                       money(r.metric("deficit").deal)):
            assert figure in text
        assert "ASSUMPTION" in text and "Binding constraints" in text
    finally:
        driver.quit()
