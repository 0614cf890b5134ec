"""Every html page the commands write renders in a real browser (headless Chromium): `run`
(a free deal, fixed terms, no deal), `frontier`, `compare`, `sweep` (Monte Carlo and a grid);
and every command's page on the hostile text of tests/hostile_text.py shows `&`, `'`, `"`, `<`
as written (escaped once) and control characters as escapes.
On each page: no console errors; every chart present, non-empty and with the names the page
should have; no text element of a chart outside its SVG box (each text's getBBox, mapped into
the SVG's own coordinates, against the viewBox) and no two text elements of a chart over each
other; the key figures in the page text; the appendix collapsed; every scattered marker of every
chart wholly inside the frame of its axes (no clipped point). Also the workbook's sheets.
At a phone's width (390 px, as a phone lays the page out: the viewport tag) every page and the
brief: no horizontal page scroll, cards stacked, no text under 12 px (html, and chart text as
drawn) and no chart drawn smaller than its own size (a wide table or chart scrolls in its own box). Printed to PDF
(Chromium's printToPDF): the brief on at most two pages, no page without text, no page but the
last near-empty, the appendix printed open."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from model.cli import main
from model.formatting import money

ROOT = Path(__file__).resolve().parent.parent
INSTANCES = ROOT / "instances"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.browser      # a skip fails under REQUIRE_INDEPENDENT_CHECKS=1 (tests/conftest.py)
needs_browser = pytest.mark.skipif(CHROMIUM is None or DRIVER is None, reason="headless Chromium not found: "
                                   "install Debian's chromium and chromium-driver (.ci/run does)")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Each command's html page (written by the command line, as a user would), and its
    results where it has them: name -> (page, results or None, charts expected)."""
    base = tmp_path_factory.mktemp("pages")
    toyota, july = str(INSTANCES / "smart_defaults.yaml"), str(INSTANCES / "july_2025_framework.yaml")
    runs = {
        "run": (["run", toyota], 0, {"bridge", "levers", "frontier", "concession_values", "assumptions"}),
        "fixed": (["run", july], 0, {"bridge", "levers", "frontier", "concession_values", "assumptions"}),
        "no_deal": (["run", str(INSTANCES / "no_zopa_example.yaml")], 3, set()),
        "frontier": (["frontier", toyota, "--points", "5"], 0, {"bridge", "levers", "frontier", "concession_values"}),
        "sweep": (["sweep", toyota, "--monte-carlo", "40", "--seed", "1"], 0,
                  {"deal_share", "sweep", "sweep_levers", "tornado"}),      # a sweep's report: its draws only
        "grid": (["sweep", toyota, "--param", "segments.suv.elasticity=-1,-1.25,-1.5"], 0,
                 {"grid"}),
        "compare": (["compare", toyota, july], 0, {"compare"}),
        "alternatives": (["alternatives", toyota], 0, {"alternatives"}),
        "evaluate": (["evaluate", toyota, "--offer", str(INSTANCES / "offers" / "july_2025_terms.yaml")], 0, set()),
        "offers": (["evaluate", toyota, "--offer", str(INSTANCES / "offers" / "july_2025_terms.yaml"),
                    "--offer", str(INSTANCES / "offers" / "one_sided_us_demand.yaml")], 0, {"offers"}),
        "curve": (["sweep", toyota, "--lever", "tariff.cars=10,12.5,15,17.5,20"], 0, {"policy_curve"}),
        # A deal over ten years: the one-year sections (of its last year), the path and the deficit by year.
        "horizon": (["run", str(INSTANCES / "july_2025_over_time.yaml")], 0, {"bridge", "levers", "over_time"}),
    }
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(base)                      # compare's cache goes to ./reports/.cache
        for name, (args, code, charts) in runs.items():
            target = base / name
            assert main([*args, "--out", str(target)]) == code, name
            page = target / ("comparison.html" if name == "compare" else "report.html")
            saved = target / "results.json"
            results = json.loads(saved.read_text()) if saved.exists() else None
            out[name] = (page, results, charts)
    return out


def deficit_figures(results: dict) -> list[str]:
    d = next(m for m in results["metrics"] if m["name"] == "deficit")
    return [money(v) for v in (d["baseline"], d["no_deal"], d["deal"]) if v is not None]


def test_pages_are_self_contained(pages):
    for page, _, _ in pages.values():
        text = page.read_text()
        # nothing is fetched from elsewhere: no external sources, links to stylesheets or url()s
        assert not re.search(r'(src|href)="(https?:)?//', text) and "url(http" not in text
        assert "<script" not in text and "<link" not in text


def test_xlsx_has_one_sheet_per_table_and_the_column_notes(pages):
    import openpyxl
    page, results, _ = pages["run"]
    book = openpyxl.load_workbook(page.parent / "results.xlsx", read_only=True)
    assert book.sheetnames == ["levers", "metrics", "constraints", "inputs", "assumptions", "frontier",
                               "concession_values", "column notes"]
    assert book["inputs"].max_row == len(results["inputs"]) + 1
    header = next(book["constraints"].iter_rows(values_only=True))
    assert "dual_deficit_change_per_unit_bound_rises" in header and "deficit_fall_per_unit_relaxed" in header
    header = next(book["levers"].iter_rows(values_only=True))
    assert {"line", "channel", "maker", "segment", "good", "measure"} <= set(header) and "index" not in header


# What the browser measures, per chart: its drawing size, how many things it draws, the texts
# outside the viewBox and the pairs of texts over each other (both in the SVG's own units).
MEASURE = """
const out = [];
for (const div of document.querySelectorAll('div.chart')) {
  const svg = div.querySelector('svg');
  const r = {name: div.dataset.chart, width: 0, height: 0, drawn: 0, outside: [], overlaps: []};
  out.push(r);
  if (!svg) continue;
  const box = svg.getBoundingClientRect();
  r.width = box.width; r.height = box.height;
  r.drawn = svg.querySelectorAll('path, use, rect, line, polyline').length;
  const vb = svg.viewBox.baseVal;
  const toSvg = svg.getScreenCTM().inverse();
  const boxes = [];
  for (const t of svg.querySelectorAll('text')) {
    if (!t.textContent.trim()) continue;
    const b = t.getBBox();
    const m = toSvg.multiply(t.getScreenCTM());
    const xs = [], ys = [];
    for (const [x, y] of [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]) {
      const p = new DOMPoint(x, y).matrixTransform(m);
      xs.push(p.x); ys.push(p.y);
    }
    const q = {text: t.textContent, x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys)};
    if (q.x0 < vb.x - 0.5 || q.y0 < vb.y - 0.5 || q.x1 > vb.x + vb.width + 0.5 || q.y1 > vb.y + vb.height + 0.5)
      r.outside.push(q);
    boxes.push(q);
  }
  r.markers = 0; r.clipped = [];
  for (const ax of svg.querySelectorAll('g[id^="axes_"]')) {       // each axes: its frame, its scattered markers
    const frame = ax.querySelector(':scope > g[id^="patch_"] path');
    if (!frame) continue;
    const a = frame.getBoundingClientRect();
    for (const u of ax.querySelectorAll(':scope > g[id^="PathCollection_"] use')) {
      const b = u.getBoundingClientRect();
      r.markers++;
      if (b.left < a.left - 0.5 || b.right > a.right + 0.5 || b.top < a.top - 0.5 || b.bottom > a.bottom + 0.5)
        r.clipped.push([ax.id, b.left - a.left, a.right - b.right, b.top - a.top, a.bottom - b.bottom]);
    }
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], c = boxes[j];
    const w = Math.min(a.x1, c.x1) - Math.max(a.x0, c.x0), h = Math.min(a.y1, c.y1) - Math.max(a.y0, c.y0);
    if (w > 1 && h > 1) r.overlaps.push([a.text, c.text]);
  }
}
return out;
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1200,1000", f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def key_figures(name: str, results: dict | None, page: Path) -> list[str]:
    """Figures that must be in the page's text."""
    if name == "compare":
        rows = [line.split(",") for line in (page.parent / "comparison.csv").read_text().splitlines()[1:]]
        deficits = [float(r[5]) for r in rows if r[0] == "metric" and r[1] == "deficit"]
        return [money(v) for v in deficits] + ["What it did to the deal", "What changed in the inputs"]
    figures = deficit_figures(results)
    if name in ("run", "fixed", "frontier"):
        figures += ["The deal", "What holds the deficit up", "United States", "Japan"]
        top = next(c for c in results["constraints"] if c["name"] == "red_line[japan_production_loss]")
        figures.append(top["label"])
    if name == "fixed":
        figures += ["The fixed terms", money(results["free_optimum"]["cost"])]
    if name in ("run", "frontier"):
        z = results["frontier"]["zopa"]["deficit"]
        figures += [money(z["low"]), money(z["high"]), "Nash deal"]
    if name == "no_deal":
        figures += ["No deal", "Why there is no deal", "Each party alone", "United States alone", "Japan alone"]
        figures += [x["label"] for x in results["diagnosis"]["relaxations"][:1]]
    if name == "sweep":
        figures += ["Robustness", money(results["sweep"]["quantiles"]["deficit"]["q50"]), "What moves the deficit most",
                    "Across the draws", "The deal with the instance's own values"]
    if name == "grid":
        figures += ["By grid point"] + [money(g["deficit"]) for g in results["sweep"]["grid"] if g["deficit"]]
    if name == "horizon":          # the path on the first screen, and the present values in its section's table
        d = next(m for m in results["over_time"]["metrics"] if m["name"] == "deficit")
        figures += ["The deal over time", "against no deal", money(d["deal_sum"]), money(d["no_deal_sum"]),
                    f"{results['over_time']['first_year']} to {results['over_time']['last_year']}"]
    return figures


@needs_browser
@pytest.mark.parametrize("name", ["run", "fixed", "no_deal", "frontier", "sweep", "grid", "compare", "horizon"])
def test_page_renders_with_readable_charts_and_its_figures(pages, browser, name):
    page, results, expected = pages[name]
    browser.get(page.as_uri())
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    charts = browser.execute_script(MEASURE)
    assert {c["name"] for c in charts} == expected
    for c in charts:
        assert c["width"] > 100 and c["height"] > 100, c["name"]
        assert c["drawn"] > 5, c["name"]
        assert c["outside"] == [], (c["name"], c["outside"])
        assert c["overlaps"] == [], (c["name"], c["overlaps"])
    text = browser.find_element("tag name", "body").text
    for figure in key_figures(name, results, page):
        assert figure in text, (name, figure)
    if name != "compare":
        details = browser.find_elements("css selector", "details")
        assert details and not any(d.get_attribute("open") for d in details)       # the appendix is folded
        summary = details[0].find_element("tag name", "summary").text
        assert "Where the numbers come from" in summary and "are assumptions" in summary


# Charts whose points are markers (scatter): each must have some, all inside the frame of their axes.
SCATTERED = {"frontier", "concession_values", "grid", "alternatives", "offers", "over_time"}


@needs_browser
@pytest.mark.parametrize("name", ["run", "fixed", "frontier", "sweep", "grid", "compare", "alternatives", "offers",
                                  "curve", "horizon"])
def test_every_marker_lies_inside_its_axes(pages, browser, name):
    """No clipped point: every scattered marker of every chart on the page lies wholly inside
    the frame of its axes (the concession values once had their two largest points on the
    corners, half cut off)."""
    browser.get(pages[name][0].as_uri())
    charts = browser.execute_script(MEASURE)
    assert {c["name"] for c in charts} == pages[name][2], name
    for c in charts:
        assert c["clipped"] == [], (name, c["name"], c["clipped"])
        if c["name"] in SCATTERED:
            assert c["markers"] > 0, (name, c["name"])


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory):
    import hostile_text
    return hostile_text.run_every_command(tmp_path_factory.mktemp("hostile-text"))


@needs_browser
@pytest.mark.parametrize("command", ["run", "frontier", "sweep", "alternatives", "evaluate", "compare"])
def test_hostile_text_reads_back_as_written(hostile_pages, browser, command):
    """The DOM's text holds each special character once: 'Trinidad & Tobago', not
    'Trinidad &amp;amp; Tobago' (the evaluate page's old double escaping)."""
    import hostile_text as H
    assert hostile_pages[command]["code"] == 0
    browser.get(hostile_pages[command]["page"].as_uri())
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    text = browser.execute_script("return document.body.textContent")
    for expected in H.SHOWN[command]:
        assert expected in text, (command, expected)
    assert not [e for e in H.ESCAPED_TWICE if e in text], command
    assert not [c for c in H.RAW_CONTROLS if c in text], command
    assert browser.execute_script("return document.title").startswith(
        {"compare": "Comparison", "alternatives": "Alternative", "evaluate": "Evaluating"}.get(command, H.TITLE[:4]))
    if command == "run":
        assert H.SHOWN_CONTROLS in text


# -- phones and print -------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
PAGES = ["run", "brief", "fixed", "fixed_brief", "frontier", "no_deal", "no_deal_brief", "sweep", "grid", "compare",
         "alternatives", "evaluate", "offers", "curve", "horizon", "horizon_brief"]

# At the phone's width: the page's own width and the viewport's, html text under 12 px,
# chart text drawn smaller than its SVG's own size, and the cards' tops.
PHONE_MEASURE = """
const small = [], shrunk = [], tiny = [];
for (const el of document.querySelectorAll('body *')) {
  if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
  const box = el.getBoundingClientRect();
  if (!box.width || !box.height) continue;
  const px = parseFloat(getComputedStyle(el).fontSize);
  if (el instanceof SVGElement) {
    const m = el.getScreenCTM();
    if (Math.hypot(m.a, m.b) < 0.99) shrunk.push(el.textContent.trim().slice(0, 40));
    else if (px * Math.hypot(m.a, m.b) < 11.95) tiny.push([px * Math.hypot(m.a, m.b), el.textContent.trim().slice(0, 40)]);
  } else if (px < 12) small.push([el.tagName, px, el.textContent.trim().slice(0, 40)]);
}
const cards = [...document.querySelectorAll('.card, .party')].map(c => c.getBoundingClientRect().top);
return {scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth,
        small: small.slice(0, 10), shrunk: shrunk.slice(0, 10), tiny: tiny.slice(0, 10), cards: cards};
"""


def page_file(pages, name: str) -> Path:
    """A page of the `pages` fixture; 'brief' and '<name>_brief': the brief beside a run's report."""
    if name == "brief" or name.endswith("_brief"):
        return pages[name.removesuffix("brief").rstrip("_") or "run"][0].parent / "brief.html"
    return pages[name][0]


@needs_browser
@pytest.mark.parametrize("name", PAGES)
def test_page_reads_on_a_phone(pages, browser, name):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        browser.get(page_file(pages, name).as_uri())
        m = browser.execute_script(PHONE_MEASURE)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert m["width"] == PHONE["width"]
    assert m["scroll"] <= m["width"], (name, m["scroll"])          # no sideways scrolling of the page
    assert m["small"] == [], (name, m["small"])
    assert m["shrunk"] == [], (name, m["shrunk"])
    assert m["tiny"] == [], (name, m["tiny"])                          # chart text: 12 px or more as drawn
    assert len(set(m["cards"])) == len(m["cards"]), name              # one card a row
    if name in ("run", "brief", "no_deal"):
        assert m["cards"], name


def pdf_pages(pdf: bytes) -> list[bytes]:
    """The content streams of a PDF's pages (Chromium's: objects not in object streams,
    contents Flate-compressed), one per page, in the order of the page tree."""
    import zlib
    # Objects read in order, each stream by its /Length: a compressed stream may hold any bytes,
    # "endobj" and "endstream" included, so neither may end it.
    objects: dict[int, bytes] = {}
    streams: dict[int, bytes] = {}
    opening = re.compile(rb"(\d+) 0 obj")
    pos = 0
    while (m := opening.search(pdf, pos)) is not None:
        n, start = int(m.group(1)), m.end()
        begins = re.compile(rb"stream\r?\n").search(pdf, start)
        ends = pdf.find(b"endobj", start)
        length = re.search(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", pdf[start:begins.start()]) if begins else None
        if begins is not None and (ends < 0 or begins.start() < ends) and length is not None:
            data = pdf[begins.end():begins.end() + int(length.group(1))]
            objects[n], streams[n] = pdf[start:begins.start()], data
            pos = begins.end() + len(data)
        else:
            objects[n] = pdf[start:ends if ends >= 0 else len(pdf)]
            pos = ends + len(b"endobj") if ends >= 0 else len(pdf)

    def stream(n: int) -> bytes:
        data = streams.get(n, b"")
        return zlib.decompress(data) if data and b"/FlateDecode" in objects[n] else data

    def head(n: int) -> bytes:
        return objects.get(n, b"").split(b"stream", 1)[0]

    def pages_under(n: int) -> list[int]:
        if re.search(rb"/Type\s*/Pages\b", head(n)):
            kids = re.search(rb"/Kids\s*\[([^\]]*)\]", head(n))
            return [k for ref in re.findall(rb"(\d+) 0 R", kids.group(1) if kids else b"")
                    for k in pages_under(int(ref))]
        return [n] if re.search(rb"/Type\s*/Page\b(?!s)", head(n)) else []
    roots = [n for n in objects if re.search(rb"/Type\s*/Pages\b", head(n)) and b"/Parent" not in head(n)]
    out = []
    for n in (pages_under(roots[0]) if roots else []):
        refs = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", head(n))
        ids = [int(x) for x in re.findall(rb"(\d+) 0 R", refs.group(1))] if refs else []
        out.append(b"".join(stream(i) for i in ids if i in objects))
    return out


def printed(browser, path: Path) -> list[bytes]:
    import base64
    browser.get(path.as_uri())
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})["data"])
    pages = pdf_pages(pdf)
    assert len(pages) == len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) > 0
    return pages


def test_pdf_pages_are_counted_and_read():
    """The PDF reader on a hand-made two-page file: one page with text, one without, listed
    in the page tree in the reverse of their objects' order."""
    import zlib
    text = zlib.compress(b"BT /F1 12 Tf 72 700 Td (hello) Tj ET")
    pdf = (b"%PDF-1.4\n1 0 obj <</Type /Pages /Kids [3 0 R 2 0 R] /Count 2>> endobj\n"
           b"2 0 obj <</Type /Page /Parent 1 0 R /Contents 4 0 R>> endobj\n"
           b"3 0 obj <</Type /Page /Parent 1 0 R /Contents [5 0 R]>> endobj\n"
           + b"4 0 obj <</Length " + str(len(text)).encode() + b" /Filter /FlateDecode>> stream\n" + text
           + b"\nendstream endobj\n"
           b"5 0 obj <</Length 0>> stream\n\nendstream endobj\n")
    pages = pdf_pages(pdf)
    assert [has_text(p) for p in pages] == [False, True]            # in the page tree's order
    # A stream is read by its /Length: bytes such as "endobj" or "endstream" inside it do not end it.
    odd = b"BT (x\nendstream endobj y) Tj ET"
    one = (b"%PDF-1.4\n1 0 obj <</Type /Pages /Kids [2 0 R] /Count 1>> endobj\n"
           b"2 0 obj <</Type /Page /Parent 1 0 R /Contents 3 0 R>> endobj\n"
           + b"3 0 obj <</Length " + str(len(odd)).encode() + b">> stream\n" + odd + b"\nendstream endobj\n")
    assert pdf_pages(one) == [odd]


def has_text(content: bytes) -> bool:
    return re.search(rb"\bT[Jj]\b", content) is not None


NEAR_EMPTY = 0.2        # a page (but the last) drawing less than this share of the median page's content


def thin_pages(content: list[bytes]) -> list[int]:
    """The pages, but the last, that draw less than NEAR_EMPTY of the median page (by the size
    of their content streams: text and vector charts alike)."""
    if len(content) <= 2:
        return []
    median = sorted(len(p) for p in content)[len(content) // 2]
    return [i for i, p in enumerate(content[:-1]) if len(p) < NEAR_EMPTY * median]


@needs_browser
def test_a_near_empty_page_is_found(browser, tmp_path):
    """The check can fail: a page with one line, forced onto its own page before three full ones."""
    full = "".join(f"<p>{'Lorem ipsum dolor sit amet, consectetur adipiscing elit. ' * 6}</p>" for _ in range(40))
    page = tmp_path / "thin.html"
    page.write_text(f"<!DOCTYPE html><html><body><p>one line</p><div style='break-before:page'>{full * 3}</div>"
                    "</body></html>")
    content = printed(browser, page)
    assert len(content) >= 4 and thin_pages(content) == [0]


@needs_browser
@pytest.mark.parametrize("name", PAGES)
def test_page_prints_without_empty_pages(pages, browser, name):
    content = printed(browser, page_file(pages, name))
    assert all(has_text(p) for p in content), name
    assert thin_pages(content) == [], (name, [len(p) for p in content])
    if name.endswith("brief"):
        assert len(content) <= 2, (name, len(content))


@needs_browser
def test_print_opens_the_appendix_and_keeps_cards_and_charts_whole(pages, browser):
    """In print (and only in print) the appendix's content is shown; cards, parties and charts
    are not split across pages."""
    shown = """return [...document.querySelectorAll('details')].map(
                 d => d.querySelector(':scope > :not(summary)').checkVisibility());"""
    browser.get(pages["run"][0].as_uri())
    folded = browser.execute_script(shown)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        opened = browser.execute_script(shown)
        kept = browser.execute_script("""
          return [...document.querySelectorAll('.card, .chart, .party')].map(e => getComputedStyle(e).breakInside);""")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert folded and not any(folded)              # on screen the appendix stays folded
    assert len(opened) == len(folded) and all(opened)
    assert kept and set(kept) == {"avoid"}, set(kept)


@needs_browser
@pytest.mark.parametrize("name", ["run", "fixed"])
def test_first_screen_answers_who_gains_in_what_how_sure_without_scrolling(pages, browser, name):
    """At a desktop's 1200 x 1000 the bottom line (each side's gain by payoff and in welfare, the
    deficit, the share of draws with a deal) ends inside the window; the cards are coloured by
    direction for the side they concern, and say it in words too (issue 26 item 1)."""
    browser.get(page_file(pages, name).as_uri())
    m = browser.execute_script("""
        const b = document.querySelector('p.bottom');
        const cards = [...document.querySelectorAll('.card')].map(c => [c.className,
            getComputedStyle(c).borderLeftColor, (c.querySelector('.t') || {}).textContent || '']);
        return {bottom: b.getBoundingClientRect().bottom, height: window.innerHeight, text: b.textContent, cards};""")
    assert m["bottom"] <= m["height"], (name, m["bottom"], m["height"])
    assert "Gains over no deal by payoff" in m["text"] and "in welfare" in m["text"]
    assert name != "run" or "How sure: a deal holds in" in m["text"]
    tones = {cls: colour for cls, colour, _ in m["cards"] if cls in ("card good", "card bad")}
    assert set(tones) == {"card good", "card bad"} and tones["card good"] != tones["card bad"]
    for cls, _, words in m["cards"]:
        assert ("a gain for" in words or ": good for" in words) if cls == "card good" else \
            ("a loss for" in words or ": bad for" in words) if cls == "card bad" else True, (cls, words)
